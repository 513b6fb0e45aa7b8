//! How sqlx and SQLite failures become [`StoreError`]s.
//!
//! "Cannot reach the file / waited too long" is `Unavailable`, a database or
//! row that does not decode is `Corrupt`, the rest is `Unknown`. Messages
//! carry SQLite's own text (column and constraint names), never row values.

use sesame_domain::ports::StoreError;
use sqlx::migrate::MigrateError;

// SQLite primary result codes (the low byte of an extended code).
const SQLITE_BUSY: i64 = 5;
const SQLITE_LOCKED: i64 = 6;
const SQLITE_NOMEM: i64 = 7;
const SQLITE_READONLY: i64 = 8;
const SQLITE_IOERR: i64 = 10;
const SQLITE_CORRUPT: i64 = 11;
const SQLITE_FULL: i64 = 13;
const SQLITE_CANTOPEN: i64 = 14;
const SQLITE_PROTOCOL: i64 = 15;
const SQLITE_NOLFS: i64 = 22;
const SQLITE_NOTADB: i64 = 26;

/// Whether `e` is SQLITE_BUSY: another connection holds the lock.
pub(crate) fn is_busy(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|db| db.code())
        .and_then(|c| c.parse::<i64>().ok())
        .is_some_and(|c| c & 0xff == SQLITE_BUSY)
}

/// Maps a sqlx error to the port error.
pub(crate) fn store_error(e: sqlx::Error) -> StoreError {
    use sqlx::Error as E;
    match &e {
        E::Io(_) | E::PoolTimedOut | E::PoolClosed | E::WorkerCrashed | E::Tls(_) => {
            StoreError::Unavailable(e.into())
        }
        E::Database(db) => {
            let primary = db
                .code()
                .and_then(|c| c.parse::<i64>().ok())
                .map(|c| c & 0xff);
            match primary {
                Some(
                    SQLITE_BUSY | SQLITE_LOCKED | SQLITE_NOMEM | SQLITE_READONLY | SQLITE_IOERR
                    | SQLITE_FULL | SQLITE_CANTOPEN | SQLITE_PROTOCOL | SQLITE_NOLFS,
                ) => StoreError::Unavailable(e.into()),
                Some(SQLITE_CORRUPT | SQLITE_NOTADB) => {
                    StoreError::Corrupt(db.message().to_owned())
                }
                _ => StoreError::Unknown(e.into()),
            }
        }
        E::ColumnDecode { .. }
        | E::Decode(_)
        | E::ColumnNotFound(_)
        | E::ColumnIndexOutOfBounds { .. }
        | E::TypeNotFound { .. } => StoreError::Corrupt(e.to_string()),
        _ => StoreError::Unknown(e.into()),
    }
}

/// Maps a migration failure: the statements' own errors as above, anything
/// about the migration history (e.g. a database written by a newer Sesame)
/// as `Unknown`.
pub(crate) fn migrate_error(e: MigrateError) -> StoreError {
    match e {
        MigrateError::Execute(inner) | MigrateError::ExecuteMigration(inner, _) => {
            store_error(inner)
        }
        other => StoreError::Unknown(anyhow::Error::new(other).context("migrating the database")),
    }
}

/// A stored value that does not decode into the domain type.
pub(crate) fn corrupt(table: &str, column: &str, why: &str) -> StoreError {
    StoreError::Corrupt(format!("{table}.{column}: {why}"))
}

/// A domain value this store cannot represent (e.g. a count past `i64`).
pub(crate) fn unrepresentable(what: &str) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("{what} does not fit in a SQLite INTEGER"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_failures_are_unavailable() {
        assert!(matches!(
            store_error(sqlx::Error::PoolTimedOut),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            store_error(sqlx::Error::PoolClosed),
            StoreError::Unavailable(_)
        ));
    }

    #[test]
    fn decode_failures_are_corrupt() {
        assert!(matches!(
            store_error(sqlx::Error::ColumnNotFound("x".to_owned())),
            StoreError::Corrupt(_)
        ));
    }

    #[test]
    fn other_failures_are_unknown() {
        assert!(matches!(
            store_error(sqlx::Error::RowNotFound),
            StoreError::Unknown(_)
        ));
    }
}
