//! [`RateLimiter`] on the `rate_limits` table: one row per key and aligned
//! window, bumped by a single upsert that returns the new count.
//!
//! A counter "expires" because the next window is a different row; old rows
//! are deleted by [`SqliteStore::purge_rate_limit_windows`], which the
//! purger runs.

use async_trait::async_trait;
use sesame_domain::ports::{RateLimiter, StoreError};
use sesame_domain::{RateDecision, RateLimit, Timestamp};

use crate::SqliteStore;
use crate::error::{corrupt, store_error};

const HIT: &str = "INSERT INTO rate_limits (key, window_ms, window_start, reset_at, count) \
     VALUES (?1, ?2, ?3, ?4, 1) \
     ON CONFLICT (key, window_ms, window_start) DO UPDATE SET count = count + 1 \
     RETURNING count";

const PEEK: &str = "SELECT count FROM rate_limits \
     WHERE key = ?1 AND window_ms = ?2 AND window_start = ?3";

const PURGE: &str = "DELETE FROM rate_limits WHERE reset_at <= ?1";

/// The window containing `now`: `[start, start + len)`, `start` a multiple
/// of `len`, every length in whole milliseconds and at least one.
struct Window {
    len: i64,
    start: i64,
    reset_at: i64,
}

impl Window {
    fn containing(rule: RateLimit, now: Timestamp) -> Self {
        let len = i64::try_from(rule.window.as_millis())
            .unwrap_or(i64::MAX)
            .max(1);
        let start = now.unix_millis().div_euclid(len).saturating_mul(len);
        Self {
            len,
            start,
            reset_at: start.saturating_add(len),
        }
    }
}

fn decide(rule: RateLimit, window: &Window, count: i64, counted: bool) -> RateDecision {
    let count = u64::try_from(count).unwrap_or(0);
    let limit = u64::from(rule.limit);
    RateDecision {
        // A hit is allowed if it is within the limit; a peek if one more
        // would be.
        allowed: if counted {
            count <= limit
        } else {
            count < limit
        },
        limit: rule.limit,
        remaining: u32::try_from(limit.saturating_sub(count)).unwrap_or(0),
        reset_at: Timestamp::from_unix_millis(window.reset_at),
    }
}

impl SqliteStore {
    /// Removes rate-limit counters whose window ended at or before `now`;
    /// returns how many went.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database cannot be reached.
    pub async fn purge_rate_limit_windows(&self, now: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query(PURGE)
            .bind(now.unix_millis())
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl RateLimiter for SqliteStore {
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = Window::containing(rule, now);
        let count: i64 = sqlx::query_scalar(HIT)
            .bind(key)
            .bind(window.len)
            .bind(window.start)
            .bind(window.reset_at)
            .fetch_one(&self.write)
            .await
            .map_err(store_error)?;
        if count < 1 {
            return Err(corrupt("rate_limits", "count", "not positive after a hit"));
        }
        Ok(decide(rule, &window, count, true))
    }

    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = Window::containing(rule, now);
        let count: Option<i64> = sqlx::query_scalar(PEEK)
            .bind(key)
            .bind(window.len)
            .bind(window.start)
            .fetch_optional(&self.read)
            .await
            .map_err(store_error)?;
        let count = count.unwrap_or(0);
        if count < 0 {
            return Err(corrupt("rate_limits", "count", "negative"));
        }
        Ok(decide(rule, &window, count, false))
    }
}
