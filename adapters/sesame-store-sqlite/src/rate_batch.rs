//! [`RateLimiter::reserve_all`] and [`RateLimiter::settle`] on the
//! `rate_limits` table, each one statement: a step of a flow touches all its
//! counters with one job of the writer thread.
//!
//! The reservation is an upsert of every `take` counter guarded by one
//! materialized check that no counter of the batch is full, so it is all or
//! nothing: the check is computed once, before any row is written, and the
//! single writer connection runs nothing else meanwhile. Only a refused
//! batch reads again, to name the counter that refused.
//!
//! [`RateLimiter::reserve_all`]: sesame_domain::ports::RateLimiter::reserve_all
//! [`RateLimiter::settle`]: sesame_domain::ports::RateLimiter::settle

use std::fmt::Write as _;

use rusqlite::params_from_iter;
use rusqlite::types::Value;
use sesame_domain::ports::{RateLimiter, StoreError, first_without_room, reserve_one_by_one};
use sesame_domain::{RateDecision, RateKey, Refuser, Reservation, Timestamp};

use rusqlite::Connection;

use crate::SqliteStore;
use crate::conn::{execute, query_all};
use crate::error::{corrupt, store_error};

/// How often a refused batch is tried again when the read that names the
/// refusing counter finds room everywhere (a release came in between).
const TRIES: usize = 3;

/// `WITH input(…) AS (VALUES (?, …), …)` for `rows` rows of `columns`
/// columns.
fn input_cte(columns: &str, rows: usize) -> String {
    let width = columns.split(',').count();
    let row = format!("({})", vec!["?"; width].join(", "));
    let mut sql = format!("WITH input({columns}) AS (VALUES ");
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        sql.push_str(&row);
    }
    sql.push(')');
    sql
}

fn reserve_sql(rows: usize) -> String {
    let mut sql = input_cte("key, window_ms, window_start, reset_at, lim, take", rows);
    // `MATERIALIZED`: the check is evaluated once, before the first row is
    // written, never against a row this statement has just bumped.
    let _ = write!(
        sql,
        ", over_limit(n) AS MATERIALIZED (SELECT count(*) FROM input i \
         WHERE i.lim <= COALESCE((SELECT r.count FROM rate_limits r \
         WHERE r.key = i.key AND r.window_ms = i.window_ms \
         AND r.window_start = i.window_start), 0)) \
         INSERT INTO rate_limits (key, window_ms, window_start, reset_at, count) \
         SELECT key, window_ms, window_start, reset_at, 1 FROM input \
         WHERE take = 1 AND (SELECT n FROM over_limit) = 0 \
         ON CONFLICT (key, window_ms, window_start) DO UPDATE SET count = count + 1 \
         RETURNING key, window_ms, count"
    );
    sql
}

fn settle_sql(rows: usize) -> String {
    let mut sql = input_cte("key, window_ms, window_start, reset", rows);
    sql.push_str(
        " UPDATE rate_limits \
         SET count = CASE WHEN input.reset = 1 THEN 0 ELSE rate_limits.count - 1 END \
         FROM input \
         WHERE rate_limits.key = input.key AND rate_limits.window_ms = input.window_ms \
         AND rate_limits.window_start = input.window_start \
         AND (input.reset = 1 OR rate_limits.count > 0)",
    );
    sql
}

impl SqliteStore {
    /// [`RateLimiter::reserve_all`] in one statement (and, when refused, one
    /// more read per counter to say which).
    pub(crate) async fn reserve_batch(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        let (reservation, _) = self.reserve_then(take, need, now, None::<NoMore>).await?;
        Ok(reservation)
    }

    /// Reserves as [`reserve_batch`](Self::reserve_batch) does and, when
    /// taken, runs `then` in the same job of the writer, all or nothing: a
    /// step that counts its limits and touches a challenge in one trip to
    /// the writer thread. `then`'s answer comes back only when taken.
    pub(crate) async fn reserve_then<T, F>(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        now: Timestamp,
        then: Option<F>,
    ) -> Result<(Reservation, Option<T>), StoreError>
    where
        T: Send + 'static,
        F: Fn(&Connection) -> Result<T, StoreError> + Clone + Send + 'static,
    {
        if take.is_empty() {
            // Nothing to write: peeks answer it.
            let reservation = reserve_one_by_one(self, take, need, now).await?;
            let value = match (&reservation, then) {
                (Reservation::Taken(_), Some(then)) => Some(self.transaction(then).await?),
                _ => None,
            };
            return Ok((reservation, value));
        }
        for _ in 0..TRIES {
            let statement = ReserveStatement::new(take, need, now);
            let then = then.clone();
            let (counts, value) = self
                .transaction(move |conn| {
                    let counts = statement.run(conn)?;
                    let value = match then {
                        Some(then) if !counts.is_empty() => Some(then(conn)?),
                        _ => None,
                    };
                    Ok((counts, value))
                })
                .await?;
            if let Some(decisions) = taken_decisions(take, &counts, now)? {
                return Ok((Reservation::Taken(decisions), value));
            }
            if let Some(refused) = first_without_room(self, take, need, now).await? {
                return Ok((refused, None));
            }
        }
        // Refused each time, yet found with room each time after: answer
        // as refused by the first counter.
        let d = self.peek(take[0].key, take[0].rule, now).await?;
        let refused = Reservation::Refused {
            by: Refuser::Take(0),
            decision: RateDecision {
                allowed: false,
                ..d
            },
        };
        Ok((refused, None))
    }

    /// [`RateLimiter::settle`] in one statement.
    pub(crate) async fn settle_batch(
        &self,
        release: &[RateKey<'_>],
        reset: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        let Some(statement) = SettleStatement::new(release, reset, now) else {
            return Ok(());
        };
        self.write(move |conn| statement.run(conn)).await
    }
}

/// A batch's reservation, ready to run on the writer's connection (alone,
/// or inside a larger job).
pub(crate) struct ReserveStatement {
    sql: String,
    args: Vec<Value>,
}

impl ReserveStatement {
    /// The statement that takes `take` if it and `need` have room.
    pub(crate) fn new(take: &[RateKey<'_>], need: &[RateKey<'_>], now: Timestamp) -> Self {
        let sql = reserve_sql(take.len() + need.len());
        let mut args: Vec<Value> = Vec::with_capacity((take.len() + need.len()) * 6);
        let steps = take
            .iter()
            .map(|k| (k, 1_i64))
            .chain(need.iter().map(|k| (k, 0)));
        for (k, is_take) in steps {
            let window = k.rule.window_at(now);
            args.extend([
                Value::from(k.key.to_owned()),
                Value::from(window.length_ms),
                Value::from(window.start.unix_millis()),
                Value::from(window.end.unix_millis()),
                Value::from(i64::from(k.rule.limit)),
                Value::from(is_take),
            ]);
        }
        Self { sql, args }
    }

    /// The counts of the counters taken: none when the batch was refused.
    pub(crate) fn run(self, conn: &Connection) -> Result<TakenCounts, StoreError> {
        query_all(conn, &self.sql, params_from_iter(self.args), |row| {
            Ok((
                row.get(0).map_err(store_error)?,
                row.get(1).map_err(store_error)?,
                row.get(2).map_err(store_error)?,
            ))
        })
    }
}

/// What a reservation returns: (key, window length, count) per counter
/// taken; empty when refused.
pub(crate) type TakenCounts = Vec<(String, i64, i64)>;

/// The decisions of `take` from what its reservation returned; `None` when
/// it was refused.
pub(crate) fn taken_decisions(
    take: &[RateKey<'_>],
    counts: &TakenCounts,
    now: Timestamp,
) -> Result<Option<Vec<RateDecision>>, StoreError> {
    if counts.is_empty() {
        return Ok(None);
    }
    take.iter()
        .map(|k| {
            let window = k.rule.window_at(now);
            let count = counts
                .iter()
                .find(|(key, ms, _)| key == k.key && *ms == window.length_ms)
                .map(|(_, _, c)| *c)
                .filter(|c| *c >= 1)
                .ok_or_else(|| corrupt("rate_limits", "count", "a taken counter is missing"))?;
            Ok(k.rule
                .decide(&window, u64::try_from(count).unwrap_or(0), true))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// A settlement, ready to run on the writer's connection.
pub(crate) struct SettleStatement {
    sql: String,
    args: Vec<Value>,
}

impl SettleStatement {
    /// The statement that gives `release` a unit back and starts `reset`
    /// over; `None` when both are empty.
    pub(crate) fn new(
        release: &[RateKey<'_>],
        reset: &[RateKey<'_>],
        now: Timestamp,
    ) -> Option<Self> {
        if release.is_empty() && reset.is_empty() {
            return None;
        }
        let sql = settle_sql(release.len() + reset.len());
        let mut args: Vec<Value> = Vec::with_capacity((release.len() + reset.len()) * 4);
        let steps = release
            .iter()
            .map(|k| (k, 0_i64))
            .chain(reset.iter().map(|k| (k, 1)));
        for (k, is_reset) in steps {
            let window = k.rule.window_at(now);
            args.extend([
                Value::from(k.key.to_owned()),
                Value::from(window.length_ms),
                Value::from(window.start.unix_millis()),
                Value::from(is_reset),
            ]);
        }
        Some(Self { sql, args })
    }

    /// Runs it.
    pub(crate) fn run(self, conn: &Connection) -> Result<(), StoreError> {
        execute(conn, &self.sql, params_from_iter(self.args)).map(drop)
    }
}

/// A reservation with nothing more to do when taken.
type NoMore = fn(&Connection) -> Result<(), StoreError>;
