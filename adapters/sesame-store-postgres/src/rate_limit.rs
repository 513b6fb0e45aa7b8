//! [`RateLimiter`] on the `rate_limits` table: fixed windows aligned on
//! multiples of the window length, one row per (key, window length, window
//! start).
//!
//! A hit is one upsert that returns the new count, so concurrent hits each
//! get a distinct count and exactly `limit` of them are allowed. A new window
//! starts a new row; rows of ended windows are never read again and the
//! purger deletes them.

use async_trait::async_trait;
use sesame_domain::ports::{RateLimiter, StoreError};
use sesame_domain::rate_limit::{RateDecision, RateLimit};
use sesame_domain::time::Timestamp;

use crate::error::from_sqlx;
use crate::store::PgStore;

/// The window containing `now`, as (length in ms, start, end).
fn window(rule: RateLimit, now: Timestamp) -> (i64, i64, i64) {
    // A window shorter than the 1 ms resolution of timestamps is 1 ms long.
    let len = i64::try_from(rule.window.as_millis())
        .unwrap_or(i64::MAX)
        .max(1);
    let start = now.unix_millis().div_euclid(len).saturating_mul(len);
    (len, start, start.saturating_add(len))
}

/// The decision for a window whose count is `count` after this request.
fn decision(rule: RateLimit, count: i64, allowed: bool, reset_at: i64) -> RateDecision {
    let remaining = (i64::from(rule.limit) - count).clamp(0, i64::from(rule.limit));
    RateDecision {
        allowed,
        limit: rule.limit,
        // Between 0 and limit, so it fits.
        remaining: u32::try_from(remaining).unwrap_or(0),
        reset_at: Timestamp::from_unix_millis(reset_at),
    }
}

impl PgStore {
    /// Deletes the counters of windows that ended at or before `now`;
    /// returns how many went.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the server cannot be reached.
    pub async fn purge_rate_limits(&self, now: Timestamp) -> Result<u64, StoreError> {
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
        let (len, start, reset_at) = window(rule, now);
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
                    reset_at,
                )
                .fetch_one(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        Ok(decision(
            rule,
            count,
            count <= i64::from(rule.limit),
            reset_at,
        ))
    }

    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let (len, start, reset_at) = window(rule, now);
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
        Ok(decision(
            rule,
            count,
            count < i64::from(rule.limit),
            reset_at,
        ))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    fn rule(limit: u32, ms: u64) -> RateLimit {
        RateLimit::new(limit, Duration::from_millis(ms))
    }

    #[test]
    fn windows_are_aligned_on_multiples_of_their_length() {
        assert_eq!(
            window(rule(1, 1000), Timestamp::from_unix_millis(12_345)),
            (1000, 12_000, 13_000)
        );
        assert_eq!(
            window(rule(1, 1000), Timestamp::from_unix_millis(-1)),
            (1000, -1000, 0)
        );
        assert_eq!(
            window(rule(1, 0), Timestamp::from_unix_millis(7)),
            (1, 7, 8)
        );
    }

    #[test]
    fn remaining_never_goes_below_zero() {
        let d = decision(rule(3, 1000), 5, false, 0);
        assert_eq!(d.remaining, 0);
        assert_eq!(decision(rule(3, 1000), 1, true, 0).remaining, 2);
    }
}
