//! [`AuthenticatorStore`] on the `authenticators` table.
//!
//! Rows are keyed by (user, id) and every statement names both, so an id
//! never reaches another user's authenticator. Each check-and-set
//! (`record_use` with a step, `replace_secret`) is one conditional `UPDATE`:
//! concurrent updates of one row queue on its lock, and each re-checks its
//! condition on the row the one before it left, so exactly one changes it.

use async_trait::async_trait;
use sesame_domain::mfa::{Authenticator, AuthenticatorId, AuthenticatorSecret, Factor};
use sesame_domain::ports::{AuthenticatorStore, StoreError};
use sesame_domain::time::Timestamp;
use sesame_domain::user::UserId;

use crate::codec::parse;
use crate::error::{corrupt, from_sqlx};
use crate::store::PgStore;

/// Oldest first; enrollments of one instant in the order they were stored.
const LIST: &str = "SELECT user_id, id, factor, name, secret, active, created_at, last_used, \
     last_step FROM authenticators WHERE user_id = $1 ORDER BY created_at, seq";

const INSERT: &str = "INSERT INTO authenticators (user_id, id, factor, name, secret, active, \
     created_at, last_used, last_step) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";

const DELETE_INACTIVE: &str = "DELETE FROM authenticators WHERE user_id = $1 AND NOT active";

const DELETE: &str = "DELETE FROM authenticators WHERE user_id = $1 AND id = $2";

const ACTIVATE: &str = "UPDATE authenticators SET active = true WHERE user_id = $1 AND id = $2";

/// With a step (`$4`), only when it is above the last one, which it becomes.
const RECORD_USE: &str = "UPDATE authenticators \
     SET active = true, last_used = $3, last_step = coalesce($4, last_step) \
     WHERE user_id = $1 AND id = $2 \
     AND ($4::BIGINT IS NULL OR last_step IS NULL OR last_step < $4)";

const REPLACE_SECRET: &str = "UPDATE authenticators \
     SET secret = $4, active = true, last_used = $5 \
     WHERE user_id = $1 AND id = $2 AND secret = $3";

/// An `authenticators` row as read.
#[derive(sqlx::FromRow)]
struct Row {
    user_id: String,
    id: String,
    factor: String,
    name: Option<String>,
    secret: Vec<u8>,
    active: bool,
    created_at: i64,
    last_used: Option<i64>,
    last_step: Option<i64>,
}

impl TryFrom<Row> for Authenticator {
    type Error = StoreError;

    fn try_from(r: Row) -> Result<Self, StoreError> {
        Ok(Self {
            id: AuthenticatorId::parse(&r.id)
                .map_err(|_| corrupt("authenticators.id is not an authenticator id"))?,
            user_id: UserId::parse(&r.user_id)
                .map_err(|_| corrupt("authenticators.user_id is not a user id"))?,
            factor: parse::<Factor>("authenticators.factor", &r.factor)?,
            name: r.name,
            secret: AuthenticatorSecret(r.secret),
            active: r.active,
            created_at: Timestamp::from_unix_millis(r.created_at),
            last_used: r.last_used.map(Timestamp::from_unix_millis),
            last_step: r.last_step,
        })
    }
}

impl PgStore {
    /// Runs one write; whether it changed a row.
    async fn change<'q>(
        &self,
        query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    ) -> Result<bool, StoreError> {
        self.bounded(async {
            let done = query.execute(&self.pool).await.map_err(from_sqlx)?;
            Ok(done.rows_affected() > 0)
        })
        .await
    }
}

#[async_trait]
impl AuthenticatorStore for PgStore {
    async fn list(&self, user: &UserId) -> Result<Vec<Authenticator>, StoreError> {
        let rows: Vec<Row> = self
            .bounded(async {
                sqlx::query_as(LIST)
                    .bind(user.as_str())
                    .fetch_all(&self.pool)
                    .await
                    .map_err(from_sqlx)
            })
            .await?;
        rows.into_iter().map(Authenticator::try_from).collect()
    }

    async fn insert(&self, a: &Authenticator) -> Result<(), StoreError> {
        self.change(
            sqlx::query(INSERT)
                .bind(a.user_id.as_str())
                .bind(a.id.as_str())
                .bind(a.factor.as_str())
                .bind(a.name.as_deref())
                .bind(a.secret.0.as_slice())
                .bind(a.active)
                .bind(a.created_at.unix_millis())
                .bind(a.last_used.map(Timestamp::unix_millis))
                .bind(a.last_step),
        )
        .await?;
        Ok(())
    }

    async fn delete_inactive(&self, user: &UserId) -> Result<u64, StoreError> {
        self.bounded(async {
            let done = sqlx::query(DELETE_INACTIVE)
                .bind(user.as_str())
                .execute(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(done.rows_affected())
        })
        .await
    }

    async fn delete(&self, user: &UserId, id: &AuthenticatorId) -> Result<bool, StoreError> {
        self.change(sqlx::query(DELETE).bind(user.as_str()).bind(id.as_str()))
            .await
    }

    async fn activate(&self, user: &UserId, id: &AuthenticatorId) -> Result<bool, StoreError> {
        self.change(sqlx::query(ACTIVATE).bind(user.as_str()).bind(id.as_str()))
            .await
    }

    async fn record_use(
        &self,
        user: &UserId,
        id: &AuthenticatorId,
        step: Option<i64>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        self.change(
            sqlx::query(RECORD_USE)
                .bind(user.as_str())
                .bind(id.as_str())
                .bind(at.unix_millis())
                .bind(step),
        )
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
        self.change(
            sqlx::query(REPLACE_SECRET)
                .bind(user.as_str())
                .bind(id.as_str())
                .bind(current.0.as_slice())
                .bind(next.0.as_slice())
                .bind(at.unix_millis()),
        )
        .await
    }
}
