//! The schema migrations in `migrations/`, embedded at compile time, and the
//! migrator that applies them, in sqlx's format.
//!
//! Earlier releases ran `sqlx::migrate!()`, which records each applied
//! migration in `_sqlx_migrations` (version, description, installed_on,
//! success, checksum: the SHA-384 of the file's SQL, execution_time in
//! nanoseconds). This migrator reads and writes that same table the same
//! way, so a file either one migrated is up to date for the other. Like
//! sqlx it refuses a database with a failed migration, a migration this
//! build does not know (a newer Sesame wrote it) or an applied migration
//! whose SQL changed.
//!
//! Each migration runs in its own `BEGIN IMMEDIATE` transaction that first
//! looks again whether it is applied: of processes starting on one file at
//! once, one applies it and the others find it done.

use std::collections::HashMap;
use std::time::Instant;

use rusqlite::{Connection, params};
use sesame_domain::ports::StoreError;
use sha2::{Digest as _, Sha384};

use crate::error::{migration, store_error};

/// `(file name, SQL)` of every migration, in order.
macro_rules! embed {
    ($($file:literal),* $(,)?) => {
        &[$(($file, include_str!(concat!("../migrations/", $file)))),*]
    };
}

/// The migrations of this build. `build.rs` rebuilds the crate when the
/// directory changes; a unit test checks that this list names every file.
pub(crate) const MIGRATIONS: &[(&str, &str)] = embed![
    "0001_initial.sql",
    "0002_authorization_codes.sql",
    "0003_client_magic_link.sql",
    "0004_drop_registries.sql",
    "0005_fold_email_addresses.sql",
    "0006_authorization_code_redirect_uri_required.sql",
    "0007_dpop.sql",
    "0008_rate_limits_without_reset_index.sql",
    "0009_mfa.sql",
    "0010_refresh_tokens_by_user.sql",
    "0011_events.sql",
    "0012_user_metadata.sql",
];

/// sqlx's table, created as sqlx creates it.
const TABLE: &str = "CREATE TABLE IF NOT EXISTS _sqlx_migrations (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    success BOOLEAN NOT NULL,
    checksum BLOB NOT NULL,
    execution_time BIGINT NOT NULL
)";

const DIRTY: &str =
    "SELECT version FROM _sqlx_migrations WHERE success = false ORDER BY version LIMIT 1";

const APPLIED: &str = "SELECT version, checksum FROM _sqlx_migrations ORDER BY version";

const CHECKSUM: &str = "SELECT checksum FROM _sqlx_migrations WHERE version = ?1";

const RECORD: &str = "INSERT INTO _sqlx_migrations \
     (version, description, success, checksum, execution_time) VALUES (?1, ?2, TRUE, ?3, ?4)";

/// One migration, as sqlx reads it from its file name and SQL.
struct Migration {
    version: i64,
    description: String,
    sql: &'static str,
    checksum: Vec<u8>,
}

impl Migration {
    /// `0005_fold_email_addresses.sql` is version 5, "fold email addresses".
    fn parse(file: &str, sql: &'static str) -> Result<Self, StoreError> {
        let (version, rest) = file
            .split_once('_')
            .ok_or_else(|| migration(format!("{file} has no version prefix")))?;
        Ok(Self {
            version: version
                .parse()
                .map_err(|_| migration(format!("{file} has no version prefix")))?,
            description: rest.trim_end_matches(".sql").replace('_', " "),
            sql,
            checksum: Sha384::digest(sql.as_bytes()).to_vec(),
        })
    }
}

fn migrations() -> Result<Vec<Migration>, StoreError> {
    MIGRATIONS
        .iter()
        .map(|(file, sql)| Migration::parse(file, sql))
        .collect()
}

/// Brings the schema of `conn`'s database up to date.
///
/// # Errors
/// A statement's failure as [`store_error`] maps it; a migration history
/// this build cannot continue as [`StoreError::Unknown`].
pub(crate) fn run(conn: &Connection) -> Result<(), StoreError> {
    let known = migrations()?;
    conn.execute_batch(TABLE).map_err(store_error)?;
    let dirty: Option<i64> =
        crate::conn::query_opt(conn, DIRTY, [], |row| row.get(0).map_err(store_error))?;
    if let Some(version) = dirty {
        return Err(migration(format!(
            "migration {version} was partially applied; fix it and remove it from \
             _sqlx_migrations"
        )));
    }
    let applied: HashMap<i64, Vec<u8>> = crate::conn::query_all(conn, APPLIED, [], |row| {
        Ok((
            row.get(0).map_err(store_error)?,
            row.get(1).map_err(store_error)?,
        ))
    })?
    .into_iter()
    .collect();
    if let Some(newer) = applied
        .keys()
        .filter(|v| !known.iter().any(|m| m.version == **v))
        .min()
    {
        return Err(migration(format!(
            "migration {newer} was applied but is missing from this build \
             (a newer version of Sesame wrote the database)"
        )));
    }
    for m in &known {
        match applied.get(&m.version) {
            Some(checksum) if *checksum != m.checksum => return Err(mismatch(m)),
            Some(_) => {}
            None => apply(conn, m)?,
        }
    }
    Ok(())
}

fn mismatch(m: &Migration) -> StoreError {
    migration(format!(
        "migration {} was previously applied but has been modified",
        m.version
    ))
}

/// Applies `m` and records it, in one transaction, unless another process
/// did so first.
fn apply(conn: &Connection, m: &Migration) -> Result<(), StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(store_error)?;
    let done = (|| {
        let checksum: Option<Vec<u8>> =
            crate::conn::query_opt(conn, CHECKSUM, [m.version], |row| {
                row.get(0).map_err(store_error)
            })?;
        match checksum {
            Some(checksum) if checksum != m.checksum => return Err(mismatch(m)),
            Some(_) => return Ok(()),
            None => {}
        }
        let start = Instant::now();
        conn.execute_batch(m.sql).map_err(store_error)?;
        // sqlx records the nanoseconds after its commit; here the work
        // before it, in the same row.
        let nanos = i64::try_from(start.elapsed().as_nanos()).unwrap_or(i64::MAX);
        conn.execute(RECORD, params![m.version, m.description, m.checksum, nanos])
            .map_err(store_error)?;
        Ok(())
    })();
    match done {
        Ok(()) => conn.execute_batch("COMMIT").map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            store_error(e)
        }),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_file_in_migrations_is_embedded_in_order() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
        let mut files: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|name| name.ends_with(".sql"))
            .collect();
        files.sort();
        let embedded: Vec<&str> = MIGRATIONS.iter().map(|(file, _)| *file).collect();
        assert_eq!(files, embedded);
    }

    #[test]
    fn versions_and_descriptions_are_read_as_sqlx_reads_them() {
        let m = Migration::parse("0005_fold_email_addresses.sql", "SELECT 1;").unwrap();
        assert_eq!(m.version, 5);
        assert_eq!(m.description, "fold email addresses");
        assert_eq!(m.checksum.len(), 48);
        let versions: Vec<i64> = migrations().unwrap().iter().map(|m| m.version).collect();
        assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    }
}
