//! Opening one connection with the store's pragmas, and the few statement
//! helpers every port uses.
//!
//! Every connection, the writer's and each reader's, gets the busy timeout,
//! foreign keys, and on a file WAL and `synchronous=NORMAL`, as the sqlx
//! connections of earlier releases did.

use std::time::Duration;

use rusqlite::{Connection, OpenFlags, Params, Row};
use sesame_domain::ports::StoreError;

use crate::config::{Location, SqliteConfig};
use crate::error::store_error;

/// Statements a connection keeps prepared: every constant statement of the
/// crate fits, with room for the rate-limit batches and searches.
const STATEMENT_CACHE: usize = 256;

/// How to open a connection to the store's database.
#[derive(Debug, Clone)]
pub(crate) struct Opener {
    location: Location,
    busy_timeout: Duration,
}

impl Opener {
    /// The opener of `config`'s database.
    pub(crate) fn new(config: &SqliteConfig) -> Result<Self, StoreError> {
        Ok(Self {
            location: config.location()?,
            busy_timeout: config.busy_timeout(),
        })
    }

    /// Where the database is.
    pub(crate) const fn location(&self) -> &Location {
        &self.location
    }

    /// A new connection with the pragmas set.
    ///
    /// # Errors
    /// As [`store_error`]: a missing directory is `Unavailable`, a file that
    /// is not a database `Corrupt`.
    pub(crate) fn open(&self) -> Result<Connection, rusqlite::Error> {
        let conn = match &self.location {
            Location::File { path, read_only } => {
                let flags = if *read_only {
                    OpenFlags::SQLITE_OPEN_READ_ONLY
                        | OpenFlags::SQLITE_OPEN_URI
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX
                } else {
                    OpenFlags::default()
                };
                Connection::open_with_flags(path, flags)?
            }
            Location::Memory(None) => Connection::open_in_memory()?,
            Location::Memory(Some(uri)) => Connection::open_with_flags(uri, OpenFlags::default())?,
        };
        conn.busy_timeout(self.busy_timeout)?;
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let file = matches!(self.location, Location::File { .. });
        // An in-memory database has no journal file to put in WAL mode.
        let journal = if file { "WAL" } else { "MEMORY" };
        conn.pragma_update_and_check(None, "journal_mode", journal, |_| Ok(()))?;
        if file {
            conn.pragma_update(None, "synchronous", "NORMAL")?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")?;
        Ok(conn)
    }
}

/// Runs `sql` with `params`; how many rows it changed.
pub(crate) fn execute(
    conn: &Connection,
    sql: &str,
    params: impl Params,
) -> Result<u64, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(store_error)?;
    let changed = statement.execute(params).map_err(store_error)?;
    Ok(changed as u64)
}

/// The first row of `sql`, decoded by `decode`, if there is one.
pub(crate) fn query_opt<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    decode: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Option<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(store_error)?;
    let mut rows = statement.query(params).map_err(store_error)?;
    match rows.next().map_err(store_error)? {
        Some(row) => decode(row).map(Some),
        None => Ok(None),
    }
}

/// The one row `sql` returns (e.g. an upsert's `RETURNING`), decoded.
pub(crate) fn query_one<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    decode: impl FnOnce(&Row<'_>) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    query_opt(conn, sql, params, decode)?
        .ok_or_else(|| store_error(rusqlite::Error::QueryReturnedNoRows))
}

/// Every row of `sql`, each decoded by `decode`.
pub(crate) fn query_all<T>(
    conn: &Connection,
    sql: &str,
    params: impl Params,
    mut decode: impl FnMut(&Row<'_>) -> Result<T, StoreError>,
) -> Result<Vec<T>, StoreError> {
    let mut statement = conn.prepare_cached(sql).map_err(store_error)?;
    let mut rows = statement.query(params).map_err(store_error)?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(store_error)? {
        out.push(decode(row)?);
    }
    Ok(out)
}

/// Runs `f` in one read snapshot: a savepoint, which outside a transaction
/// starts a deferred one, and inside the writer's batch (an in-memory
/// store's reads) nests in it.
pub(crate) fn snapshot<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    conn.execute_batch("SAVEPOINT snapshot")
        .map_err(store_error)?;
    let out = f(conn);
    // Nothing was written: releasing and rolling back end it alike.
    let end = conn.execute_batch("RELEASE snapshot");
    let out = out?;
    end.map_err(store_error)?;
    Ok(out)
}
