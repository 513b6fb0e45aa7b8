//! Where authorization codes from magic links wait for their one exchange.

use async_trait::async_trait;

use super::StoreError;
use crate::authorization::{AuthorizationCode, Redemption};
use crate::code::CodeMac;
use crate::time::Timestamp;

/// Storage for authorization codes.
///
/// Every method returns [`StoreError::Unavailable`] when the backend cannot be
/// reached within the adapter's timeout; none may block without bound.
#[async_trait]
pub trait AuthorizationCodeStore: Send + Sync {
    /// Stores a freshly issued code.
    ///
    /// # Errors
    /// - MUST store every field unchanged; [`redeem`](Self::redeem) returns it.
    /// - MUST keep the record until at least
    ///   [`AUTHORIZATION_CODE_RETENTION`](crate::retention::AUTHORIZATION_CODE_RETENTION)
    ///   after its `expires_at`, so that a replay is still recognised (see
    ///   [`Housekeeping`](super::Housekeeping)).
    async fn insert(&self, code: &AuthorizationCode) -> Result<(), StoreError>;

    /// Spends code `mac`, if it is still exchangeable at `now`.
    ///
    /// # Errors
    /// - MUST be atomic: of N concurrent calls on an unspent, unexpired code,
    ///   exactly one returns [`Redemption::Redeemed`] and every other one
    ///   [`Redemption::Reused`].
    /// - A code already spent: MUST return `Reused` with the family recorded
    ///   by [`record_family`](Self::record_family), if any, and MUST mark the
    ///   code so that a later `record_family` returns `false`.
    /// - Unknown, or `now >= expires_at` and never spent: MUST return
    ///   [`Redemption::Invalid`].
    async fn redeem(&self, mac: &CodeMac, now: Timestamp) -> Result<Redemption, StoreError>;

    /// Records the refresh-token family that the exchange of `mac` produced.
    ///
    /// Returns `false` when the code was replayed in the meantime (or is
    /// unknown): the caller MUST then revoke the family itself, since the
    /// replay could not.
    ///
    /// # Errors
    /// MUST be atomic with [`redeem`](Self::redeem): a replay either sees the
    /// family or makes this call return `false`, never neither.
    async fn record_family(&self, mac: &CodeMac, family_id: &str) -> Result<bool, StoreError>;
}
