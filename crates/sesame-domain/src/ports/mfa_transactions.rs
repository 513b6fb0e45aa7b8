//! The short-lived records of MFA transactions: `mfa_token`s and
//! out-of-band challenges.

use async_trait::async_trait;

use super::StoreError;
use crate::code::CodeMac;
use crate::mfa::MfaTicket;
use crate::time::Timestamp;

/// Tickets kept under the MAC of the token that names them, until they
/// expire or are taken. The store does not look inside a ticket beyond its
/// expiry (an adapter may keep it as JSON).
#[async_trait]
pub trait MfaTransactionStore: Send + Sync {
    /// Keeps `ticket` under `key` until its `expires_at`, replacing any
    /// ticket under the same key.
    ///
    /// # Errors
    /// MUST return the ticket unchanged from [`get`](Self::get) and
    /// [`take`](Self::take).
    async fn put(&self, key: &CodeMac, ticket: &MfaTicket) -> Result<(), StoreError>;

    /// The ticket under `key` if it has not expired at `now`, left in place.
    ///
    /// # Errors
    /// MUST NOT return a ticket whose `expires_at <= now`, or one taken.
    async fn get(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError>;

    /// Removes the ticket under `key` and returns it if it had not expired
    /// at `now`.
    ///
    /// # Errors
    /// MUST be atomic: of N concurrent takes of one key, exactly one gets
    /// the ticket.
    async fn take(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError>;
}
