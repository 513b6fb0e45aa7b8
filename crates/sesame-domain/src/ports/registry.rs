//! Where clients (applications) and APIs (audiences) are registered.

use async_trait::async_trait;

use super::StoreError;
use crate::client::{Api, Client, ClientId};

/// The registered applications.
#[async_trait]
pub trait ClientRegistry: Send + Sync {
    /// The client `id`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn get(&self, id: &ClientId) -> Result<Option<Client>, StoreError>;

    /// Creates or replaces the client with `client.id`.
    ///
    /// # Errors
    /// MUST store every field unchanged; `get` afterwards returns `client`.
    async fn upsert(&self, client: &Client) -> Result<(), StoreError>;
}

/// The registered APIs.
#[async_trait]
pub trait ApiRegistry: Send + Sync {
    /// The API whose identifier is `identifier` (compared exactly).
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn get(&self, identifier: &str) -> Result<Option<Api>, StoreError>;

    /// Creates or replaces the API with `api.identifier`.
    ///
    /// # Errors
    /// MUST store every field unchanged; `get` afterwards returns `api`.
    async fn upsert(&self, api: &Api) -> Result<(), StoreError>;
}
