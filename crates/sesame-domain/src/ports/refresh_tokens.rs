//! Where refresh-token families are kept.

use std::time::Duration;

use async_trait::async_trait;

use super::StoreError;
use crate::code::CodeMac;
use crate::refresh::{RefreshTokenRecord, Rotation};
use crate::time::Timestamp;
use crate::user::UserId;

/// Storage for rotating refresh tokens.
#[async_trait]
pub trait RefreshTokenStore: Send + Sync {
    /// Stores the first token of a new family.
    ///
    /// # Errors
    /// - MUST store every field unchanged.
    /// - MUST keep the family, spent and revoked tokens included, until at
    ///   least
    ///   [`EXPIRED_REFRESH_FAMILY_RETENTION`](crate::retention::EXPIRED_REFRESH_FAMILY_RETENTION)
    ///   after its `family_expires_at` (see
    ///   [`Housekeeping`](super::Housekeeping)).
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), StoreError>;

    /// The record of token `mac`, whether spent or not; `None` when unknown or
    /// when its family was revoked.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn find(&self, mac: &CodeMac) -> Result<Option<RefreshTokenRecord>, StoreError>;

    /// Spends token `presented` and stores `replacement` in its family.
    ///
    /// The replacement copies the family, client, user, scope, audience,
    /// `family_expires_at` and `jkt` of the spent token; its `created_at` is `now` and
    /// its `expires_at` is `min(now + idle, family_expires_at)`.
    ///
    /// # Errors
    /// - MUST be atomic: of N concurrent rotations of one token, exactly one
    ///   returns [`Rotation::Rotated`]; every other returns
    ///   [`Rotation::Reused`] and the family ends up revoked.
    /// - A token already spent: revoke its family, return `Reused` — also
    ///   when the family was revoked already, so every loser of a race sees
    ///   `Reused` (spent tokens must therefore be kept, not deleted, until
    ///   their family expires).
    /// - Unknown, revoked, or expired at `now`: return [`Rotation::Invalid`].
    async fn rotate(
        &self,
        presented: &CodeMac,
        replacement: &CodeMac,
        now: Timestamp,
        idle: Duration,
    ) -> Result<Rotation, StoreError>;

    /// Revokes every token of `family_id`. Idempotent.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn revoke_family(&self, family_id: &str) -> Result<(), StoreError>;

    /// Revokes every family of `user`: an operator ends the user's
    /// sessions. Idempotent.
    ///
    /// # Errors
    /// - Afterwards every token of those families rotates as
    ///   [`Rotation::Invalid`]; MUST NOT touch another user's families.
    /// - [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn revoke_user(&self, user: &UserId) -> Result<(), StoreError>;
}
