//! Removing what has outlived its retention: one port every store
//! implements, driven by one loop in the server.

use async_trait::async_trait;

use super::StoreError;
use crate::time::Timestamp;

/// What one [`Housekeeping::purge_once`] removed, per kind of record.
///
/// Counts only: a report is logged, and never names a record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Challenges that expired more than
    /// [`EXPIRED_CHALLENGE_RETENTION`](crate::retention::EXPIRED_CHALLENGE_RETENTION)
    /// ago.
    pub challenges: u64,
    /// Authorization codes, spent or not, that expired more than
    /// [`AUTHORIZATION_CODE_RETENTION`](crate::retention::AUTHORIZATION_CODE_RETENTION)
    /// ago.
    pub authorization_codes: u64,
    /// Refresh-token families, with all their tokens, whose absolute expiry
    /// is more than
    /// [`EXPIRED_REFRESH_FAMILY_RETENTION`](crate::retention::EXPIRED_REFRESH_FAMILY_RETENTION)
    /// ago.
    pub refresh_families: u64,
    /// Rate-limit counters of windows that ended at least
    /// [`RATE_LIMIT_WINDOW_RETENTION`](crate::retention::RATE_LIMIT_WINDOW_RETENTION)
    /// ago.
    pub rate_limit_windows: u64,
    /// DPoP proof ids whose entry expired at least
    /// [`DPOP_JTI_RETENTION`](crate::retention::DPOP_JTI_RETENTION) ago.
    pub dpop_jtis: u64,
    /// `mfa_token`s and out-of-band MFA challenges past their expiry (they
    /// are single-use and short-lived: nothing is kept after).
    pub mfa_tickets: u64,
    /// Log events older than their retention. The retention is the
    /// operator's (`[log_events] retention_days` in the server), so a
    /// store's own purge leaves events alone and reports 0; the server
    /// purges them through the `EventStore` with its retention.
    pub log_events: u64,
}

/// Removes records that have outlived their retention
/// ([`crate::retention`]), so that storage does not grow without bound.
///
/// Each store implements it for the records it holds; records a backend
/// expires by itself (Redis TTLs) need no purging and are not counted.
#[async_trait]
pub trait Housekeeping: Send + Sync {
    /// A short name for logs, e.g. `postgres`.
    fn name(&self) -> &'static str;

    /// Removes, as of `now`, every record past its retention, and says how
    /// many of each kind went.
    ///
    /// # Errors
    /// - MUST NOT remove a record within its retention: a challenge or an
    ///   authorization code whose `expires_at >= now - retention`, a
    ///   refresh-token family whose absolute expiry is `>= now - retention`,
    ///   a rate-limit counter whose window ends after `now - retention`, a
    ///   DPoP proof id whose `expires_at` is after `now - retention`.
    /// - SHOULD remove every record past its retention that the backend does
    ///   not expire by itself.
    /// - [`StoreError::Unavailable`] when the backend cannot be reached;
    ///   what was removed before the failure stays removed.
    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError>;
}
