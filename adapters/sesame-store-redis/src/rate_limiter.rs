//! [`RateLimiter`] as fixed-window counters that expire by themselves.
//!
//! The window is computed from the caller's `now`, so every instance puts a
//! hit in the same window `[k·w, (k+1)·w)` and the same counter key
//! `{prefix}rl:{w}:{k}:{key}`. A hit increments the counter and gives a new
//! counter an expiry, in one script; a reservation does the same only while
//! the count is below the limit; a release decrements it (never below zero)
//! and a reset deletes it. Each touches that one key, so all of them run
//! unchanged on Redis Cluster.

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

    async fn reserve(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let mut call = scripts::RESERVE.call();
        call.key(self.keys.rate(key, window.length_ms, window.index))
            .arg(window.millis_left(now).saturating_add(CLOCK_SKEW_GRACE_MS))
            .arg(rule.limit);
        let (taken, count): (i64, u64) = self.eval(call).await?;
        match taken {
            1 => Ok(rule.decide(&window, count, true)),
            0 => Ok(rule.decide(&window, count, false)),
            _ => Err(not_a_count()),
        }
    }

    async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        let window = rule.window_at(now);
        let mut call = scripts::RELEASE.call();
        call.key(self.keys.rate(key, window.length_ms, window.index));
        if self.eval::<i64>(call).await? < 0 {
            return Err(not_a_count());
        }
        Ok(())
    }

    async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        let window = rule.window_at(now);
        let counter = self.keys.rate(key, window.length_ms, window.index);
        self.query::<i64>(redis::cmd("DEL").arg(&counter)).await?;
        Ok(())
    }
}

fn not_a_count() -> StoreError {
    StoreError::Corrupt("a rate-limit counter is not a count".to_owned())
}
