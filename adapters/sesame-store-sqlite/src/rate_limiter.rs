//! [`RateLimiter`] on the `rate_limits` table: one row per key and aligned
//! window, bumped by a single upsert that returns the new count.
//!
//! A counter "expires" because the next window is a different row; rows of
//! ended windows are deleted by the store's
//! [`Housekeeping`](sesame_domain::ports::Housekeeping).

use async_trait::async_trait;
use sesame_domain::ports::{RateLimiter, StoreError};
use sesame_domain::{FixedWindow, RateDecision, RateKey, RateLimit, Reservation, Timestamp};

use crate::SqliteStore;
use rusqlite::params;

use crate::conn::{execute, query_one, query_opt};
use crate::error::{corrupt, store_error};

const HIT: &str = "INSERT INTO rate_limits (key, window_ms, window_start, reset_at, count) \
     VALUES (?1, ?2, ?3, ?4, 1) \
     ON CONFLICT (key, window_ms, window_start) DO UPDATE SET count = count + 1 \
     RETURNING count";

const PEEK: &str = "SELECT count FROM rate_limits \
     WHERE key = ?1 AND window_ms = ?2 AND window_start = ?3";

/// A hit that counts only while the count is below the limit (`?5`): a
/// refused reservation updates nothing and returns no row.
const RESERVE: &str = "INSERT INTO rate_limits (key, window_ms, window_start, reset_at, count) \
     VALUES (?1, ?2, ?3, ?4, 1) \
     ON CONFLICT (key, window_ms, window_start) DO UPDATE SET count = count + 1 \
     WHERE count < ?5 \
     RETURNING count";

const RELEASE: &str = "UPDATE rate_limits SET count = count - 1 \
     WHERE key = ?1 AND window_ms = ?2 AND window_start = ?3 AND count > 0";

const RESET: &str = "DELETE FROM rate_limits \
     WHERE key = ?1 AND window_ms = ?2 AND window_start = ?3";

const PURGE: &str = "DELETE FROM rate_limits WHERE reset_at <= ?1";

/// The decision for `count` hits, this one included or not; a negative count
/// was refused as corrupt before this.
fn decide(rule: RateLimit, window: &FixedWindow, count: i64, counted: bool) -> RateDecision {
    rule.decide(window, u64::try_from(count).unwrap_or(0), counted)
}

impl SqliteStore {
    /// Runs `sql` (release or reset) on `key`'s counter for the window of
    /// `rule` containing `now`.
    async fn on_window(
        &self,
        sql: &'static str,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let window = rule.window_at(now);
        let args = (key.to_owned(), window.length_ms, window.start.unix_millis());
        self.write(move |conn| execute(conn, sql, args).map(drop))
            .await
    }

    /// Removes rate-limit counters whose window ended at or before
    /// `ended_by`; returns how many went.
    pub(crate) async fn purge_rate_limit_windows(
        &self,
        ended_by: Timestamp,
    ) -> Result<u64, StoreError> {
        self.write(move |conn| execute(conn, PURGE, [ended_by.unix_millis()]))
            .await
    }
}

/// The `count` a statement returned.
fn count(row: &rusqlite::Row<'_>) -> Result<i64, StoreError> {
    row.get(0).map_err(store_error)
}

#[async_trait]
impl RateLimiter for SqliteStore {
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let args = (
            key.to_owned(),
            window.length_ms,
            window.start.unix_millis(),
            window.end.unix_millis(),
        );
        let count = self
            .write(move |conn| query_one(conn, HIT, args, count))
            .await?;
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
        let window = rule.window_at(now);
        let args = (key.to_owned(), window.length_ms, window.start.unix_millis());
        let count = self
            .read(move |conn| query_opt(conn, PEEK, args, count))
            .await?
            .unwrap_or(0);
        if count < 0 {
            return Err(corrupt("rate_limits", "count", "negative"));
        }
        Ok(decide(rule, &window, count, false))
    }

    async fn reserve(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let full = rule.decide(&window, u64::from(rule.limit), false);
        if rule.limit == 0 {
            return Ok(full);
        }
        let key = key.to_owned();
        let (length, start, end) = (
            window.length_ms,
            window.start.unix_millis(),
            window.end.unix_millis(),
        );
        let limit = i64::from(rule.limit);
        let count = self
            .write(move |conn| {
                query_opt(
                    conn,
                    RESERVE,
                    params![key, length, start, end, limit],
                    count,
                )
            })
            .await?;
        match count {
            None => Ok(full),
            Some(n) if n < 1 => Err(corrupt("rate_limits", "count", "not positive after a hit")),
            Some(n) => Ok(decide(rule, &window, n, true)),
        }
    }

    async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        self.on_window(RELEASE, key, rule, now).await
    }

    async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        self.on_window(RESET, key, rule, now).await
    }

    async fn reserve_all(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        self.reserve_batch(take, need, now).await
    }

    async fn settle(
        &self,
        release: &[RateKey<'_>],
        reset: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.settle_batch(release, reset, now).await
    }
}
