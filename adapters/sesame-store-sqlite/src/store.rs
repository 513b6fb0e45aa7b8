//! The store itself: opening the database, migrating it, and the writer
//! thread and reader pool every port shares.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use sesame_domain::ports::StoreError;

use crate::config::{Location, SqliteConfig};
use crate::conn::Opener;
use crate::error::{is_busy, store_error};
use crate::readers::Readers;
use crate::writer::Writer;

/// Every storage port of Sesame over one SQLite database.
///
/// Cheap to clone: clones share the connections. Writes go to one
/// connection on a thread of its own, which commits the writes queued
/// meanwhile together (group commit); reads go through a pool of
/// [`SqliteConfig::max_connections`] connections, which WAL mode lets run
/// beside the writer, each read one trip to a blocking thread. An in-memory
/// database is one connection, the writer's, for both. Other processes on
/// the same file are kept in step by SQLite's locking and the busy timeout.
#[derive(Clone)]
pub struct SqliteStore {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Writer,
    /// `None` in memory: reads go to the writer's connection.
    readers: Option<Readers>,
    /// Upper bound for one operation, used by the health check.
    op_timeout: Duration,
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("in_memory", &self.inner.readers.is_none())
            .field("op_timeout", &self.inner.op_timeout)
            .finish_non_exhaustive()
    }
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
        let opener = Opener::new(config)?;
        let op_timeout = config
            .acquire_timeout()
            .saturating_add(config.busy_timeout())
            .saturating_add(Duration::from_secs(1));
        let in_memory = match opener.location() {
            Location::File { path, .. } => {
                crate::files::make_private(path)?;
                false
            }
            Location::Memory(_) => true,
        };
        let writer_opener = opener.clone();
        let conn = tokio::task::spawn_blocking(move || open_and_migrate(&writer_opener))
            .await
            .map_err(|e| {
                StoreError::Unavailable(anyhow::Error::new(e).context("opening the database"))
            })??;
        let writer = Writer::start(conn, config.acquire_timeout())?;
        // Each connection to a plain in-memory database would see its own
        // empty database: the writer's connection is the only one.
        let readers = (!in_memory)
            .then(|| Readers::new(opener, config.max_connections, config.acquire_timeout()));
        Ok(Self {
            inner: Arc::new(Inner {
                writer,
                readers,
                op_timeout,
            }),
        })
    }

    /// A fresh private in-memory database, for tests and demos.
    ///
    /// # Errors
    /// As [`connect`](Self::connect).
    pub async fn in_memory() -> Result<Self, StoreError> {
        Self::connect(&SqliteConfig::in_memory()).await
    }

    /// Runs `read`'s statements on one connection: a reader's, or in memory
    /// the writer's.
    pub(crate) async fn read<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        match &self.inner.readers {
            Some(readers) => readers.run(read).await,
            None => self.inner.writer.run(read).await,
        }
    }

    /// Runs `write`'s statements on the writer's connection, in the next
    /// batch, each statement atomic by itself as in autocommit mode: an
    /// error (e.g. a row that does not decode after the `UPDATE … RETURNING`
    /// that changed it) undoes no statement that succeeded, as each was its
    /// own transaction in earlier releases.
    pub(crate) async fn write<T, F>(&self, write: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.inner.writer.run(move |conn| Ok(write(conn))).await?
    }

    /// Runs `work`'s statements on the writer's connection, in the next
    /// batch, all or nothing: an error rolls back every statement of this
    /// job (and of no other job). The batch holds the write lock from its
    /// start, so a read here and the writes after it are one step to every
    /// other writer, as a `BEGIN IMMEDIATE` transaction was.
    pub(crate) async fn transaction<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.inner.writer.run(work).await
    }

    /// Upper bound for one operation.
    pub(crate) fn op_timeout(&self) -> Duration {
        self.inner.op_timeout
    }

    /// Closes every connection. Afterwards each operation fails with
    /// [`StoreError::Unavailable`].
    pub async fn close(&self) {
        if let Some(readers) = &self.inner.readers {
            readers.close();
        }
        self.inner.writer.close().await;
    }
}

/// The writer's connection, opened and the schema migrated.
fn open_and_migrate(opener: &Opener) -> Result<Connection, StoreError> {
    // The writer connects first: it switches the file to WAL before any
    // reader opens it. Processes opening a fresh file at once race for that
    // switch, and SQLite can refuse the loser at once with SQLITE_BUSY (no
    // busy wait): retried a bounded number of times, as the migrations are
    // below.
    let mut retries = 64_u32;
    let conn = loop {
        match opener.open() {
            Err(e) if is_busy(&e) && retries > 0 => {
                retries -= 1;
                pause();
            }
            other => break other.map_err(store_error)?,
        }
    };
    migrate(&conn)?;
    Ok(conn)
}

/// Applies the migrations that are not applied yet, then the data migration
/// they may have left pending (the email-address fold).
fn migrate(conn: &Connection) -> Result<(), StoreError> {
    // Processes starting on one file at once may each see a migration
    // missing; each migration's transaction looks again under the write
    // lock, but a failure that means another process got there first (a
    // table it just made) is retried as earlier releases retried sqlx's
    // migrator, which took no lock: after at most one failure per migration
    // a fresh look finds nothing left to do. A race can also end in
    // SQLITE_BUSY without the busy timeout (SQLite refuses at once a read
    // transaction's upgrade to a write that would deadlock), here or in the
    // fold: that is retried too, a bounded number of times, as under load
    // several of them can lose in a row.
    let mut retries = crate::migrate::MIGRATIONS.len().saturating_mul(8);
    loop {
        let done: Result<(), StoreError> = match crate::migrate::run(conn) {
            Ok(()) => match crate::fold::fold_email_addresses(conn) {
                Err(StoreError::Unavailable(e)) => Err(StoreError::Unavailable(e)),
                other => return other,
            },
            Err(e) => Err(e),
        };
        match done {
            Err(e) if retries == 0 => return Err(e),
            _ => {
                retries -= 1;
                pause();
            }
        }
    }
}

/// A short wait before a retry: lets the process that won a race finish.
fn pause() {
    std::thread::sleep(Duration::from_millis(1));
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRAGMAS: &str = "SELECT (SELECT journal_mode FROM pragma_journal_mode), \
         (SELECT synchronous FROM pragma_synchronous), \
         (SELECT foreign_keys FROM pragma_foreign_keys), \
         (SELECT timeout FROM pragma_busy_timeout)";

    fn pragmas(conn: &Connection) -> Result<(String, i64, i64, i64), StoreError> {
        conn.query_row(PRAGMAS, [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .map_err(store_error)
    }

    #[tokio::test]
    async fn every_connection_gets_the_configured_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let config = SqliteConfig {
            busy_timeout_ms: 1_234,
            ..SqliteConfig::file(dir.path().join("s.db"))
        };
        let store = SqliteStore::connect(&config).await.unwrap();
        // synchronous 1 is NORMAL.
        let expected = ("wal".to_owned(), 1, 1, 1_234);
        assert_eq!(store.read(pragmas).await.unwrap(), expected);
        assert_eq!(store.transaction(pragmas).await.unwrap(), expected);
    }

    #[tokio::test]
    async fn an_in_memory_store_shares_one_database() {
        let store = SqliteStore::in_memory().await.unwrap();
        let tables: i64 = store
            .read(|conn| {
                conn.query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name = 'challenges'",
                    [],
                    |r| r.get(0),
                )
                .map_err(store_error)
            })
            .await
            .unwrap();
        assert_eq!(tables, 1);
    }
}
