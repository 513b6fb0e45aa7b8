//! [`RateLimiter`] on the `rate_limits` table: fixed windows aligned on
//! multiples of the window length, one row per (key, window length, window
//! start).
//!
//! A hit is one upsert that returns the new count, so concurrent hits each
//! get a distinct count and exactly `limit` of them are allowed. A new window
//! starts a new row; rows of ended windows are never read again and the
//! store's [`Housekeeping`](sesame_domain::ports::Housekeeping) deletes them.

use async_trait::async_trait;
use sesame_domain::ports::{RateLimiter, StoreError};
use sesame_domain::rate_limit::{FixedWindow, RateDecision, RateKey, RateLimit, Reservation};
use sesame_domain::time::Timestamp;

use crate::error::from_sqlx;
use crate::store::PgStore;

/// The decision for a window whose count is `count` after this request, or
/// before it for a peek. A negative count (which no query writes) reads as
/// zero, as it always has.
fn decide(rule: RateLimit, window: &FixedWindow, count: i64, counted: bool) -> RateDecision {
    rule.decide(window, u64::try_from(count).unwrap_or(0), counted)
}

impl PgStore {
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
        self.bounded(async {
            sqlx::query(sql)
                .bind(key)
                .bind(window.length_ms)
                .bind(window.start.unix_millis())
                .execute(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }

    /// Deletes the counters of windows that ended at or before `now`;
    /// returns how many went.
    pub(crate) async fn purge_rate_limits(&self, now: Timestamp) -> Result<u64, StoreError> {
        self.bounded(async {
            let done = sqlx::query!(
                "DELETE FROM rate_limits WHERE reset_at <= $1",
                now.unix_millis()
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(done.rows_affected())
        })
        .await
    }
}

#[async_trait]
impl RateLimiter for PgStore {
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let (len, start) = (window.length_ms, window.start.unix_millis());
        let count = self
            .bounded(async {
                sqlx::query_scalar!(
                    r#"
                    INSERT INTO rate_limits (key, window_ms, window_start, count, reset_at)
                    VALUES ($1, $2, $3, 1, $4)
                    ON CONFLICT (key, window_ms, window_start)
                        DO UPDATE SET count = rate_limits.count + 1
                    RETURNING count
                    "#,
                    key,
                    len,
                    start,
                    window.end.unix_millis(),
                )
                .fetch_one(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        Ok(decide(rule, &window, count, true))
    }

    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let (len, start) = (window.length_ms, window.start.unix_millis());
        let count = self
            .bounded(async {
                sqlx::query_scalar!(
                    r#"
                    SELECT count FROM rate_limits
                    WHERE key = $1 AND window_ms = $2 AND window_start = $3
                    "#,
                    key,
                    len,
                    start,
                )
                .fetch_optional(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?
            .unwrap_or(0);
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
        // Counts only while below the limit: a refused reservation updates
        // nothing and returns no row.
        let count: Option<i64> = self
            .bounded(async {
                sqlx::query_scalar(
                    "INSERT INTO rate_limits (key, window_ms, window_start, count, reset_at) \
                     VALUES ($1, $2, $3, 1, $4) \
                     ON CONFLICT (key, window_ms, window_start) \
                         DO UPDATE SET count = rate_limits.count + 1 \
                         WHERE rate_limits.count < $5 \
                     RETURNING count",
                )
                .bind(key)
                .bind(window.length_ms)
                .bind(window.start.unix_millis())
                .bind(window.end.unix_millis())
                .bind(i64::from(rule.limit))
                .fetch_optional(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        Ok(count.map_or(full, |n| decide(rule, &window, n, true)))
    }

    async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        self.on_window(
            "UPDATE rate_limits SET count = count - 1 \
             WHERE key = $1 AND window_ms = $2 AND window_start = $3 AND count > 0",
            key,
            rule,
            now,
        )
        .await
    }

    async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        self.on_window(
            "DELETE FROM rate_limits WHERE key = $1 AND window_ms = $2 AND window_start = $3",
            key,
            rule,
            now,
        )
        .await
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
