//! [`EventStore`] on the `events` table: each event as its JSON
//! ([`LogEvent::to_json`]) in `body`, read back unchanged, beside copies of
//! the fields the filters need (`date_ms`, `type`, `user_id`, `client_id`).
//!
//! `append` is a multi-row `INSERT … ON CONFLICT (log_id) DO NOTHING`, in
//! chunks within one transaction job of the writer: a batch is kept whole
//! or not at all, and a `log_id` kept already is skipped. A search is one
//! `SELECT` whose `WHERE` has a condition per filter field, ordered by
//! `log_id` (the `BINARY` collation compares bytes, as Rust compares
//! strings); its count, when asked, is a `count(*)` over the same `WHERE`
//! in the same read transaction, so both see one snapshot. A user's events
//! are found through `events_by_user (user_id, log_id)`, already in order;
//! a time range through `events_by_date`.

use async_trait::async_trait;
use rusqlite::{Row as SqlRow, params};
use sesame_domain::Timestamp;
use sesame_domain::event::{EventFilter, EventPage, EventQuery, LogEvent};
use sesame_domain::ports::{EventStore, StoreError};

use crate::SqliteStore;
use crate::builder::Sql;
use crate::codec::{count, get};
use crate::conn::{execute, snapshot};
use crate::error::corrupt;

const T: &str = "events";

/// Rows per `INSERT`: 6 parameters each, far below SQLite's limit on the
/// parameters of one statement (32 766).
const INSERT_CHUNK: usize = 500;

/// Rows per `DELETE` of [`EventStore::purge_before`]: each chunk is a short
/// write of its own, so a large purge never holds the write lock for long.
const PURGE_CHUNK: u32 = 5_000;

const PURGE: &str = "DELETE FROM events WHERE log_id IN \
     (SELECT log_id FROM events WHERE date_ms < ?1 LIMIT ?2)";

/// One event ready to insert: its columns, owned, for the writer thread.
struct Row {
    log_id: String,
    date_ms: i64,
    kind: &'static str,
    user_id: Option<String>,
    client_id: Option<String>,
    body: String,
}

/// The event's JSON, for the `body` column.
fn body(event: &LogEvent) -> Result<String, StoreError> {
    event
        .to_json()
        .map_err(|_| StoreError::Unknown(anyhow::anyhow!("a log event cannot be written as JSON")))
}

/// The event in the `body` column of `row`.
fn decode(row: &SqlRow<'_>) -> Result<LogEvent, StoreError> {
    let text: String = get(row, "body")?;
    // serde_json's messages quote the offending input, so only the position
    // is kept.
    LogEvent::from_json(&text).map_err(|e| {
        corrupt(
            T,
            "body",
            &format!("not a log event at line {} column {}", e.line(), e.column()),
        )
    })
}

/// The `INSERT` of `rows`: every one skipped whose `log_id` is kept.
fn insert_statement(rows: &[Row]) -> Sql {
    let mut q =
        Sql::new("INSERT INTO events (log_id, date_ms, type, user_id, client_id, body) VALUES ");
    for (i, row) in rows.iter().enumerate() {
        q.push(if i == 0 { "(" } else { ", (" })
            .bind(row.log_id.clone())
            .push(", ")
            .bind(row.date_ms)
            .push(", ")
            .bind(row.kind.to_owned())
            .push(", ")
            .bind(row.user_id.clone())
            .push(", ")
            .bind(row.client_id.clone())
            .push(", ")
            .bind(row.body.clone())
            .push(")");
    }
    q.push(" ON CONFLICT (log_id) DO NOTHING");
    q
}

/// Appends ` WHERE …` for `filter` to `q`: one condition per field set,
/// every value bound, never written into the text.
fn push_where(q: &mut Sql, filter: &EventFilter) {
    q.push(" WHERE TRUE");
    if !filter.types.is_empty() {
        q.push(" AND type IN (");
        for (i, kind) in filter.types.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind(kind.code().to_owned());
        }
        q.push(")");
    }
    if let Some(user_id) = &filter.user_id {
        q.push(" AND user_id = ").bind(user_id.clone());
    }
    if let Some(client_id) = &filter.client_id {
        q.push(" AND client_id = ").bind(client_id.clone());
    }
    if let Some(since) = filter.since {
        q.push(" AND date_ms >= ").bind(since.unix_millis());
    }
    if let Some(until) = filter.until {
        q.push(" AND date_ms <= ").bind(until.unix_millis());
    }
    if let Some(after) = &filter.after_log_id {
        q.push(" AND log_id > ").bind(after.clone());
    }
}

/// The page of `query`: its events' JSON, ordered and sliced.
fn page_statement(query: &EventQuery) -> Sql {
    let mut q = Sql::default();
    push_page(&mut q, query);
    q
}

/// Appends the statement of [`page_statement`] to `q`.
fn push_page(q: &mut Sql, query: &EventQuery) {
    q.push("SELECT body FROM events");
    push_where(q, &query.filter);
    q.push(if query.newest_first {
        " ORDER BY log_id DESC"
    } else {
        " ORDER BY log_id ASC"
    });
    q.push(" LIMIT ")
        .bind(i64::from(query.limit))
        .push(" OFFSET ")
        // Past every row either way.
        .bind(i64::try_from(query.offset).unwrap_or(i64::MAX));
}

/// The count of every event `filter` matches, in `total`.
fn count_statement(filter: &EventFilter) -> Sql {
    let mut q = Sql::new("SELECT count(*) AS total FROM events");
    push_where(&mut q, filter);
    q
}

#[async_trait]
impl EventStore for SqliteStore {
    async fn append(&self, events: &[LogEvent]) -> Result<(), StoreError> {
        if events.is_empty() {
            return Ok(());
        }
        let rows = events
            .iter()
            .map(|event| {
                Ok(Row {
                    log_id: event.log_id.as_str().to_owned(),
                    date_ms: event.date.unix_millis(),
                    kind: event.kind.code(),
                    user_id: event.user_id.clone(),
                    client_id: event.client_id.clone(),
                    body: body(event)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        self.transaction(move |conn| {
            for chunk in rows.chunks(INSERT_CHUNK) {
                insert_statement(chunk).execute_once(conn)?;
            }
            Ok(())
        })
        .await
    }

    async fn search(&self, query: &EventQuery) -> Result<EventPage, StoreError> {
        let page = page_statement(query);
        let counted = query.with_total.then(|| count_statement(&query.filter));
        self.read(move |conn| {
            // One read transaction: the count and the page see one snapshot.
            snapshot(conn, |conn| {
                let events = page.query_all(conn, decode)?;
                let total = match &counted {
                    Some(statement) => statement
                        .query_all(conn, |row| count(row, T, "total"))?
                        .first()
                        .copied(),
                    None => None,
                };
                Ok(EventPage { events, total })
            })
        })
        .await
    }

    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        let mut purged = 0;
        loop {
            let gone = self
                .write(move |conn| {
                    execute(
                        conn,
                        PURGE,
                        params![cutoff.unix_millis(), i64::from(PURGE_CHUNK)],
                    )
                })
                .await?;
            purged += gone;
            if gone < u64::from(PURGE_CHUNK) {
                return Ok(purged);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use sesame_domain::EventType;

    use super::*;

    /// SQLite's plan of the page statement of `query`, one step a line.
    async fn plan(store: &SqliteStore, query: &EventQuery) -> String {
        let mut q = Sql::new("EXPLAIN QUERY PLAN ");
        push_page(&mut q, query);
        let steps = store
            .read(move |conn| q.query_all(conn, |row| get::<String>(row, "detail")))
            .await
            .unwrap();
        steps.join("\n")
    }

    fn query(filter: EventFilter) -> EventQuery {
        EventQuery {
            filter,
            newest_first: true,
            offset: 0,
            limit: 50,
            with_total: false,
        }
    }

    #[tokio::test]
    async fn a_users_events_come_in_order_from_their_index() {
        let store = SqliteStore::in_memory().await.unwrap();
        let filter = EventFilter {
            user_id: Some("email|0123456789abcdef01234567".to_owned()),
            ..EventFilter::default()
        };
        let plan = plan(&store, &query(filter)).await;
        assert!(
            plan.contains("SEARCH events USING INDEX events_by_user (user_id=?)"),
            "{plan}"
        );
        assert!(!plan.contains("TEMP B-TREE"), "{plan}");
    }

    #[tokio::test]
    async fn a_time_range_is_found_through_its_index() {
        let store = SqliteStore::in_memory().await.unwrap();
        let filter = EventFilter {
            since: Some(Timestamp::from_unix_millis(1)),
            until: Some(Timestamp::from_unix_millis(2)),
            ..EventFilter::default()
        };
        let plan = plan(&store, &query(filter)).await;
        assert!(plan.contains("USING INDEX events_by_date"), "{plan}");
    }

    #[tokio::test]
    async fn events_of_some_types_are_found_through_their_index() {
        let store = SqliteStore::in_memory().await.unwrap();
        let filter = EventFilter {
            types: vec![EventType::Success, EventType::Failed],
            ..EventFilter::default()
        };
        let plan = plan(&store, &query(filter)).await;
        assert!(plan.contains("USING INDEX events_by_type"), "{plan}");
    }
}
