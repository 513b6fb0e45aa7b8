//! Turning sqlx errors into the domain's [`StoreError`].
//!
//! "Could not reach the server or it did not answer in time" is
//! [`StoreError::Unavailable`], a row that does not decode is
//! [`StoreError::Corrupt`], and everything else is [`StoreError::Unknown`].
//! No error built here quotes a stored value, so none can leak an address, a
//! MAC or key material into a log line.

use std::time::Duration;

use sesame_domain::ports::StoreError;
use sqlx::migrate::MigrateError;

/// SQLSTATEs that mean the server cannot serve us right now.
fn unavailable_sqlstate(code: &str) -> bool {
    // 08: connection exception; 53: insufficient resources (e.g. too many
    // connections); 57P01-57P03: shutting down or starting up; 57014:
    // cancelled, which is what `statement_timeout` raises; 25006: read-only
    // transaction, i.e. we reached a standby after a failover.
    code.starts_with("08")
        || code.starts_with("53")
        || matches!(code, "57P01" | "57P02" | "57P03" | "57014" | "25006")
}

/// Classifies a sqlx error.
pub(crate) fn from_sqlx(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::BeginFailed => StoreError::Unavailable(e.into()),
        sqlx::Error::Database(db) => {
            let unavailable = db.code().is_some_and(|c| unavailable_sqlstate(&c));
            let e = scrubbed(db.as_ref());
            if unavailable {
                StoreError::Unavailable(e)
            } else {
                StoreError::Unknown(e)
            }
        }
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => corrupt(e),
        sqlx::Error::Migrate(m) => match *m {
            MigrateError::Execute(inner) => from_sqlx(inner),
            other => StoreError::Unknown(other.into()),
        },
        other => StoreError::Unknown(other.into()),
    }
}

/// A server error without its `DETAIL`, which quotes row values (e.g.
/// `Key (recipient)=(…) already exists`): only the SQLSTATE, the constraint
/// and the message, which never hold data.
fn scrubbed(db: &dyn sqlx::error::DatabaseError) -> anyhow::Error {
    let code = db.code().unwrap_or_default();
    match db.constraint() {
        Some(c) => anyhow::anyhow!("postgres error {code} on {c}: {}", db.message()),
        None => anyhow::anyhow!("postgres error {code}: {}", db.message()),
    }
}

/// A stored value that does not decode into the domain type.
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}

/// An operation that ran out of its client-side time budget.
pub(crate) fn timed_out(limit: Duration) -> StoreError {
    StoreError::Unavailable(anyhow::anyhow!(
        "postgres did not answer within {} ms",
        limit.as_millis()
    ))
}

/// A value the domain allows but this schema cannot hold.
pub(crate) fn out_of_range(field: &str) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("{field} is too large to store"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_failures_are_unavailable() {
        let io = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset");
        assert!(matches!(
            from_sqlx(sqlx::Error::Io(io)),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            from_sqlx(sqlx::Error::PoolTimedOut),
            StoreError::Unavailable(_)
        ));
        assert!(matches!(
            from_sqlx(sqlx::Error::PoolClosed),
            StoreError::Unavailable(_)
        ));
    }

    #[test]
    fn decoding_failures_are_corrupt_and_the_rest_unknown() {
        assert!(matches!(
            from_sqlx(sqlx::Error::Decode("bad".into())),
            StoreError::Corrupt(_)
        ));
        assert!(matches!(
            from_sqlx(sqlx::Error::RowNotFound),
            StoreError::Unknown(_)
        ));
    }

    #[test]
    fn the_sqlstates_of_an_unreachable_server_are_recognised() {
        for code in ["08006", "57P01", "57014", "53300"] {
            assert!(unavailable_sqlstate(code), "{code}");
        }
        for code in ["23505", "40001", "42P01"] {
            assert!(!unavailable_sqlstate(code), "{code}");
        }
    }
}
