//! Counters for rate limits.

use async_trait::async_trait;

use super::StoreError;
use crate::rate_limit::{RateDecision, RateLimit};
use crate::time::Timestamp;

/// Fixed-window counters, shared by every server instance that uses the same
/// backend.
///
/// The window containing `now` is `[k·w, (k+1)·w)` for the window length `w`,
/// so every instance agrees on it; `reset_at` is its end. Every method names
/// the window by `rule.window` and `now`: a caller that reserves and later
/// releases passes the same `now` to both, so both touch the same window.
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

    /// Takes one unit of `key`'s budget if one is left: a hit that counts
    /// only when it is allowed. The caller then checks what the unit pays
    /// for and gives it back with [`release`](Self::release) if it turns out
    /// not to be spent (a right code is not a failure).
    ///
    /// # Errors
    /// - MUST be atomic, and the count MUST never exceed `limit`: of N
    ///   concurrent reservations on a key with `k` units left, exactly
    ///   `min(N, k)` are allowed and the count rises by exactly that.
    /// - A refused reservation MUST NOT change the count, so a flood of
    ///   refused requests writes nothing.
    /// - `remaining` is `limit - count` after this call; `reset_at` the
    ///   window's end. Counters expire as for [`hit`](Self::hit).
    async fn reserve(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError>;

    /// Gives back one unit taken by [`reserve`](Self::reserve) (or
    /// [`hit`](Self::hit)) in the window containing `now`.
    ///
    /// # Errors
    /// - MUST be atomic: N concurrent releases lower the count by exactly
    ///   `min(N, count)`.
    /// - MUST NOT take the count below zero, and MUST succeed (changing
    ///   nothing) when the key has no counter in that window.
    async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError>;

    /// Starts `key`'s count over in the window containing `now`: afterwards
    /// [`peek`](Self::peek) says the whole `limit` is left. A consecutive
    /// count (failures since the last success) is reset by a success.
    ///
    /// # Errors
    /// MUST succeed when the key has no counter (idempotent), and MUST leave
    /// other keys, and other window lengths of the same key, alone.
    async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError>;
}
