//! [`RateLimiter::reserve_all`] and [`RateLimiter::settle`] on the
//! `rate_limits` table: a step of a flow touches all its counters in one
//! statement, and one commit.
//!
//! The reservation upserts every `take` counter, each only while below its
//! limit (the condition is re-checked on the locked row, so concurrent
//! batches never overshoot), and checks the `need` counters in the same
//! statement. If any counter was not bumped, the transaction rolls back:
//! all or nothing. Rows are bumped in key order, so two batches over the
//! same counters lock them in the same order and cannot deadlock.
//!
//! [`RateLimiter::reserve_all`]: sesame_domain::ports::RateLimiter::reserve_all
//! [`RateLimiter::settle`]: sesame_domain::ports::RateLimiter::settle

use sesame_domain::ports::{StoreError, first_without_room, reserve_one_by_one};
use sesame_domain::rate_limit::{RateDecision, RateKey, Refuser, Reservation};
use sesame_domain::time::Timestamp;
use sqlx::Row as _;

use crate::error::from_sqlx;
use crate::store::PgStore;

/// How often a refused batch is tried again when the read that names the
/// refusing counter finds room everywhere (a release came in between).
const TRIES: usize = 3;

const RESERVE: &str = r"
    INSERT INTO rate_limits (key, window_ms, window_start, count, reset_at)
    SELECT t.k, t.w, t.s, 1, t.r
    FROM unnest($1::text[], $2::int8[], $3::int8[], $4::int8[]) AS t(k, w, s, r)
    WHERE NOT EXISTS (
        SELECT 1
        FROM unnest($6::text[], $7::int8[], $8::int8[], $9::int8[]) AS n(k, w, s, l)
        LEFT JOIN rate_limits c
          ON c.key = n.k AND c.window_ms = n.w AND c.window_start = n.s
        WHERE COALESCE(c.count, 0) >= n.l
    )
    ORDER BY t.k, t.w
    ON CONFLICT (key, window_ms, window_start) DO UPDATE
        SET count = rate_limits.count + 1
        WHERE rate_limits.count < (
            SELECT u.l FROM unnest($1::text[], $2::int8[], $5::int8[]) AS u(k, w, l)
            WHERE u.k = excluded.key AND u.w = excluded.window_ms
        )
    RETURNING key, window_ms, count";

const SETTLE: &str = r"
    UPDATE rate_limits c
    SET count = CASE WHEN t.reset THEN 0 ELSE c.count - 1 END
    FROM unnest($1::text[], $2::int8[], $3::int8[], $4::bool[]) AS t(k, w, s, reset)
    WHERE c.key = t.k AND c.window_ms = t.w AND c.window_start = t.s
      AND (t.reset OR c.count > 0)";

/// The columns of a batch's counters, as arrays to bind.
#[derive(Default)]
struct Columns {
    keys: Vec<String>,
    window_ms: Vec<i64>,
    window_start: Vec<i64>,
    reset_at: Vec<i64>,
    limits: Vec<i64>,
}

impl Columns {
    fn of(counters: &[RateKey<'_>], now: Timestamp) -> Self {
        let mut c = Self::default();
        for k in counters {
            let window = k.rule.window_at(now);
            c.keys.push(k.key.to_owned());
            c.window_ms.push(window.length_ms);
            c.window_start.push(window.start.unix_millis());
            c.reset_at.push(window.end.unix_millis());
            c.limits.push(i64::from(k.rule.limit));
        }
        c
    }
}

impl PgStore {
    /// [`RateLimiter::reserve_all`](sesame_domain::ports::RateLimiter::reserve_all)
    /// in one statement.
    pub(crate) async fn reserve_batch(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        if take.is_empty() {
            // Nothing to write: peeks answer it.
            return reserve_one_by_one(self, take, need, now).await;
        }
        if let Some((i, k)) = take.iter().enumerate().find(|(_, k)| k.rule.limit == 0) {
            let window = k.rule.window_at(now);
            return Ok(Reservation::Refused {
                by: Refuser::Take(i),
                decision: k.rule.decide(&window, 0, false),
            });
        }
        for _ in 0..TRIES {
            if let Some(decisions) = self.try_reserve(take, need, now).await? {
                return Ok(Reservation::Taken(decisions));
            }
            if let Some(refused) = first_without_room(self, take, need, now).await? {
                return Ok(refused);
            }
        }
        let d =
            sesame_domain::ports::RateLimiter::peek(self, take[0].key, take[0].rule, now).await?;
        Ok(Reservation::Refused {
            by: Refuser::Take(0),
            decision: RateDecision {
                allowed: false,
                ..d
            },
        })
    }

    /// The decisions of `take` if the batch was taken, `None` if refused
    /// (and rolled back).
    async fn try_reserve(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<Option<Vec<RateDecision>>, StoreError> {
        let t = Columns::of(take, now);
        let n = Columns::of(need, now);
        let rows = self
            .bounded(async {
                let mut tx = self.pool.begin().await.map_err(from_sqlx)?;
                let rows = sqlx::query(RESERVE)
                    .bind(&t.keys)
                    .bind(&t.window_ms)
                    .bind(&t.window_start)
                    .bind(&t.reset_at)
                    .bind(&t.limits)
                    .bind(&n.keys)
                    .bind(&n.window_ms)
                    .bind(&n.window_start)
                    .bind(&n.limits)
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(from_sqlx)?;
                if rows.len() == take.len() {
                    tx.commit().await.map_err(from_sqlx)?;
                    Ok(Some(rows))
                } else {
                    tx.rollback().await.map_err(from_sqlx)?;
                    Ok(None)
                }
            })
            .await?;
        let Some(rows) = rows else {
            return Ok(None);
        };
        let mut counts = Vec::with_capacity(rows.len());
        for row in &rows {
            let key: String = row.try_get(0).map_err(from_sqlx)?;
            let window_ms: i64 = row.try_get(1).map_err(from_sqlx)?;
            let count: i64 = row.try_get(2).map_err(from_sqlx)?;
            counts.push((key, window_ms, count));
        }
        take.iter()
            .map(|k| {
                let window = k.rule.window_at(now);
                let count = counts
                    .iter()
                    .find(|(key, ms, _)| key == k.key && *ms == window.length_ms)
                    .map(|(_, _, c)| *c)
                    .filter(|c| *c >= 1)
                    .ok_or_else(|| {
                        StoreError::Corrupt("a taken rate-limit counter is missing".to_owned())
                    })?;
                Ok(k.rule
                    .decide(&window, u64::try_from(count).unwrap_or(0), true))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// [`RateLimiter::settle`](sesame_domain::ports::RateLimiter::settle) in
    /// one statement.
    pub(crate) async fn settle_batch(
        &self,
        release: &[RateKey<'_>],
        reset: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if release.is_empty() && reset.is_empty() {
            return Ok(());
        }
        let all: Vec<RateKey<'_>> = release.iter().chain(reset).copied().collect();
        let c = Columns::of(&all, now);
        let resets: Vec<bool> = release
            .iter()
            .map(|_| false)
            .chain(reset.iter().map(|_| true))
            .collect();
        self.bounded(async {
            sqlx::query(SETTLE)
                .bind(&c.keys)
                .bind(&c.window_ms)
                .bind(&c.window_start)
                .bind(&resets)
                .execute(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }
}
