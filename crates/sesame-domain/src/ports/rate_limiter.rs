//! Counters for rate limits.

use async_trait::async_trait;

use super::StoreError;
use crate::rate_limit::{RateDecision, RateLimit};
use crate::time::Timestamp;

/// Fixed-window counters, shared by every server instance that uses the same
/// backend.
///
/// The window containing `now` is `[k·w, (k+1)·w)` for the window length `w`,
/// so every instance agrees on it; `reset_at` is its end.
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one hit on `key` and says whether it is within `rule`.
    ///
    /// # Errors
    /// - MUST be atomic: of N concurrent hits on a fresh key, exactly
    ///   `min(N, limit)` are allowed.
    /// - `remaining` is `limit - count` (never below zero) after this hit.
    /// - Counters MUST expire by themselves after their window: a hit in the
    ///   next window starts from zero. A counter kept after its window
    ///   ended is removed by [`Housekeeping`](super::Housekeeping).
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError>;

    /// Says whether one more hit on `key` would be allowed, without counting.
    ///
    /// # Errors
    /// MUST NOT change the count.
    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError>;
}
