//! [`RefreshTokenStore`] on the `refresh_tokens` table.
//!
//! Each row is one token of a family, with `spent` and `revoked` flags.
//! Rotation runs in a `BEGIN IMMEDIATE` transaction: it holds the write lock
//! from the start, so its read of the presented token and its writes are one
//! step to every other writer, in this process or another.

use std::collections::HashSet;
use std::time::Duration;

use async_trait::async_trait;
use sesame_domain::ports::{RefreshTokenStore, StoreError};
use sesame_domain::{
    ClientId, CodeMac, Jkt, RefreshTokenRecord, Rotation, Scope, Timestamp, UserId,
};
use sqlx::sqlite::SqliteRow;

use crate::SqliteStore;
use crate::codec::{flag, get, mac, timestamp};
use crate::error::{corrupt, store_error};

const T: &str = "refresh_tokens";

const INSERT: &str = "INSERT INTO refresh_tokens (token_mac, family_id, client_id, user_id, \
     scope, audience, created_at, expires_at, family_expires_at, jkt, mfa, spent, revoked) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, 0, 0)";

const FIND_LIVE_FAMILY: &str = "SELECT token_mac, family_id, client_id, user_id, scope, audience, \
     created_at, expires_at, family_expires_at, jkt, mfa, spent, revoked \
     FROM refresh_tokens WHERE token_mac = ?1 AND revoked = 0";

const FIND_ANY: &str = "SELECT token_mac, family_id, client_id, user_id, scope, audience, \
     created_at, expires_at, family_expires_at, jkt, mfa, spent, revoked \
     FROM refresh_tokens WHERE token_mac = ?1";

const SPEND: &str = "UPDATE refresh_tokens SET spent = 1 WHERE token_mac = ?1";

const REVOKE_FAMILY: &str = "UPDATE refresh_tokens SET revoked = 1 WHERE family_id = ?1";

/// Every token of every family with a token of the user: through
/// `refresh_tokens_by_user` to the families, then `refresh_tokens_by_family`
/// to their tokens. Tokens already revoked are left as they are.
const REVOKE_USER: &str = "UPDATE refresh_tokens SET revoked = 1 \
     WHERE revoked = 0 \
     AND family_id IN (SELECT family_id FROM refresh_tokens WHERE user_id = ?1)";

const PURGE: &str = "DELETE FROM refresh_tokens WHERE family_expires_at < ?1 RETURNING family_id";

fn decode(row: &SqliteRow) -> Result<RefreshTokenRecord, StoreError> {
    Ok(RefreshTokenRecord {
        token_mac: mac(row, T, "token_mac")?,
        family_id: get(row, "family_id")?,
        client_id: ClientId::parse(get::<String>(row, "client_id")?)
            .map_err(|_| corrupt(T, "client_id", "not a client id"))?,
        user_id: UserId::parse(&get::<String>(row, "user_id")?)
            .map_err(|_| corrupt(T, "user_id", "not an Auth0 user id"))?,
        scope: Scope::parse(&get::<String>(row, "scope")?)
            .map_err(|_| corrupt(T, "scope", "not a scope"))?,
        audience: get(row, "audience")?,
        created_at: timestamp(row, "created_at")?,
        expires_at: timestamp(row, "expires_at")?,
        family_expires_at: timestamp(row, "family_expires_at")?,
        jkt: get::<Option<String>>(row, "jkt")?.map(Jkt::new),
        mfa: flag(row, T, "mfa")?,
    })
}

/// Binds a record's columns to [`INSERT`].
async fn insert<'c, E>(executor: E, record: &RefreshTokenRecord) -> Result<(), StoreError>
where
    E: sqlx::SqliteExecutor<'c>,
{
    sqlx::query(INSERT)
        .bind(record.token_mac.as_bytes().as_slice())
        .bind(record.family_id.as_str())
        .bind(record.client_id.as_str())
        .bind(record.user_id.as_str())
        .bind(record.scope.as_str())
        .bind(record.audience.as_deref())
        .bind(record.created_at.unix_millis())
        .bind(record.expires_at.unix_millis())
        .bind(record.family_expires_at.unix_millis())
        .bind(record.jkt.as_ref().map(Jkt::as_str))
        .bind(i64::from(record.mfa))
        .execute(executor)
        .await
        .map_err(store_error)?;
    Ok(())
}

impl SqliteStore {
    /// Removes the tokens of every family whose absolute expiry is before
    /// `before` (none of them can work any more); returns how many families
    /// went.
    pub(crate) async fn purge_refresh_families(
        &self,
        before: Timestamp,
    ) -> Result<u64, StoreError> {
        // Families are not rows here, only the tokens' shared `family_id`.
        let families: HashSet<String> = sqlx::query_scalar(PURGE)
            .bind(before.unix_millis())
            .fetch_all(&self.write)
            .await
            .map_err(store_error)?
            .into_iter()
            .collect();
        Ok(families.len() as u64)
    }
}

#[async_trait]
impl RefreshTokenStore for SqliteStore {
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), StoreError> {
        insert(&self.write, record).await
    }

    async fn find(&self, mac: &CodeMac) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let row = sqlx::query(FIND_LIVE_FAMILY)
            .bind(mac.as_bytes().as_slice())
            .fetch_optional(&self.read)
            .await
            .map_err(store_error)?;
        row.as_ref().map(decode).transpose()
    }

    async fn rotate(
        &self,
        presented: &CodeMac,
        replacement: &CodeMac,
        now: Timestamp,
        idle: Duration,
    ) -> Result<Rotation, StoreError> {
        let mut tx = self
            .write
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(store_error)?;
        let row = sqlx::query(FIND_ANY)
            .bind(presented.as_bytes().as_slice())
            .fetch_optional(&mut *tx)
            .await
            .map_err(store_error)?;
        let Some(row) = row else {
            tx.rollback().await.map_err(store_error)?;
            return Ok(Rotation::Invalid);
        };
        let old = decode(&row)?;
        // A spent token presented again has leaked: the family goes, even if
        // the token has expired meanwhile. Spent comes before revoked: every
        // loser of a concurrent rotation must hear `Reused`, also after an
        // earlier loser revoked the family.
        if flag(&row, T, "spent")? {
            sqlx::query(REVOKE_FAMILY)
                .bind(old.family_id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
            tx.commit().await.map_err(store_error)?;
            return Ok(Rotation::Reused {
                family_id: old.family_id,
            });
        }
        if flag(&row, T, "revoked")? || now >= old.expires_at || now >= old.family_expires_at {
            tx.rollback().await.map_err(store_error)?;
            return Ok(Rotation::Invalid);
        }
        sqlx::query(SPEND)
            .bind(presented.as_bytes().as_slice())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        let next = RefreshTokenRecord {
            token_mac: replacement.clone(),
            created_at: now,
            expires_at: now.plus(idle).min(old.family_expires_at),
            ..old.clone()
        };
        insert(&mut *tx, &next).await?;
        tx.commit().await.map_err(store_error)?;
        Ok(Rotation::Rotated(old))
    }

    async fn revoke_family(&self, family_id: &str) -> Result<(), StoreError> {
        sqlx::query(REVOKE_FAMILY)
            .bind(family_id)
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn revoke_user(&self, user: &UserId) -> Result<(), StoreError> {
        sqlx::query(REVOKE_USER)
            .bind(user.as_str())
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}
