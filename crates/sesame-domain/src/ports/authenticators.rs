//! Users' second factors.

use async_trait::async_trait;

use super::StoreError;
use crate::mfa::{Authenticator, AuthenticatorId, AuthenticatorSecret};
use crate::time::Timestamp;
use crate::user::UserId;

/// The authenticators users enrolled, active or waiting for their first
/// pass. Every method names the user: an id alone never reaches another
/// user's authenticator.
#[async_trait]
pub trait AuthenticatorStore: Send + Sync {
    /// Every authenticator of `user`, active or not, oldest first.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn list(&self, user: &UserId) -> Result<Vec<Authenticator>, StoreError>;

    /// Stores a new authenticator.
    ///
    /// # Errors
    /// MUST keep every field as given and return it unchanged from
    /// [`list`](Self::list).
    async fn insert(&self, authenticator: &Authenticator) -> Result<(), StoreError>;

    /// Removes `user`'s inactive authenticators (an enrollment started
    /// over) and says how many went.
    ///
    /// # Errors
    /// MUST NOT remove an active authenticator, or another user's.
    async fn delete_inactive(&self, user: &UserId) -> Result<u64, StoreError>;

    /// Removes `user`'s authenticator `id`; `false` when there was none.
    ///
    /// # Errors
    /// MUST NOT remove another user's authenticator of that id.
    async fn delete(&self, user: &UserId, id: &AuthenticatorId) -> Result<bool, StoreError>;

    /// Makes `user`'s authenticator `id` active without recording a use
    /// (a recovery code confirmed with the factor it came with); `false`
    /// when there is no such authenticator.
    ///
    /// # Errors
    /// MUST NOT change another user's authenticator.
    async fn activate(&self, user: &UserId, id: &AuthenticatorId) -> Result<bool, StoreError>;

    /// Records that `user`'s authenticator `id` passed at `at`: it becomes
    /// active and `last_used` is `at`. With `step` (a TOTP time step) it
    /// does so only if `last_step` is unset or below `step`, and sets it,
    /// so a code is never accepted twice. `false` (nothing changed) when
    /// there is no such authenticator or the step was already used.
    ///
    /// # Errors
    /// MUST be atomic: of N concurrent calls with the same `step`, exactly
    /// one returns `true`.
    async fn record_use(
        &self,
        user: &UserId,
        id: &AuthenticatorId,
        step: Option<i64>,
        at: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Replaces the secret of `user`'s authenticator `id` with `next`, only
    /// if it is still `current` (a recovery code spent and replaced), and
    /// records the use as [`record_use`](Self::record_use) does. `false`
    /// (nothing changed) otherwise.
    ///
    /// # Errors
    /// MUST be atomic: of N concurrent calls with the same `current`,
    /// exactly one returns `true`.
    async fn replace_secret(
        &self,
        user: &UserId,
        id: &AuthenticatorId,
        current: &AuthenticatorSecret,
        next: &AuthenticatorSecret,
        at: Timestamp,
    ) -> Result<bool, StoreError>;
}
