//! [`ChallengeStore`] on the `challenges` table.
//!
//! A unique key on (client, connection, recipient) keeps one challenge per
//! key; every state change is one conditional `UPDATE`, so SQLite's write
//! lock alone makes it atomic.

use async_trait::async_trait;
use rusqlite::{Connection, Row, params};
use sesame_domain::ports::{ChallengeStore, StoreError};
use sesame_domain::{Challenge, ChallengeId, ChallengeKey, ClientId, Timestamp};

use crate::SqliteStore;
use crate::codec::{flag, get, json, mac, opt_mac, recipient, small_count, timestamp, to_json};
use crate::conn::{execute, query_opt};
use crate::error::corrupt;

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

fn decode(row: &Row<'_>) -> Result<Challenge, StoreError> {
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

/// A challenge as `PUT` binds it, owned, so a writer job can carry it.
#[derive(Clone)]
pub(crate) struct PutRow {
    challenge: Challenge,
    auth_params: String,
}

impl PutRow {
    /// `challenge`, encoded.
    pub(crate) fn of(challenge: &Challenge) -> Result<Self, StoreError> {
        Ok(Self {
            auth_params: to_json(&challenge.auth_params, "auth_params")?,
            challenge: challenge.clone(),
        })
    }

    /// Stores it in place of the earlier challenge of its key.
    pub(crate) fn run(&self, conn: &Connection) -> Result<(), StoreError> {
        let c = &self.challenge;
        execute(
            conn,
            PUT,
            params![
                c.id.as_str(),
                c.client_id.as_str(),
                c.connection().as_str(),
                c.recipient.as_str(),
                c.send.as_str(),
                self.auth_params,
                c.code_mac.as_bytes().as_slice(),
                c.link_mac.as_ref().map(|m| m.as_bytes().as_slice()),
                c.created_at.unix_millis(),
                c.expires_at.unix_millis(),
                i64::from(c.attempts_left),
                c.consumed,
            ],
        )
        .map(drop)
    }
}

/// The challenge of `key`, on `conn`.
pub(crate) fn latest_in(
    conn: &Connection,
    key: &ChallengeKey,
) -> Result<Option<Challenge>, StoreError> {
    query_opt(
        conn,
        SELECT_LATEST,
        params![
            key.client_id.as_str(),
            key.connection().as_str(),
            key.recipient.as_str()
        ],
        decode,
    )
}

/// Whether `id` was consumed by its code at `now` by this call, on `conn`.
pub(crate) fn consume_in(conn: &Connection, id: &str, now: Timestamp) -> Result<bool, StoreError> {
    query_opt(conn, CONSUME, params![id, now.unix_millis()], |_| Ok(())).map(|row| row.is_some())
}

#[async_trait]
impl ChallengeStore for SqliteStore {
    async fn put(&self, challenge: &Challenge) -> Result<(), StoreError> {
        let row = PutRow::of(challenge)?;
        self.write(move |conn| row.run(conn)).await
    }

    async fn latest(&self, key: &ChallengeKey) -> Result<Option<Challenge>, StoreError> {
        let key = key.clone();
        self.read(move |conn| latest_in(conn, &key)).await
    }

    async fn record_failure(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
    ) -> Result<Option<u32>, StoreError> {
        let id = id.as_str().to_owned();
        self.write(move |conn| {
            query_opt(conn, RECORD_FAILURE, [id], |r| {
                small_count(r, "challenges", "attempts_left")
            })
        })
        .await
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
        let id = id.as_str().to_owned();
        self.write(move |conn| execute(conn, DELETE, [id]).map(drop))
            .await
    }
}

impl SqliteStore {
    /// Runs one of the consuming `UPDATE`s; whether it flipped the row.
    async fn flip(
        &self,
        sql: &'static str,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let id = id.as_str().to_owned();
        self.write(move |conn| {
            query_opt(conn, sql, params![id, now.unix_millis()], |_| Ok(()))
                .map(|row| row.is_some())
        })
        .await
    }

    /// Removes challenges whose `expires_at` is before `before`; returns how
    /// many went.
    pub(crate) async fn purge_challenges(&self, before: Timestamp) -> Result<u64, StoreError> {
        self.write(move |conn| execute(conn, PURGE, [before.unix_millis()]))
            .await
    }
}
