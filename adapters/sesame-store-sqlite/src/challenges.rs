//! [`ChallengeStore`] on the `challenges` table.
//!
//! A unique key on (client, connection, recipient) keeps one challenge per
//! key; every state change is one conditional `UPDATE`, so SQLite's write
//! lock alone makes it atomic.

use async_trait::async_trait;
use sesame_domain::ports::{ChallengeStore, StoreError};
use sesame_domain::{Challenge, ChallengeId, ChallengeKey, ClientId, Timestamp};
use sqlx::sqlite::SqliteRow;

use crate::SqliteStore;
use crate::codec::{flag, get, json, mac, opt_mac, recipient, small_count, timestamp, to_json};
use crate::error::{corrupt, store_error};

const SELECT_LATEST: &str = "SELECT id, client_id, connection, recipient, send, auth_params, \
     code_mac, link_mac, created_at, expires_at, attempts_left, consumed FROM challenges \
     WHERE client_id = ?1 AND connection = ?2 AND recipient = ?3";

/// Stores a challenge in place of the earlier one of the same key (and of
/// any row with the same id), so the earlier id stops working: `REPLACE`
/// deletes every row that conflicts on the primary key or the unique key
/// before inserting, all in one statement.
const PUT: &str = "INSERT OR REPLACE INTO challenges (id, client_id, connection, recipient, send, \
     auth_params, code_mac, link_mac, created_at, expires_at, attempts_left, consumed) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";

const RECORD_FAILURE: &str = "UPDATE challenges SET attempts_left = attempts_left - 1 \
     WHERE id = ?1 AND consumed = 0 AND attempts_left > 0 RETURNING attempts_left";

const CONSUME: &str = "UPDATE challenges SET consumed = 1 \
     WHERE id = ?1 AND consumed = 0 AND attempts_left > 0 AND expires_at > ?2 RETURNING id";

/// A link ignores the code's attempts: wrong codes must not kill it.
const CONSUME_LINK: &str = "UPDATE challenges SET consumed = 1 \
     WHERE id = ?1 AND consumed = 0 AND expires_at > ?2 RETURNING id";

const DELETE: &str = "DELETE FROM challenges WHERE id = ?1";

const PURGE: &str = "DELETE FROM challenges WHERE expires_at < ?1";

fn decode(row: &SqliteRow) -> Result<Challenge, StoreError> {
    const T: &str = "challenges";
    Ok(Challenge {
        id: ChallengeId::from_stored(get::<String>(row, "id")?),
        client_id: ClientId::parse(get::<String>(row, "client_id")?)
            .map_err(|_| corrupt(T, "client_id", "not a client id"))?,
        recipient: recipient(row, T)?,
        send: get::<String>(row, "send")?
            .parse()
            .map_err(|_| corrupt(T, "send", "not code or link"))?,
        auth_params: json(row, T, "auth_params")?,
        code_mac: mac(row, T, "code_mac")?,
        link_mac: opt_mac(row, T, "link_mac")?,
        created_at: timestamp(row, "created_at")?,
        expires_at: timestamp(row, "expires_at")?,
        attempts_left: small_count(row, T, "attempts_left")?,
        consumed: flag(row, T, "consumed")?,
    })
}

#[async_trait]
impl ChallengeStore for SqliteStore {
    async fn put(&self, challenge: &Challenge) -> Result<(), StoreError> {
        let auth_params = to_json(&challenge.auth_params, "auth_params")?;
        sqlx::query(PUT)
            .bind(challenge.id.as_str())
            .bind(challenge.client_id.as_str())
            .bind(challenge.connection().as_str())
            .bind(challenge.recipient.as_str())
            .bind(challenge.send.as_str())
            .bind(auth_params)
            .bind(challenge.code_mac.as_bytes().as_slice())
            .bind(challenge.link_mac.as_ref().map(|m| m.as_bytes().as_slice()))
            .bind(challenge.created_at.unix_millis())
            .bind(challenge.expires_at.unix_millis())
            .bind(i64::from(challenge.attempts_left))
            .bind(challenge.consumed)
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn latest(&self, key: &ChallengeKey) -> Result<Option<Challenge>, StoreError> {
        let row = sqlx::query(SELECT_LATEST)
            .bind(key.client_id.as_str())
            .bind(key.connection().as_str())
            .bind(key.recipient.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(store_error)?;
        row.as_ref().map(decode).transpose()
    }

    async fn record_failure(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
    ) -> Result<Option<u32>, StoreError> {
        let row = sqlx::query(RECORD_FAILURE)
            .bind(id.as_str())
            .fetch_optional(&self.write)
            .await
            .map_err(store_error)?;
        row.as_ref()
            .map(|r| small_count(r, "challenges", "attempts_left"))
            .transpose()
    }

    async fn consume(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.flip(CONSUME, id, now).await
    }

    async fn consume_link(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.flip(CONSUME_LINK, id, now).await
    }

    async fn delete(&self, _key: &ChallengeKey, id: &ChallengeId) -> Result<(), StoreError> {
        sqlx::query(DELETE)
            .bind(id.as_str())
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(())
    }
}

impl SqliteStore {
    /// Runs one of the consuming `UPDATE`s; whether it flipped the row.
    async fn flip(&self, sql: &str, id: &ChallengeId, now: Timestamp) -> Result<bool, StoreError> {
        let row = sqlx::query(sql)
            .bind(id.as_str())
            .bind(now.unix_millis())
            .fetch_optional(&self.write)
            .await
            .map_err(store_error)?;
        Ok(row.is_some())
    }

    /// Removes challenges whose `expires_at` is before `before`; returns how
    /// many went.
    pub(crate) async fn purge_challenges(&self, before: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query(PURGE)
            .bind(before.unix_millis())
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected())
    }
}
