//! Where users live.

use async_trait::async_trait;

use super::StoreError;
use crate::recipient::Recipient;
use crate::time::Timestamp;
use crate::user::{User, UserId};

/// Storage for users.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// The user who logs in with `recipient`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn find(&self, recipient: &Recipient) -> Result<Option<User>, StoreError>;

    /// The user with id `id`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError>;

    /// Creates `user`, unless a user with the same recipient exists already.
    /// Returns the stored user: `user`, or the one that was there.
    ///
    /// # Errors
    /// MUST be race free: of concurrent creates for one recipient, all return
    /// the same stored user, and only one user exists afterwards.
    async fn create(&self, user: &User) -> Result<User, StoreError>;

    /// Records a completed login at `at`: marks the recipient verified, sets
    /// `last_login` and adds one to `logins_count`. Returns the updated user,
    /// or `None` when `id` is unknown.
    ///
    /// # Errors
    /// MUST be atomic: N concurrent calls add exactly N.
    async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError>;

    /// Blocks or unblocks user `id`; returns whether the user exists.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError>;
}
