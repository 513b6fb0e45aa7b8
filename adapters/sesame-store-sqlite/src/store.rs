//! The store itself: opening the database, migrating it, and the two pools
//! every port shares.

use std::time::Duration;

use sesame_domain::ports::StoreError;
use sqlx::SqlitePool;
use sqlx::migrate::Migrator;
use sqlx::sqlite::SqlitePoolOptions;

use crate::config::SqliteConfig;
use crate::error::{migrate_error, store_error};

/// The schema, embedded at compile time from `migrations/`.
static MIGRATOR: Migrator = sqlx::migrate!();

/// Every storage port of Sesame over one SQLite database.
///
/// Cheap to clone: clones share the pools. Reads go through a pool of
/// [`SqliteConfig::max_connections`] connections, which WAL mode lets run
/// beside a writer; writes go through a pool of one connection, so writers of
/// this process queue on the pool instead of spinning on SQLite's lock.
/// Other processes on the same file are kept in step by SQLite's locking and
/// the busy timeout.
#[derive(Clone, Debug)]
pub struct SqliteStore {
    pub(crate) read: SqlitePool,
    pub(crate) write: SqlitePool,
    /// Upper bound for one operation, used by the health check.
    pub(crate) op_timeout: Duration,
}

impl SqliteStore {
    /// Opens (creating if missing) the database of `config` and brings its
    /// schema up to date. Running it again on a migrated database changes
    /// nothing.
    ///
    /// # Errors
    /// - [`StoreError::Unavailable`] when the file cannot be opened or
    ///   created (e.g. its directory does not exist) or stays locked.
    /// - [`StoreError::Corrupt`] when the file is not a SQLite database.
    /// - [`StoreError::Unknown`] for an invalid URL, or a database migrated
    ///   by a newer version of Sesame.
    pub async fn connect(config: &SqliteConfig) -> Result<Self, StoreError> {
        let options = config.connect_options()?;
        let op_timeout = config
            .acquire_timeout()
            .saturating_add(config.busy_timeout())
            .saturating_add(Duration::from_secs(1));
        let (read, write) = if config.is_in_memory() {
            // Each connection to a plain in-memory database would see its own
            // empty database, and the database dies with its last
            // connection: keep exactly one, forever.
            let pool = SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
                .acquire_timeout(config.acquire_timeout())
                .connect_with(options)
                .await
                .map_err(store_error)?;
            (pool.clone(), pool)
        } else {
            crate::files::make_private(options.get_filename())?;
            // The writer connects first: it switches the file to WAL before
            // any reader opens it. Processes opening a fresh file at once
            // race for that switch, and SQLite can refuse the loser at once
            // with SQLITE_BUSY (no busy wait): retried a bounded number of
            // times, as the migrations are below.
            let mut retries = 64_u32;
            let write = loop {
                let opened = SqlitePoolOptions::new()
                    .max_connections(1)
                    .acquire_timeout(config.acquire_timeout())
                    .connect_with(options.clone())
                    .await;
                match opened {
                    Err(e) if crate::error::is_busy(&e) && retries > 0 => {
                        retries -= 1;
                        tokio::task::yield_now().await;
                    }
                    other => break other.map_err(store_error)?,
                }
            };
            let read = SqlitePoolOptions::new()
                .max_connections(config.max_connections.max(1))
                .acquire_timeout(config.acquire_timeout())
                .connect_lazy_with(options);
            (read, write)
        };
        let store = Self {
            read,
            write,
            op_timeout,
        };
        store.migrate().await?;
        Ok(store)
    }

    /// A fresh private in-memory database, for tests and demos.
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub async fn in_memory() -> Result<Self, StoreError> {
        Self::connect(&SqliteConfig::in_memory()).await
    }

    /// Applies the migrations that are not applied yet, then the data
    /// migration they may have left pending (the email-address fold).
    async fn migrate(&self) -> Result<(), StoreError> {
        // Processes starting on one file at once may each see a migration
        // missing; the loser's statements then fail on what the winner just
        // made (sqlx takes no lock on SQLite). Every such failure means
        // another process applied a migration, so after at most one failure
        // per migration a fresh look finds nothing left to do.
        // A race can also end in SQLITE_BUSY without the busy timeout
        // (SQLite refuses at once a read transaction's upgrade to a write
        // that would deadlock), here or in the fold: that is retried too, a
        // bounded number of times, as under load several of them can lose
        // in a row.
        let mut retries = MIGRATOR.iter().count().saturating_mul(8);
        loop {
            let done: Result<(), StoreError> = match MIGRATOR.run(&self.write).await {
                Ok(()) => match self.fold_email_addresses().await {
                    Err(StoreError::Unavailable(e)) => Err(StoreError::Unavailable(e)),
                    other => return other,
                },
                Err(e) => Err(migrate_error(e)),
            };
            match done {
                Err(e) if retries == 0 => return Err(e),
                _ => {
                    retries -= 1;
                    tokio::task::yield_now().await;
                }
            }
        }
    }

    /// Closes every connection. Afterwards each operation fails with
    /// [`StoreError::Unavailable`].
    pub async fn close(&self) {
        self.write.close().await;
        self.read.close().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn every_connection_gets_the_configured_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let config = SqliteConfig {
            busy_timeout_ms: 1_234,
            ..SqliteConfig::file(dir.path().join("s.db"))
        };
        let store = SqliteStore::connect(&config).await.unwrap();
        for pool in [&store.read, &store.write] {
            let mut conn = pool.acquire().await.unwrap();
            let row: (String, i64, i64, i64) = sqlx::query_as(
                "SELECT (SELECT journal_mode FROM pragma_journal_mode), \
                 (SELECT synchronous FROM pragma_synchronous), \
                 (SELECT foreign_keys FROM pragma_foreign_keys), \
                 (SELECT timeout FROM pragma_busy_timeout)",
            )
            .fetch_one(&mut *conn)
            .await
            .unwrap();
            // synchronous 1 is NORMAL.
            assert_eq!(row, ("wal".to_owned(), 1, 1, 1_234));
        }
    }

    #[tokio::test]
    async fn an_in_memory_store_shares_one_database() {
        let store = SqliteStore::in_memory().await.unwrap();
        let tables: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'challenges'",
        )
        .fetch_one(&store.read)
        .await
        .unwrap();
        assert_eq!(tables, 1);
    }
}
