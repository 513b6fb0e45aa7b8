//! The email-address fold that migration 0005 leaves pending: every email
//! user is read, [`address_fold::plan`] says which rows change, and the
//! changes and the cleared marker are written in one `BEGIN IMMEDIATE`
//! transaction, so a crash leaves either the old rows and the marker or the
//! folded rows and no marker, and of several processes opening the file at
//! once exactly one folds.

use rusqlite::{Connection, params};
use sesame_domain::address_fold::{self, FoldPlan, StoredEmailUser};
use sesame_domain::ports::StoreError;
use sesame_domain::{Timestamp, UserId};

use crate::codec::get;
use crate::conn::{execute, query_all, query_opt};
use crate::error::{corrupt, store_error};

const NAME: &str = "fold_email_addresses";

const PENDING: &str = "SELECT done FROM data_migrations WHERE name = ?1";

const EMAIL_USERS: &str =
    "SELECT id, recipient, created_at, blocked FROM users WHERE connection = 'email'";

/// Keeps the first address a row had before any fold: a row folded twice
/// (never, but cheaply safe) still records what the user typed.
const APPLY: &str = "UPDATE users SET recipient = ?2, blocked = ?3, merged_into = ?4, \
     original_recipient = COALESCE(original_recipient, recipient) WHERE id = ?1";

const DONE: &str = "UPDATE data_migrations SET done = 1 WHERE name = ?1";

/// Runs the fold on `conn` if it is still pending; a no-op once done.
pub(crate) fn fold_email_addresses(conn: &Connection) -> Result<(), StoreError> {
    conn.execute_batch("BEGIN IMMEDIATE").map_err(store_error)?;
    match fold(conn) {
        Ok(plan) => {
            if let Err(e) = conn.execute_batch("COMMIT") {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(store_error(e));
            }
            if let Some(plan) = plan {
                plan.log();
            }
            Ok(())
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// The fold's statements, inside the transaction; its plan if it ran.
fn fold(conn: &Connection) -> Result<Option<FoldPlan>, StoreError> {
    let done: Option<bool> = query_opt(conn, PENDING, [NAME], |row| get(row, "done"))?;
    if done != Some(false) {
        return Ok(None);
    }
    let users = query_all(conn, EMAIL_USERS, [], |row| {
        Ok(StoredEmailUser {
            id: UserId::parse(&get::<String>(row, "id")?)
                .map_err(|_| corrupt("users", "id", "not an Auth0 user id"))?,
            recipient: get(row, "recipient")?,
            created_at: Timestamp::from_unix_millis(get(row, "created_at")?),
            blocked: get(row, "blocked")?,
        })
    })?;
    let plan: FoldPlan = address_fold::plan(&users);
    for fold in &plan.folds {
        execute(
            conn,
            APPLY,
            params![
                fold.id.as_str(),
                fold.recipient.as_str(),
                fold.blocked,
                fold.merged_into.as_ref().map(UserId::as_str),
            ],
        )?;
    }
    execute(conn, DONE, [NAME])?;
    Ok(Some(plan))
}
