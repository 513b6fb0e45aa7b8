//! [`EventStore`] on the `events` table: each event as its JSON
//! ([`LogEvent::to_json`]) in `body`, read back unchanged, beside copies of
//! the fields the filters need (`date_ms`, `type`, and `user_id` and
//! `client_id` as their UTF-8 bytes, since TEXT refuses `"\0"`).
//!
//! `append` is one `INSERT … SELECT FROM UNNEST(…) ON CONFLICT (log_id) DO
//! NOTHING`, however long the batch: it keeps the batch whole or not at
//! all, and skips a `log_id` kept already. A search is one `SELECT` whose
//! `WHERE` has a condition per filter field, ordered by `log_id` under the
//! `C` collation (byte order, as Rust compares strings); its count, when
//! asked, is a `count(*)` over the same `WHERE` in the same repeatable-read
//! transaction, so both see one snapshot. A user's events are found through
//! `events_by_user (user_id, log_id)`, already in order; a time range
//! through `events_by_date`.

use async_trait::async_trait;
use sesame_domain::event::{EventFilter, EventPage, EventQuery, LogEvent};
use sesame_domain::ports::{EventStore, StoreError};
use sesame_domain::time::Timestamp;
use sqlx::{Postgres, QueryBuilder};

use crate::codec::unsigned;
use crate::error::{corrupt, from_sqlx};
use crate::store::PgStore;

const APPEND: &str = "INSERT INTO events (log_id, date_ms, type, user_id, client_id, body) \
     SELECT * FROM UNNEST($1::TEXT[], $2::BIGINT[], $3::TEXT[], $4::BYTEA[], $5::BYTEA[], \
     $6::TEXT[]) ON CONFLICT (log_id) DO NOTHING";

/// Rows per `DELETE` of [`EventStore::purge_before`]: each chunk is a
/// statement of its own within the operation timeout, so a large purge
/// neither times out nor holds one long transaction.
const PURGE_CHUNK: u32 = 5_000;

const PURGE: &str = "DELETE FROM events WHERE log_id IN \
     (SELECT log_id FROM events WHERE date_ms < $1 LIMIT $2)";

/// The event's JSON, for the `body` column.
fn body(event: &LogEvent) -> Result<String, StoreError> {
    event
        .to_json()
        .map_err(|_| StoreError::Unknown(anyhow::anyhow!("a log event cannot be written as JSON")))
}

/// The event of a `body`.
fn decode(body: &str) -> Result<LogEvent, StoreError> {
    // serde_json's messages quote the offending input, so only the position
    // is kept.
    LogEvent::from_json(body).map_err(|e| {
        corrupt(format!(
            "events.body is not a log event at line {} column {}",
            e.line(),
            e.column()
        ))
    })
}

/// The checkpoint `after` as a `log_id` the column can be compared with:
/// cut at its first `"\0"`, which TEXT refuses. Since no kept `log_id`
/// holds one, a `log_id` sorts after `after` exactly when it sorts after
/// that prefix.
fn checkpoint(after: &str) -> &str {
    after.split('\0').next().unwrap_or(after)
}

/// Appends ` WHERE …` for `filter` to `q`: one condition per field set,
/// every value bound, never written into the text.
fn push_where<'q>(q: &mut QueryBuilder<'q, Postgres>, filter: &'q EventFilter) {
    q.push(" WHERE TRUE");
    if !filter.types.is_empty() {
        let codes: Vec<&'static str> = filter.types.iter().map(|t| t.code()).collect();
        q.push(" AND type = ANY(").push_bind(codes).push(")");
    }
    if let Some(user_id) = &filter.user_id {
        q.push(" AND user_id = ").push_bind(user_id.as_bytes());
    }
    if let Some(client_id) = &filter.client_id {
        q.push(" AND client_id = ").push_bind(client_id.as_bytes());
    }
    if let Some(since) = filter.since {
        q.push(" AND date_ms >= ").push_bind(since.unix_millis());
    }
    if let Some(until) = filter.until {
        q.push(" AND date_ms <= ").push_bind(until.unix_millis());
    }
    if let Some(after) = &filter.after_log_id {
        q.push(" AND log_id > ").push_bind(checkpoint(after));
    }
}

/// The page of `query`: its events' JSON, ordered and sliced.
fn page_statement(query: &EventQuery) -> QueryBuilder<'_, Postgres> {
    let mut q = QueryBuilder::new("");
    push_page(&mut q, query);
    q
}

/// Appends the statement of [`page_statement`] to `q`.
fn push_page<'q>(q: &mut QueryBuilder<'q, Postgres>, query: &'q EventQuery) {
    q.push("SELECT body FROM events");
    push_where(q, &query.filter);
    q.push(if query.newest_first {
        " ORDER BY log_id DESC"
    } else {
        " ORDER BY log_id ASC"
    });
    q.push(" LIMIT ")
        .push_bind(i64::from(query.limit))
        .push(" OFFSET ")
        // Past every row either way.
        .push_bind(i64::try_from(query.offset).unwrap_or(i64::MAX));
}

/// The count of every event `filter` matches.
fn count_statement(filter: &EventFilter) -> QueryBuilder<'_, Postgres> {
    let mut q = QueryBuilder::new("SELECT count(*) FROM events");
    push_where(&mut q, filter);
    q
}

/// The columns of a batch, one array each, for [`APPEND`].
#[derive(Default)]
struct Columns<'a> {
    log_ids: Vec<&'a str>,
    dates: Vec<i64>,
    types: Vec<&'static str>,
    user_ids: Vec<Option<&'a [u8]>>,
    client_ids: Vec<Option<&'a [u8]>>,
    bodies: Vec<String>,
}

impl<'a> Columns<'a> {
    fn of(events: &'a [LogEvent]) -> Result<Self, StoreError> {
        let mut c = Self::default();
        for event in events {
            c.log_ids.push(&event.log_id);
            c.dates.push(event.date.unix_millis());
            c.types.push(event.kind.code());
            c.user_ids.push(event.user_id.as_deref().map(str::as_bytes));
            c.client_ids
                .push(event.client_id.as_deref().map(str::as_bytes));
            c.bodies.push(body(event)?);
        }
        Ok(c)
    }
}

#[async_trait]
impl EventStore for PgStore {
    async fn append(&self, events: &[LogEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let c = Columns::of(events)?;
        self.bounded(async {
            sqlx::query(APPEND)
                .bind(&c.log_ids)
                .bind(&c.dates)
                .bind(&c.types)
                .bind(&c.user_ids)
                .bind(&c.client_ids)
                .bind(&c.bodies)
                .execute(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }

    async fn search(&self, query: &EventQuery) -> Result<EventPage, StoreError> {
        let (bodies, total) = self
            .bounded(async {
                if !query.with_total {
                    let bodies: Vec<String> = page_statement(query)
                        .build_query_scalar()
                        .fetch_all(&self.pool)
                        .await
                        .map_err(from_sqlx)?;
                    return Ok((bodies, None));
                }
                // One snapshot for the count and the page.
                let mut tx = self
                    .pool
                    .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .await
                    .map_err(from_sqlx)?;
                let bodies: Vec<String> = page_statement(query)
                    .build_query_scalar()
                    .fetch_all(&mut *tx)
                    .await
                    .map_err(from_sqlx)?;
                let total: i64 = count_statement(&query.filter)
                    .build_query_scalar()
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(from_sqlx)?;
                tx.commit().await.map_err(from_sqlx)?;
                Ok((bodies, Some(total)))
            })
            .await?;
        Ok(EventPage {
            events: bodies.iter().map(|b| decode(b)).collect::<Result<_, _>>()?,
            total: total.map(|n| unsigned("count", n)).transpose()?,
        })
    }

    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        let mut purged = 0;
        loop {
            let done = self
                .bounded(async {
                    sqlx::query(PURGE)
                        .bind(cutoff.unix_millis())
                        .bind(i64::from(PURGE_CHUNK))
                        .execute(&self.pool)
                        .await
                        .map_err(from_sqlx)
                })
                .await?;
            purged += done.rows_affected();
            if done.rows_affected() < u64::from(PURGE_CHUNK) {
                return Ok(purged);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_checkpoint_is_cut_at_its_first_nul() {
        assert_eq!(checkpoint("abc"), "abc");
        assert_eq!(checkpoint("abc\0def\0"), "abc");
        assert_eq!(checkpoint("\0"), "");
        assert_eq!(checkpoint(""), "");
    }
}
