//! The email-address fold that migration 0005 leaves pending: every email
//! user is read, [`address_fold::plan`] says which rows change, and the
//! changes and the cleared marker are written in one `BEGIN IMMEDIATE`
//! transaction, so a crash leaves either the old rows and the marker or the
//! folded rows and no marker, and of several processes opening the file at
//! once exactly one folds.

use sesame_domain::address_fold::{self, FoldPlan, StoredEmailUser};
use sesame_domain::ports::StoreError;
use sesame_domain::{Timestamp, UserId};
use sqlx::Row as _;

use crate::SqliteStore;
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

impl SqliteStore {
    /// Runs the fold if it is still pending; a no-op once done.
    pub(crate) async fn fold_email_addresses(&self) -> Result<(), StoreError> {
        let mut tx = self
            .write
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(store_error)?;
        let done: Option<bool> = sqlx::query_scalar(PENDING)
            .bind(NAME)
            .fetch_optional(&mut *tx)
            .await
            .map_err(store_error)?;
        if done != Some(false) {
            return tx.commit().await.map_err(store_error);
        }
        let rows = sqlx::query(EMAIL_USERS)
            .fetch_all(&mut *tx)
            .await
            .map_err(store_error)?;
        let users = rows
            .iter()
            .map(|row| {
                let id: String = row.try_get("id").map_err(store_error)?;
                Ok(StoredEmailUser {
                    id: UserId::parse(&id)
                        .map_err(|_| corrupt("users", "id", "not an Auth0 user id"))?,
                    recipient: row.try_get("recipient").map_err(store_error)?,
                    created_at: Timestamp::from_unix_millis(
                        row.try_get("created_at").map_err(store_error)?,
                    ),
                    blocked: row.try_get("blocked").map_err(store_error)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let plan: FoldPlan = address_fold::plan(&users);
        for fold in &plan.folds {
            sqlx::query(APPLY)
                .bind(fold.id.as_str())
                .bind(fold.recipient.as_str())
                .bind(fold.blocked)
                .bind(fold.merged_into.as_ref().map(UserId::as_str))
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
        }
        sqlx::query(DONE)
            .bind(NAME)
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        plan.log();
        Ok(())
    }
}
