//! Postgres round trips, counted by Postgres itself for the server's
//! database: transactions from `pg_stat_database` (`xact_commit +
//! xact_rollback`) and, when the `pg_stat_statements` extension is loaded,
//! statements (the sum of its `calls`).
//!
//! Postgres 15 and later keep each backend's transaction counts in the
//! backend and publish them at most once a second under load, and 10 s
//! after the backend goes idle. A reading in the middle of the load would
//! miss up to a second of it, so the counts are read only when every
//! backend of the database has been idle for [`SETTLED`]: before the
//! warm-up and after the measured window. They therefore cover the
//! warm-up's flows as well as the window's, and are divided by both.
//!
//! The bench reads the statistics over a connection to another database on
//! the same server (`postgres` by default), so its own queries are never
//! in the count.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use serde::Serialize;
use sqlx::postgres::{PgConnectOptions, PgConnection};
use sqlx::{ConnectOptions as _, Connection as _};

use crate::stats::per_flow;

/// How long every backend must have been idle for its counts to be
/// published: Postgres's 10 s idle interval, and a margin.
pub const SETTLED: Duration = Duration::from_secs(12);

/// How long to wait for that before giving the counts up as unknown.
pub const SETTLE_LIMIT: Duration = Duration::from_secs(45);

/// What the bench counted of the server's Postgres database.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PgCounts {
    /// The database counted.
    pub database: String,
    /// What the counts cover (the warm-up and the measured window).
    pub span: String,
    /// Flows completed in that span.
    pub flows: u64,
    /// Transactions committed or rolled back in the span.
    pub transactions: Option<u64>,
    /// `transactions` per completed flow.
    pub transactions_per_flow: Option<f64>,
    /// Why there is no transaction count, when there is none.
    pub transactions_unavailable: Option<String>,
    /// Statements executed in the span (`pg_stat_statements` calls).
    pub statements: Option<u64>,
    /// `statements` per completed flow.
    pub statements_per_flow: Option<f64>,
    /// Why there is no statement count, when there is none.
    pub statements_unavailable: Option<String>,
}

/// One reading of the counters.
#[derive(Debug, Clone, PartialEq)]
pub struct PgReading {
    /// `xact_commit + xact_rollback`, or why it is unknown.
    pub transactions: Result<u64, String>,
    /// The sum of `pg_stat_statements.calls`, or why it is unknown.
    pub statements: Result<u64, String>,
}

impl PgCounts {
    /// The counts between two readings, over `flows` completed flows.
    #[must_use]
    pub fn between(database: &str, before: &PgReading, after: &PgReading, flows: u64) -> Self {
        let delta = |b: &Result<u64, String>, a: &Result<u64, String>| match (b, a) {
            (Ok(b), Ok(a)) => Ok(a.saturating_sub(*b)),
            (Err(why), _) | (_, Err(why)) => Err(why.clone()),
        };
        let transactions = delta(&before.transactions, &after.transactions);
        let statements = delta(&before.statements, &after.statements);
        Self {
            database: database.to_owned(),
            span: "warm-up and measured window".into(),
            flows,
            transactions: transactions.clone().ok(),
            transactions_per_flow: transactions
                .as_ref()
                .ok()
                .and_then(|&n| per_flow(n as f64, flows)),
            transactions_unavailable: transactions.err(),
            statements: statements.clone().ok(),
            statements_per_flow: statements
                .as_ref()
                .ok()
                .and_then(|&n| per_flow(n as f64, flows)),
            statements_unavailable: statements.err(),
        }
    }
}

/// Whether `shared_preload_libraries` (its text) loads `pg_stat_statements`.
#[must_use]
pub fn preloads_statements(libraries: &str) -> bool {
    libraries
        .split(',')
        .any(|l| l.trim().trim_matches('"') == "pg_stat_statements")
}

/// A connection that reads the server database's counters.
pub struct PgWatch {
    conn: PgConnection,
    database: String,
    /// `Err(why)` when `pg_stat_statements` cannot be read.
    statements: Result<(), String>,
}

impl std::fmt::Debug for PgWatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgWatch")
            .field("database", &self.database)
            .field("statements", &self.statements)
            .finish_non_exhaustive()
    }
}

impl PgWatch {
    /// Connects to the server holding `url`'s database, through its
    /// database `stats_db`, and finds out whether statements can be counted.
    ///
    /// # Errors
    /// The URL is not a Postgres URL, the server does not answer, or it has
    /// no such database.
    pub async fn connect(url: &str, stats_db: &str) -> anyhow::Result<Self> {
        let target: PgConnectOptions = url.parse().context("--pg-url")?;
        let database = target
            .get_database()
            .unwrap_or_else(|| target.get_username())
            .to_owned();
        if database == stats_db {
            bail!(
                "--pg-url names database {database:?}, the one the bench reads statistics from: \
                 its own queries would be counted (pass --pg-stats-db with another database)"
            );
        }
        let mut conn = target
            .clone()
            .database(stats_db)
            .connect()
            .await
            .with_context(|| format!("connecting to database {stats_db:?} of --pg-url's server"))?;
        let exists: bool =
            sqlx::query_scalar("SELECT EXISTS (SELECT FROM pg_database WHERE datname = $1)")
                .bind(&database)
                .fetch_one(&mut conn)
                .await?;
        if !exists {
            bail!("--pg-url: the server has no database {database:?}");
        }
        let statements = statements_available(&mut conn, &database).await;
        Ok(Self {
            conn,
            database,
            statements,
        })
    }

    /// The database counted.
    #[must_use]
    pub fn database(&self) -> &str {
        &self.database
    }

    /// Waits until every backend of the database has been idle for
    /// [`SETTLED`], then reads the counters. Transactions are unknown if
    /// that did not happen within [`SETTLE_LIMIT`].
    ///
    /// # Errors
    /// Postgres does not answer.
    pub async fn settled_reading(&mut self) -> anyhow::Result<PgReading> {
        let deadline = Instant::now() + SETTLE_LIMIT;
        let settled = loop {
            let busy: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity \
                 WHERE datname = $1 AND pid <> pg_backend_pid() \
                 AND (state IS DISTINCT FROM 'idle' \
                      OR state_change > clock_timestamp() - $2 * interval '1 millisecond')",
            )
            .bind(&self.database)
            .bind(i64::try_from(SETTLED.as_millis()).unwrap_or(i64::MAX))
            .fetch_one(&mut self.conn)
            .await?;
            if busy == 0 {
                break true;
            }
            if Instant::now() > deadline {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        let transactions = if settled {
            let n: Option<i64> = sqlx::query_scalar(
                "SELECT (xact_commit + xact_rollback)::bigint FROM pg_stat_database \
                 WHERE datname = $1",
            )
            .bind(&self.database)
            .fetch_optional(&mut self.conn)
            .await?;
            n.map(|n| u64::try_from(n).unwrap_or(0))
                .ok_or_else(|| format!("pg_stat_database has no row for {:?}", self.database))
        } else {
            Err(format!(
                "the backends of {:?} were not idle for {} s within {} s, so \
                 pg_stat_database may not hold their last transactions yet",
                self.database,
                SETTLED.as_secs(),
                SETTLE_LIMIT.as_secs()
            ))
        };
        let statements = match &self.statements {
            Err(why) => Err(why.clone()),
            Ok(()) => statement_calls(&mut self.conn, &self.database).await,
        };
        Ok(PgReading {
            transactions,
            statements,
        })
    }

    /// Closes the connection.
    pub async fn close(self) {
        let _ = self.conn.close().await;
    }
}

/// `Ok` when `pg_stat_statements` can be read; why not otherwise. Creates
/// the extension in the statistics database if the library is loaded.
async fn statements_available(conn: &mut PgConnection, database: &str) -> Result<(), String> {
    let libraries: String =
        sqlx::query_scalar("SELECT current_setting('shared_preload_libraries')")
            .fetch_one(&mut *conn)
            .await
            .map_err(|e| format!("reading shared_preload_libraries: {e}"))?;
    if !preloads_statements(&libraries) {
        return Err(format!(
            "pg_stat_statements is not in the server's shared_preload_libraries ({libraries:?})"
        ));
    }
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(&mut *conn)
        .await
        .map_err(|e| format!("CREATE EXTENSION pg_stat_statements: {e}"))?;
    statement_calls(conn, database).await.map(|_| ())
}

async fn statement_calls(conn: &mut PgConnection, database: &str) -> Result<u64, String> {
    let n: i64 = sqlx::query_scalar(
        "SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements \
         WHERE dbid = (SELECT oid FROM pg_database WHERE datname = $1)",
    )
    .bind(database)
    .fetch_one(conn)
    .await
    .map_err(|e| format!("reading pg_stat_statements: {e}"))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

#[cfg(test)]
#[path = "pg_stats_tests.rs"]
mod tests;
