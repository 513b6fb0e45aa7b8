//! [`RefreshTokenStore`] on the `refresh_tokens` table.
//!
//! Each row is one token of a family, with `spent` and `revoked` flags.
//! Rotation is one transaction job of the writer, whose batch holds the
//! write lock from the start, so its read of the presented token and its
//! writes are one step to every other writer, in this process or another.

use std::collections::HashSet;
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::{Connection, Row, params};
use sesame_domain::ports::{RefreshTokenStore, StoreError};
use sesame_domain::{
    ClientId, CodeMac, Jkt, RefreshTokenRecord, Rotation, Scope, Timestamp, UserId,
};

use crate::SqliteStore;
use crate::codec::{flag, get, mac, timestamp};
use crate::conn::{execute, query_all, query_opt};
use crate::error::corrupt;

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

fn decode(row: &Row<'_>) -> Result<RefreshTokenRecord, StoreError> {
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

/// Inserts `record`.
fn insert(conn: &Connection, record: &RefreshTokenRecord) -> Result<(), StoreError> {
    execute(
        conn,
        INSERT,
        params![
            record.token_mac.as_bytes().as_slice(),
            record.family_id.as_str(),
            record.client_id.as_str(),
            record.user_id.as_str(),
            record.scope.as_str(),
            record.audience.as_deref(),
            record.created_at.unix_millis(),
            record.expires_at.unix_millis(),
            record.family_expires_at.unix_millis(),
            record.jkt.as_ref().map(Jkt::as_str),
            i64::from(record.mfa),
        ],
    )
    .map(drop)
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
        let families: HashSet<String> = self
            .write(move |conn| {
                query_all(conn, PURGE, [before.unix_millis()], |row| {
                    get(row, "family_id")
                })
            })
            .await?
            .into_iter()
            .collect();
        Ok(families.len() as u64)
    }
}

#[async_trait]
impl RefreshTokenStore for SqliteStore {
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), StoreError> {
        let record = record.clone();
        self.write(move |conn| insert(conn, &record)).await
    }

    async fn find(&self, mac: &CodeMac) -> Result<Option<RefreshTokenRecord>, StoreError> {
        let key = mac.as_bytes().to_vec();
        self.read(move |conn| query_opt(conn, FIND_LIVE_FAMILY, [key], decode))
            .await
    }

    async fn rotate(
        &self,
        presented: &CodeMac,
        replacement: &CodeMac,
        now: Timestamp,
        idle: Duration,
    ) -> Result<Rotation, StoreError> {
        let (presented, replacement) = (presented.clone(), replacement.clone());
        self.transaction(move |conn| {
            let key = presented.as_bytes().as_slice();
            let row = query_opt(conn, FIND_ANY, [key], |row| {
                Ok((
                    decode(row)?,
                    flag(row, T, "spent")?,
                    flag(row, T, "revoked")?,
                ))
            })?;
            let Some((old, spent, revoked)) = row else {
                return Ok(Rotation::Invalid);
            };
            // A spent token presented again has leaked: the family goes,
            // even if the token has expired meanwhile. Spent comes before
            // revoked: every loser of a concurrent rotation must hear
            // `Reused`, also after an earlier loser revoked the family.
            if spent {
                execute(conn, REVOKE_FAMILY, [old.family_id.as_str()])?;
                return Ok(Rotation::Reused {
                    family_id: old.family_id,
                });
            }
            if revoked || now >= old.expires_at || now >= old.family_expires_at {
                return Ok(Rotation::Invalid);
            }
            execute(conn, SPEND, [key])?;
            let next = RefreshTokenRecord {
                token_mac: replacement,
                created_at: now,
                expires_at: now.plus(idle).min(old.family_expires_at),
                ..old.clone()
            };
            insert(conn, &next)?;
            Ok(Rotation::Rotated(old))
        })
        .await
    }

    async fn revoke_family(&self, family_id: &str) -> Result<(), StoreError> {
        let family_id = family_id.to_owned();
        self.write(move |conn| execute(conn, REVOKE_FAMILY, [family_id]).map(drop))
            .await
    }

    async fn revoke_user(&self, user: &UserId) -> Result<(), StoreError> {
        let user = user.as_str().to_owned();
        self.write(move |conn| execute(conn, REVOKE_USER, [user]).map(drop))
            .await
    }
}
