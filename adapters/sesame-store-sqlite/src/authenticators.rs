//! [`AuthenticatorStore`] on the `authenticators` table.
//!
//! Rows are keyed by (user, id) and every statement names both, so an id
//! never reaches another user's authenticator. Each check-and-set
//! (`record_use` with a step, `replace_secret`) is one conditional `UPDATE`:
//! SQLite runs it under the write lock, so of concurrent calls exactly one
//! changes the row.

use async_trait::async_trait;
use rusqlite::Row;
use rusqlite::{Params, params};
use sesame_domain::mfa::{Authenticator, AuthenticatorId, AuthenticatorSecret, Factor};
use sesame_domain::ports::{AuthenticatorStore, StoreError};
use sesame_domain::{Timestamp, UserId};

use crate::SqliteStore;
use crate::codec::{flag, get, opt_timestamp, timestamp};
use crate::conn::{execute, query_all};
use crate::error::corrupt;

const T: &str = "authenticators";

/// Oldest first; enrollments of one instant in the order they were stored.
const LIST: &str = "SELECT user_id, id, factor, name, secret, active, created_at, last_used, \
     last_step FROM authenticators WHERE user_id = ?1 ORDER BY created_at, rowid";

const INSERT: &str = "INSERT INTO authenticators (user_id, id, factor, name, secret, active, \
     created_at, last_used, last_step) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";

const DELETE_INACTIVE: &str = "DELETE FROM authenticators WHERE user_id = ?1 AND active = 0";

const DELETE: &str = "DELETE FROM authenticators WHERE user_id = ?1 AND id = ?2";

const ACTIVATE: &str = "UPDATE authenticators SET active = 1 WHERE user_id = ?1 AND id = ?2";

/// With a step (`?4`), only when it is above the last one, which it becomes.
const RECORD_USE: &str = "UPDATE authenticators \
     SET active = 1, last_used = ?3, last_step = coalesce(?4, last_step) \
     WHERE user_id = ?1 AND id = ?2 \
     AND (?4 IS NULL OR last_step IS NULL OR last_step < ?4)";

const REPLACE_SECRET: &str = "UPDATE authenticators \
     SET secret = ?4, active = 1, last_used = ?5 \
     WHERE user_id = ?1 AND id = ?2 AND secret = ?3";

fn decode(row: &Row<'_>) -> Result<Authenticator, StoreError> {
    Ok(Authenticator {
        id: AuthenticatorId::parse(&get::<String>(row, "id")?)
            .map_err(|_| corrupt(T, "id", "not an authenticator id"))?,
        user_id: UserId::parse(&get::<String>(row, "user_id")?)
            .map_err(|_| corrupt(T, "user_id", "not an Auth0 user id"))?,
        factor: get::<String>(row, "factor")?
            .parse::<Factor>()
            .map_err(|_| corrupt(T, "factor", "not a factor"))?,
        name: get(row, "name")?,
        secret: AuthenticatorSecret(get(row, "secret")?),
        active: flag(row, T, "active")?,
        created_at: timestamp(row, "created_at")?,
        last_used: opt_timestamp(row, "last_used")?,
        last_step: get(row, "last_step")?,
    })
}

impl SqliteStore {
    /// Runs one write; whether it changed a row.
    async fn change<P: Params + Send + 'static>(
        &self,
        sql: &'static str,
        params: P,
    ) -> Result<bool, StoreError> {
        self.write(move |conn| Ok(execute(conn, sql, params)? > 0))
            .await
    }
}

#[async_trait]
impl AuthenticatorStore for SqliteStore {
    async fn list(&self, user: &UserId) -> Result<Vec<Authenticator>, StoreError> {
        let user = user.as_str().to_owned();
        self.read(move |conn| query_all(conn, LIST, [user], decode))
            .await
    }

    async fn insert(&self, a: &Authenticator) -> Result<(), StoreError> {
        let a = a.clone();
        self.write(move |conn| {
            execute(
                conn,
                INSERT,
                params![
                    a.user_id.as_str(),
                    a.id.as_str(),
                    a.factor.as_str(),
                    a.name.as_deref(),
                    a.secret.0.as_slice(),
                    i64::from(a.active),
                    a.created_at.unix_millis(),
                    a.last_used.map(Timestamp::unix_millis),
                    a.last_step,
                ],
            )
            .map(drop)
        })
        .await
    }

    async fn delete_inactive(&self, user: &UserId) -> Result<u64, StoreError> {
        let user = user.as_str().to_owned();
        self.write(move |conn| execute(conn, DELETE_INACTIVE, [user]))
            .await
    }

    async fn delete(&self, user: &UserId, id: &AuthenticatorId) -> Result<bool, StoreError> {
        self.change(DELETE, [user.as_str().to_owned(), id.as_str().to_owned()])
            .await
    }

    async fn activate(&self, user: &UserId, id: &AuthenticatorId) -> Result<bool, StoreError> {
        self.change(ACTIVATE, [user.as_str().to_owned(), id.as_str().to_owned()])
            .await
    }

    async fn record_use(
        &self,
        user: &UserId,
        id: &AuthenticatorId,
        step: Option<i64>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let (user, id) = (user.as_str().to_owned(), id.as_str().to_owned());
        self.change(RECORD_USE, (user, id, at.unix_millis(), step))
            .await
    }

    async fn replace_secret(
        &self,
        user: &UserId,
        id: &AuthenticatorId,
        current: &AuthenticatorSecret,
        next: &AuthenticatorSecret,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let (user, id) = (user.as_str().to_owned(), id.as_str().to_owned());
        let (current, next) = (current.0.clone(), next.0.clone());
        self.change(REPLACE_SECRET, (user, id, current, next, at.unix_millis()))
            .await
    }
}
