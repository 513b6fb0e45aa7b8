//! Clients and APIs fixed when the registry is built, e.g. from the
//! configuration: lookups are plain map reads, with no lock to take.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use sesame_domain::ports::{ApiRegistry, ClientRegistry, StoreError};
use sesame_domain::{Api, Client, ClientId};

/// A [`ClientRegistry`] that never changes after it is built.
///
/// Every token request looks its client up, so the lookup is a read of an
/// immutable map that any number of requests share: no lock, no contention.
/// Records are held behind [`Arc`] so that handing one out can stay cheap.
pub struct StaticClientRegistry {
    clients: HashMap<ClientId, Arc<Client>>,
}

impl StaticClientRegistry {
    /// A registry holding `clients`; a later one replaces an earlier one
    /// with the same id.
    #[must_use]
    pub fn new(clients: impl IntoIterator<Item = Client>) -> Self {
        let clients = clients
            .into_iter()
            .map(|c| (c.id.clone(), Arc::new(c)))
            .collect();
        Self { clients }
    }

    /// How many clients are registered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.clients.len()
    }

    /// Whether no client is registered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.clients.is_empty()
    }
}

impl fmt::Debug for StaticClientRegistry {
    // Clients carry secret hashes: only their number is shown.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticClientRegistry")
            .field("len", &self.len())
            .finish()
    }
}

#[async_trait]
impl ClientRegistry for StaticClientRegistry {
    async fn get(&self, id: &ClientId) -> Result<Option<Arc<Client>>, StoreError> {
        Ok(self.clients.get(id).map(Arc::clone))
    }

    async fn ids(&self) -> Result<Vec<ClientId>, StoreError> {
        Ok(self.clients.keys().cloned().collect())
    }
}

/// An [`ApiRegistry`] that never changes after it is built; lookups take no
/// lock, as for [`StaticClientRegistry`].
pub struct StaticApiRegistry {
    apis: HashMap<String, Arc<Api>>,
}

impl StaticApiRegistry {
    /// A registry holding `apis`; a later one replaces an earlier one with
    /// the same identifier.
    #[must_use]
    pub fn new(apis: impl IntoIterator<Item = Api>) -> Self {
        let apis = apis
            .into_iter()
            .map(|a| (a.identifier.clone(), Arc::new(a)))
            .collect();
        Self { apis }
    }

    /// How many APIs are registered.
    #[must_use]
    pub fn len(&self) -> usize {
        self.apis.len()
    }

    /// Whether no API is registered.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.apis.is_empty()
    }
}

impl fmt::Debug for StaticApiRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StaticApiRegistry")
            .field("len", &self.len())
            .finish()
    }
}

#[async_trait]
impl ApiRegistry for StaticApiRegistry {
    async fn get(&self, identifier: &str) -> Result<Option<Arc<Api>>, StoreError> {
        Ok(self.apis.get(identifier).map(Arc::clone))
    }
}
