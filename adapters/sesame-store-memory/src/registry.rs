//! Registered clients and APIs in memory, changeable at run time: for tests
//! and embedders. Registrations fixed at startup belong in the lock-free
//! [`StaticClientRegistry`](crate::StaticClientRegistry) and
//! [`StaticApiRegistry`](crate::StaticApiRegistry).

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sesame_domain::ports::{ApiRegistry, ClientRegistry, StoreError};
use sesame_domain::{Api, Client, ClientId};

use crate::sync::lock;

/// A [`ClientRegistry`] in memory that [`upsert`](Self::upsert) changes.
#[derive(Default)]
pub struct MemoryClientRegistry {
    clients: Mutex<HashMap<ClientId, Client>>,
}

impl MemoryClientRegistry {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry holding `clients`; a later one replaces an earlier one
    /// with the same id.
    #[must_use]
    pub fn with_clients(clients: impl IntoIterator<Item = Client>) -> Self {
        let map = clients.into_iter().map(|c| (c.id.clone(), c)).collect();
        Self {
            clients: Mutex::new(map),
        }
    }

    /// Registers `client`, replacing the one with the same id.
    pub fn upsert(&self, client: Client) {
        lock(&self.clients).insert(client.id.clone(), client);
    }
}

impl fmt::Debug for MemoryClientRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryClientRegistry")
            .field("len", &lock(&self.clients).len())
            .finish()
    }
}

#[async_trait]
impl ClientRegistry for MemoryClientRegistry {
    async fn get(&self, id: &ClientId) -> Result<Option<Arc<Client>>, StoreError> {
        Ok(lock(&self.clients).get(id).cloned().map(Arc::new))
    }

    async fn ids(&self) -> Result<Vec<ClientId>, StoreError> {
        Ok(lock(&self.clients).keys().cloned().collect())
    }
}

/// An [`ApiRegistry`] in memory that [`upsert`](Self::upsert) changes.
#[derive(Default)]
pub struct MemoryApiRegistry {
    apis: Mutex<HashMap<String, Api>>,
}

impl MemoryApiRegistry {
    /// An empty registry.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// A registry holding `apis`; a later one replaces an earlier one with
    /// the same identifier.
    #[must_use]
    pub fn with_apis(apis: impl IntoIterator<Item = Api>) -> Self {
        let map = apis
            .into_iter()
            .map(|a| (a.identifier.clone(), a))
            .collect();
        Self {
            apis: Mutex::new(map),
        }
    }

    /// Registers `api`, replacing the one with the same identifier.
    pub fn upsert(&self, api: Api) {
        lock(&self.apis).insert(api.identifier.clone(), api);
    }
}

impl fmt::Debug for MemoryApiRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryApiRegistry")
            .field("len", &lock(&self.apis).len())
            .finish()
    }
}

#[async_trait]
impl ApiRegistry for MemoryApiRegistry {
    async fn get(&self, identifier: &str) -> Result<Option<Arc<Api>>, StoreError> {
        Ok(lock(&self.apis).get(identifier).cloned().map(Arc::new))
    }
}
