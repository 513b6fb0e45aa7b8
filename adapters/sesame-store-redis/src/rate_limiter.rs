//! [`RateLimiter`] as fixed-window counters that expire by themselves.
//!
//! The window is computed from the caller's `now`, so every instance puts a
//! hit in the same window `[k·w, (k+1)·w)` and the same counter key
//! `{prefix}rl:{w}:{k}:{key}`. A hit increments the counter and gives a new
//! counter an expiry, in one script.

use std::time::Duration;

use async_trait::async_trait;
use sesame_domain::ports::{RateLimiter, StoreError};
use sesame_domain::rate_limit::{RateDecision, RateLimit};
use sesame_domain::time::Timestamp;

use crate::scripts;
use crate::store::RedisStore;

/// How long a counter outlives its window, in milliseconds, by Redis's
/// clock. A window's counter is only ever read during that window, so the
/// grace costs a little memory and keeps a counter alive for instances whose
/// clocks lag the one that created it.
const CLOCK_SKEW_GRACE_MS: i64 = 5_000;

/// The fixed window containing one instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Window {
    /// The window length in ms, at least 1.
    length_ms: i64,
    /// `k` such that the window is `[k·w, (k+1)·w)`.
    index: i64,
    /// Its end, `(k+1)·w`: when the count starts over.
    reset_at: Timestamp,
    /// How long from `now` until `reset_at`, in ms, at least 1.
    left_ms: i64,
}

impl Window {
    fn containing(now: Timestamp, window: Duration) -> Self {
        // A zero-length window would divide by zero; treat it as 1 ms.
        let length_ms = i64::try_from(window.as_millis()).unwrap_or(i64::MAX).max(1);
        let now = now.unix_millis();
        let index = now.div_euclid(length_ms);
        let reset_at = index.saturating_add(1).saturating_mul(length_ms);
        Self {
            length_ms,
            index,
            reset_at: Timestamp::from_unix_millis(reset_at),
            left_ms: reset_at.saturating_sub(now).max(1),
        }
    }
}

/// The decision for `count` hits in the window, counting this one or not.
fn decide(rule: RateLimit, count: u64, counted: bool, window: Window) -> RateDecision {
    let limit = u64::from(rule.limit);
    let allowed = if counted {
        count <= limit
    } else {
        count < limit
    };
    let remaining = limit.saturating_sub(count);
    RateDecision {
        allowed,
        limit: rule.limit,
        remaining: u32::try_from(remaining).unwrap_or(u32::MAX),
        reset_at: window.reset_at,
    }
}

#[async_trait]
impl RateLimiter for RedisStore {
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = Window::containing(now, rule.window);
        let mut call = scripts::HIT.prepare_invoke();
        call.key(self.keys.rate(key, window.length_ms, window.index))
            .arg(window.left_ms.saturating_add(CLOCK_SKEW_GRACE_MS));
        let mut conn = self.conn.clone();
        let count: u64 = self.run(call.invoke_async(&mut conn)).await?;
        Ok(decide(rule, count, true, window))
    }

    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = Window::containing(now, rule.window);
        let counter = self.keys.rate(key, window.length_ms, window.index);
        let mut conn = self.conn.clone();
        let raw: Option<String> = self
            .run(redis::cmd("GET").arg(&counter).query_async(&mut conn))
            .await?;
        let count = match raw {
            None => 0,
            Some(s) => s.parse().map_err(|_| {
                StoreError::Corrupt("a rate-limit counter is not a count".to_owned())
            })?,
        };
        Ok(decide(rule, count, false, window))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms)
    }

    #[test]
    fn windows_are_aligned_to_multiples_of_their_length() {
        let w = Window::containing(at(125_000), Duration::from_secs(60));
        assert_eq!(w.index, 2);
        assert_eq!(w.reset_at, at(180_000));
        assert_eq!(w.left_ms, 55_000);
    }

    #[test]
    fn the_first_instant_of_a_window_belongs_to_it() {
        let w = Window::containing(at(120_000), Duration::from_secs(60));
        assert_eq!(w.index, 2);
        assert_eq!(w.left_ms, 60_000);
    }

    #[test]
    fn instants_before_the_epoch_and_empty_windows_do_not_break() {
        let w = Window::containing(at(-1), Duration::from_secs(1));
        assert_eq!((w.index, w.reset_at, w.left_ms), (-1, at(0), 1));
        let z = Window::containing(at(7), Duration::ZERO);
        assert_eq!((z.length_ms, z.index, z.left_ms), (1, 7, 1));
    }

    #[test]
    fn a_hit_is_allowed_up_to_the_limit_and_remaining_never_goes_negative() {
        let rule = RateLimit::new(2, Duration::from_secs(1));
        let w = Window::containing(at(0), rule.window);
        let d: Vec<_> = (1..=3).map(|n| decide(rule, n, true, w)).collect();
        assert_eq!(
            d.iter()
                .map(|d| (d.allowed, d.remaining))
                .collect::<Vec<_>>(),
            [(true, 1), (true, 0), (false, 0)]
        );
    }

    #[test]
    fn a_peek_says_whether_one_more_hit_would_pass() {
        let rule = RateLimit::new(2, Duration::from_secs(1));
        let w = Window::containing(at(0), rule.window);
        assert!(decide(rule, 1, false, w).allowed);
        assert!(!decide(rule, 2, false, w).allowed);
        assert_eq!(decide(rule, 0, false, w).remaining, 2);
    }
}
