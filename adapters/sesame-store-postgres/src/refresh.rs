//! [`RefreshTokenStore`] on `refresh_families` and `refresh_tokens`.
//!
//! Revocation is a flag on the family row, so every token of the family,
//! including one minted by a rotation racing the revocation, is revoked at
//! once. A rotation locks the presented token and its family
//! (`SELECT … FOR UPDATE`) for the length of one transaction: concurrent
//! rotations of one token run one after the other, the first spends it and
//! every later one sees it spent.

use std::time::Duration;

use async_trait::async_trait;
use sesame_domain::Scope;
use sesame_domain::client::ClientId;
use sesame_domain::code::CodeMac;
use sesame_domain::ports::{RefreshTokenStore, StoreError};
use sesame_domain::refresh::{RefreshTokenRecord, Rotation};
use sesame_domain::time::Timestamp;
use sesame_domain::user::UserId;

use crate::codec::mac;
use crate::error::{corrupt, from_sqlx};
use crate::store::PgStore;

/// A token of a family not revoked.
const FIND_LIVE: &str = "SELECT t.token_mac, t.family_id, t.client_id, t.user_id, t.scope, \
     t.audience, t.created_at, t.expires_at, t.family_expires_at, t.jkt, t.mfa \
     FROM refresh_tokens t JOIN refresh_families f ON f.family_id = t.family_id \
     WHERE t.token_mac = $1 AND NOT f.revoked";

/// A token with its family's revocation, locked for a rotation.
const LOCK_FOR_ROTATION: &str = "SELECT t.token_mac, t.family_id, t.client_id, t.user_id, \
     t.scope, t.audience, t.created_at, t.expires_at, t.family_expires_at, t.jkt, t.mfa, \
     t.spent, f.revoked \
     FROM refresh_tokens t JOIN refresh_families f ON f.family_id = t.family_id \
     WHERE t.token_mac = $1 \
     FOR UPDATE";

/// Revokes every family with a token of the user, found through
/// `refresh_tokens_user_id`; families already revoked are left as they are.
const REVOKE_USER: &str = "UPDATE refresh_families SET revoked = true \
     WHERE NOT revoked \
     AND family_id IN (SELECT family_id FROM refresh_tokens WHERE user_id = $1)";

/// [`INSERT_TOKEN`] with its family created first when it is new.
const INSERT_FAMILY_AND_TOKEN: &str = "WITH family AS (\
     INSERT INTO refresh_families (family_id, expires_at) VALUES ($2, $9) \
     ON CONFLICT (family_id) DO NOTHING) \
     INSERT INTO refresh_tokens (token_mac, family_id, client_id, \
     user_id, scope, audience, created_at, expires_at, family_expires_at, jkt, mfa) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

const INSERT_TOKEN: &str = "INSERT INTO refresh_tokens (token_mac, family_id, client_id, \
     user_id, scope, audience, created_at, expires_at, family_expires_at, jkt, mfa) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)";

/// A `refresh_tokens` row as read.
#[derive(sqlx::FromRow)]
struct TokenRow {
    token_mac: Vec<u8>,
    family_id: String,
    client_id: String,
    user_id: String,
    scope: String,
    audience: Option<String>,
    created_at: i64,
    expires_at: i64,
    family_expires_at: i64,
    jkt: Option<String>,
    mfa: bool,
}

/// A token row locked by a rotation, with its flags.
#[derive(sqlx::FromRow)]
struct LockedRow {
    #[sqlx(flatten)]
    token: TokenRow,
    spent: bool,
    revoked: bool,
}

impl TryFrom<TokenRow> for RefreshTokenRecord {
    type Error = StoreError;

    fn try_from(r: TokenRow) -> Result<Self, StoreError> {
        Ok(Self {
            token_mac: mac("token_mac", &r.token_mac)?,
            family_id: r.family_id,
            client_id: ClientId::parse(r.client_id)
                .map_err(|_| corrupt("refresh_tokens.client_id is not a client id"))?,
            user_id: UserId::parse(&r.user_id)
                .map_err(|_| corrupt("refresh_tokens.user_id is not a user id"))?,
            scope: Scope::parse(&r.scope)
                .map_err(|_| corrupt("refresh_tokens.scope is not a scope"))?,
            audience: r.audience,
            created_at: Timestamp::from_unix_millis(r.created_at),
            expires_at: Timestamp::from_unix_millis(r.expires_at),
            family_expires_at: Timestamp::from_unix_millis(r.family_expires_at),
            jkt: r.jkt.map(sesame_domain::Jkt::new),
            mfa: r.mfa,
        })
    }
}

impl PgStore {
    /// One statement, one commit: the family (if new) and its token,
    /// through a data-modifying CTE. The token's foreign key is checked at
    /// the end of the statement, when the family row exists.
    async fn insert_token(&self, r: &RefreshTokenRecord) -> Result<(), StoreError> {
        bind_token(sqlx::query(INSERT_FAMILY_AND_TOKEN), r)
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
        Ok(())
    }

    async fn rotate_token(
        &self,
        presented: &CodeMac,
        replacement: &CodeMac,
        now: Timestamp,
        idle: Duration,
    ) -> Result<Rotation, StoreError> {
        let mut tx = self.pool.begin().await.map_err(from_sqlx)?;
        let found: Option<LockedRow> = sqlx::query_as(LOCK_FOR_ROTATION)
            .bind(presented.as_bytes().as_slice())
            .fetch_optional(&mut *tx)
            .await
            .map_err(from_sqlx)?;
        let Some(found) = found else {
            return Ok(Rotation::Invalid);
        };
        if found.spent {
            // Checked before `revoked` so that every loser of a concurrent
            // rotation answers `Reused`, even after the first loser revoked.
            sqlx::query!(
                "UPDATE refresh_families SET revoked = true WHERE family_id = $1",
                found.token.family_id
            )
            .execute(&mut *tx)
            .await
            .map_err(from_sqlx)?;
            tx.commit().await.map_err(from_sqlx)?;
            return Ok(Rotation::Reused {
                family_id: found.token.family_id,
            });
        }
        let old = RefreshTokenRecord::try_from(found.token)?;
        if found.revoked || now >= old.expires_at || now >= old.family_expires_at {
            return Ok(Rotation::Invalid);
        }
        sqlx::query!(
            "UPDATE refresh_tokens SET spent = true WHERE token_mac = $1",
            presented.as_bytes().as_slice(),
        )
        .execute(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        let next = RefreshTokenRecord {
            token_mac: replacement.clone(),
            created_at: now,
            expires_at: now.plus(idle).min(old.family_expires_at),
            ..old.clone()
        };
        insert_row(&mut tx, &next).await?;
        tx.commit().await.map_err(from_sqlx)?;
        Ok(Rotation::Rotated(old))
    }
}

/// Binds `r` as `$1`…`$11` of [`INSERT_TOKEN`] and
/// [`INSERT_FAMILY_AND_TOKEN`].
fn bind_token<'q>(
    query: sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>,
    r: &'q RefreshTokenRecord,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    query
        .bind(r.token_mac.as_bytes().as_slice())
        .bind(&r.family_id)
        .bind(r.client_id.as_str())
        .bind(r.user_id.as_str())
        .bind(r.scope.as_str())
        .bind(r.audience.as_deref())
        .bind(r.created_at.unix_millis())
        .bind(r.expires_at.unix_millis())
        .bind(r.family_expires_at.unix_millis())
        .bind(r.jkt.as_ref().map(sesame_domain::Jkt::as_str))
        .bind(r.mfa)
}

/// Inserts one token row into a family that exists.
async fn insert_row(
    tx: &mut sqlx::Transaction<'_, sqlx::Postgres>,
    r: &RefreshTokenRecord,
) -> Result<(), StoreError> {
    bind_token(sqlx::query(INSERT_TOKEN), r)
        .execute(&mut **tx)
        .await
        .map_err(from_sqlx)?;
    Ok(())
}

#[async_trait]
impl RefreshTokenStore for PgStore {
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), StoreError> {
        self.bounded(self.insert_token(record)).await
    }

    async fn find(&self, mac: &CodeMac) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let row = self
            .bounded(async {
                sqlx::query_as::<_, TokenRow>(FIND_LIVE)
                    .bind(mac.as_bytes().as_slice())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(from_sqlx)
            })
            .await?;
        row.map(RefreshTokenRecord::try_from).transpose()
    }

    async fn rotate(
        &self,
        presented: &CodeMac,
        replacement: &CodeMac,
        now: Timestamp,
        idle: Duration,
    ) -> Result<Rotation, StoreError> {
        self.bounded(self.rotate_token(presented, replacement, now, idle))
            .await
    }

    async fn revoke_family(&self, family_id: &str) -> Result<(), StoreError> {
        self.bounded(async {
            sqlx::query!(
                "UPDATE refresh_families SET revoked = true WHERE family_id = $1",
                family_id
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }

    async fn revoke_user(&self, user: &UserId) -> Result<(), StoreError> {
        self.bounded(async {
            sqlx::query(REVOKE_USER)
                .bind(user.as_str())
                .execute(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }
}
