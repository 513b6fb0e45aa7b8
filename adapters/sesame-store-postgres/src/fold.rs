//! The email-address fold that migration 0005 leaves pending: every email
//! user is read, [`address_fold::plan`] says which rows change, and the
//! changes and the cleared marker are written in one transaction. The
//! marker row is locked first (`FOR UPDATE`), so of many instances starting
//! at once exactly one folds and the others find it done.

use sesame_domain::address_fold::{self, StoredEmailUser};
use sesame_domain::ports::StoreError;
use sesame_domain::time::Timestamp;
use sesame_domain::user::UserId;
use sqlx::Row as _;

use crate::error::{corrupt, from_sqlx};
use crate::store::PgStore;

const NAME: &str = "fold_email_addresses";

const PENDING: &str = "SELECT done FROM data_migrations WHERE name = $1 FOR UPDATE";

const EMAIL_USERS: &str =
    "SELECT id, recipient, created_at, blocked FROM users WHERE connection = 'email'";

/// Keeps the first address a row had before any fold.
const APPLY: &str = "UPDATE users SET recipient = $2, blocked = $3, merged_into = $4, \
     original_recipient = COALESCE(original_recipient, recipient) WHERE id = $1";

const DONE: &str = "UPDATE data_migrations SET done = TRUE WHERE name = $1";

impl PgStore {
    /// Runs the fold if it is still pending; a no-op once done.
    pub(crate) async fn fold_email_addresses(&self) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await.map_err(from_sqlx)?;
        let done: Option<bool> = sqlx::query_scalar(PENDING)
            .bind(NAME)
            .fetch_optional(&mut *tx)
            .await
            .map_err(from_sqlx)?;
        if done != Some(false) {
            return tx.commit().await.map_err(from_sqlx);
        }
        let rows = sqlx::query(EMAIL_USERS)
            .fetch_all(&mut *tx)
            .await
            .map_err(from_sqlx)?;
        let users = rows
            .iter()
            .map(|row| {
                let id: String = row.try_get("id").map_err(from_sqlx)?;
                Ok(StoredEmailUser {
                    id: UserId::parse(&id).map_err(|_| corrupt("users.id is not a user id"))?,
                    recipient: row.try_get("recipient").map_err(from_sqlx)?,
                    created_at: Timestamp::from_unix_millis(
                        row.try_get("created_at").map_err(from_sqlx)?,
                    ),
                    blocked: row.try_get("blocked").map_err(from_sqlx)?,
                })
            })
            .collect::<Result<Vec<_>, StoreError>>()?;
        let plan = address_fold::plan(&users);
        for fold in &plan.folds {
            sqlx::query(APPLY)
                .bind(fold.id.as_str())
                .bind(fold.recipient.as_str())
                .bind(fold.blocked)
                .bind(fold.merged_into.as_ref().map(UserId::as_str))
                .execute(&mut *tx)
                .await
                .map_err(from_sqlx)?;
        }
        sqlx::query(DONE)
            .bind(NAME)
            .execute(&mut *tx)
            .await
            .map_err(from_sqlx)?;
        tx.commit().await.map_err(from_sqlx)?;
        plan.log();
        Ok(())
    }
}
