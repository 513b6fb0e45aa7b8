//! [`RateLimiter`] as fixed-window counters that expire by themselves.
//!
//! The window is computed from the caller's `now`, so every instance puts a
//! hit in the same window `[k·w, (k+1)·w)` and the same counter key
//! `{prefix}rl:{w}:{k}:{key}`. A hit increments the counter and gives a new
//! counter an expiry, in one script.

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

#[async_trait]
impl RateLimiter for RedisStore {
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let mut call = scripts::HIT.call();
        call.key(self.keys.rate(key, window.length_ms, window.index))
            .arg(window.millis_left(now).saturating_add(CLOCK_SKEW_GRACE_MS));
        let count: u64 = self.eval(call).await?;
        Ok(rule.decide(&window, count, true))
    }

    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let counter = self.keys.rate(key, window.length_ms, window.index);
        let raw: Option<String> = self.query(redis::cmd("GET").arg(&counter)).await?;
        let count = match raw {
            None => 0,
            Some(s) => s.parse().map_err(|_| {
                StoreError::Corrupt("a rate-limit counter is not a count".to_owned())
            })?,
        };
        Ok(rule.decide(&window, count, false))
    }
}
