//! Where clients (applications) and APIs (audiences) are registered.
//!
//! The domain only reads them. Registering is the implementation's business:
//! the bundled server registers what its configuration lists, once, at
//! startup.

use std::sync::Arc;

use async_trait::async_trait;

use super::StoreError;
use crate::client::{Api, Client, ClientId};

/// The registered applications.
#[async_trait]
pub trait ClientRegistry: Send + Sync {
    /// The client `id`, every field as registered; `None` when no client
    /// has that id. Shared, not copied: this is on every request's path.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn get(&self, id: &ClientId) -> Result<Option<Arc<Client>>, StoreError>;

    /// The id of every registered client, in no particular order: for the
    /// rare call that must reach every client's records of a user
    /// (deleting the user's pending challenges). Never on a login's path.
    ///
    /// # Errors
    /// - MUST list every client [`get`](Self::get) would answer, once.
    /// - [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn ids(&self) -> Result<Vec<ClientId>, StoreError>;
}

/// The registered APIs.
#[async_trait]
pub trait ApiRegistry: Send + Sync {
    /// The API whose identifier is `identifier` (compared exactly, case and
    /// trailing slash included), every field as registered.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn get(&self, identifier: &str) -> Result<Option<Arc<Api>>, StoreError>;
}
