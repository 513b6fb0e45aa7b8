//! How rusqlite and SQLite failures become [`StoreError`]s.
//!
//! "Cannot reach the file / waited too long" is `Unavailable`, a database or
//! row that does not decode is `Corrupt`, the rest is `Unknown`. Messages
//! carry SQLite's own text (column and constraint names), never row values.

use rusqlite::Error as E;
use sesame_domain::ports::StoreError;

// SQLite primary result codes (the low byte of an extended code).
const SQLITE_BUSY: i32 = 5;
const SQLITE_LOCKED: i32 = 6;
const SQLITE_NOMEM: i32 = 7;
const SQLITE_READONLY: i32 = 8;
const SQLITE_IOERR: i32 = 10;
const SQLITE_CORRUPT: i32 = 11;
const SQLITE_FULL: i32 = 13;
const SQLITE_CANTOPEN: i32 = 14;
const SQLITE_PROTOCOL: i32 = 15;
const SQLITE_NOLFS: i32 = 22;
const SQLITE_NOTADB: i32 = 26;

/// The primary result code of a SQLite failure, if `e` is one.
fn primary(e: &E) -> Option<i32> {
    match e {
        E::SqliteFailure(failure, _) => Some(failure.extended_code & 0xff),
        _ => None,
    }
}

/// Whether `e` is SQLITE_BUSY: another connection holds the lock.
pub(crate) fn is_busy(e: &E) -> bool {
    primary(e) == Some(SQLITE_BUSY)
}

/// Maps a rusqlite error to the port error.
pub(crate) fn store_error(e: E) -> StoreError {
    match primary(&e) {
        Some(
            SQLITE_BUSY | SQLITE_LOCKED | SQLITE_NOMEM | SQLITE_READONLY | SQLITE_IOERR
            | SQLITE_FULL | SQLITE_CANTOPEN | SQLITE_PROTOCOL | SQLITE_NOLFS,
        ) => return StoreError::Unavailable(e.into()),
        Some(SQLITE_CORRUPT | SQLITE_NOTADB) => return StoreError::Corrupt(e.to_string()),
        _ => {}
    }
    match e {
        // A value of a type or range the column should not hold. The
        // messages name the column's index or name and the type, not the
        // value.
        E::FromSqlConversionFailure(..)
        | E::IntegralValueOutOfRange(..)
        | E::Utf8Error(_)
        | E::InvalidColumnIndex(_)
        | E::InvalidColumnName(_)
        | E::InvalidColumnType(..) => StoreError::Corrupt(e.to_string()),
        other => StoreError::Unknown(other.into()),
    }
}

/// A copy of `e`, for each job of a batch that one failure ends: the
/// SQLite code and message are kept, so it maps as the original does.
pub(crate) fn again(e: &E) -> StoreError {
    match e {
        E::SqliteFailure(failure, message) => {
            store_error(E::SqliteFailure(*failure, message.clone()))
        }
        other => StoreError::Unknown(anyhow::anyhow!("{other}")),
    }
}

/// The store was closed, or its writer thread is gone.
pub(crate) fn closed() -> StoreError {
    StoreError::Unavailable(anyhow::anyhow!("the SQLite store is closed"))
}

/// A migration-history problem (e.g. a database written by a newer
/// Sesame): nothing a retry or an operator's `chmod` fixes.
pub(crate) fn migration(why: String) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!(why).context("migrating the database"))
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
    use rusqlite::ffi;

    use super::*;

    fn failure(code: i32) -> E {
        E::SqliteFailure(ffi::Error::new(code), Some("x".to_owned()))
    }

    #[test]
    fn busy_locked_and_io_failures_are_unavailable() {
        for code in [SQLITE_BUSY, SQLITE_LOCKED, SQLITE_IOERR, SQLITE_CANTOPEN] {
            assert!(matches!(
                store_error(failure(code)),
                StoreError::Unavailable(_)
            ));
        }
        // An extended code maps by its primary code.
        assert!(matches!(
            store_error(failure(SQLITE_BUSY | (2 << 8))),
            StoreError::Unavailable(_)
        ));
        assert!(is_busy(&failure(SQLITE_BUSY)));
        assert!(matches!(
            again(&failure(SQLITE_BUSY)),
            StoreError::Unavailable(_)
        ));
    }

    #[test]
    fn a_damaged_file_and_undecodable_values_are_corrupt() {
        for code in [SQLITE_CORRUPT, SQLITE_NOTADB] {
            assert!(matches!(store_error(failure(code)), StoreError::Corrupt(_)));
        }
        assert!(matches!(
            store_error(E::InvalidColumnName("x".to_owned())),
            StoreError::Corrupt(_)
        ));
    }

    #[test]
    fn other_failures_are_unknown() {
        assert!(matches!(
            store_error(E::QueryReturnedNoRows),
            StoreError::Unknown(_)
        ));
        // SQLITE_CONSTRAINT.
        assert!(matches!(store_error(failure(19)), StoreError::Unknown(_)));
        assert!(matches!(closed(), StoreError::Unavailable(_)));
    }
}
