//! [`ChallengeStore`] on the `challenges` table.
//!
//! Every state change is one statement whose `WHERE` clause carries the rule
//! (`NOT consumed AND attempts_left > 0 AND expires_at > now`), so
//! concurrent redemptions are serialised by PostgreSQL's row lock and never
//! read-then-write.

use async_trait::async_trait;
use sesame_domain::challenge::{AuthParams, Challenge, ChallengeId, ChallengeKey, SendMode};
use sesame_domain::client::ClientId;
use sesame_domain::ports::{ChallengeStore, StoreError};
use sesame_domain::time::Timestamp;

use crate::codec::{mac, parse, recipient, unsigned};
use crate::error::{corrupt, from_sqlx};
use crate::store::PgStore;

/// A `challenges` row as read.
struct ChallengeRow {
    id: String,
    client_id: String,
    connection: String,
    recipient: String,
    send_mode: String,
    auth_params: String,
    code_mac: Vec<u8>,
    link_mac: Option<Vec<u8>>,
    created_at: i64,
    expires_at: i64,
    attempts_left: i64,
    consumed: bool,
}

impl TryFrom<ChallengeRow> for Challenge {
    type Error = StoreError;

    fn try_from(r: ChallengeRow) -> Result<Self, StoreError> {
        let auth_params: AuthParams = serde_json::from_str(&r.auth_params)
            .map_err(|_| corrupt("auth_params is not a valid parameter object"))?;
        Ok(Self {
            id: ChallengeId::from_stored(r.id),
            client_id: ClientId::parse(r.client_id)
                .map_err(|_| corrupt("challenges.client_id is not a client id"))?,
            recipient: recipient(&r.connection, &r.recipient)?,
            send: parse::<SendMode>("send_mode", &r.send_mode)?,
            auth_params,
            code_mac: mac("code_mac", &r.code_mac)?,
            link_mac: r
                .link_mac
                .as_deref()
                .map(|b| mac("link_mac", b))
                .transpose()?,
            created_at: Timestamp::from_unix_millis(r.created_at),
            expires_at: Timestamp::from_unix_millis(r.expires_at),
            attempts_left: unsigned("attempts_left", r.attempts_left)?,
            consumed: r.consumed,
        })
    }
}

#[async_trait]
impl ChallengeStore for PgStore {
    async fn put(&self, challenge: &Challenge) -> Result<(), StoreError> {
        let auth_params = serde_json::to_string(&challenge.auth_params)
            .map_err(|e| StoreError::Unknown(e.into()))?;
        let link_mac = challenge.link_mac.as_ref().map(|m| m.as_bytes().as_slice());
        // An upsert on the (client, connection, recipient) key rewrites the
        // old row in place, id included: one statement, so a concurrent
        // consume of the old id either wins before it or finds no such id.
        self.bounded(async {
            sqlx::query!(
                r#"
                INSERT INTO challenges (id, client_id, connection, recipient, send_mode,
                    auth_params, code_mac, link_mac, created_at, expires_at,
                    attempts_left, consumed)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                ON CONFLICT ON CONSTRAINT challenges_key DO UPDATE SET
                    id = EXCLUDED.id,
                    send_mode = EXCLUDED.send_mode,
                    auth_params = EXCLUDED.auth_params,
                    code_mac = EXCLUDED.code_mac,
                    link_mac = EXCLUDED.link_mac,
                    created_at = EXCLUDED.created_at,
                    expires_at = EXCLUDED.expires_at,
                    attempts_left = EXCLUDED.attempts_left,
                    consumed = EXCLUDED.consumed
                "#,
                challenge.id.as_str(),
                challenge.client_id.as_str(),
                challenge.connection().as_str(),
                challenge.recipient.as_str(),
                challenge.send.as_str(),
                auth_params,
                challenge.code_mac.as_bytes().as_slice(),
                link_mac,
                challenge.created_at.unix_millis(),
                challenge.expires_at.unix_millis(),
                i64::from(challenge.attempts_left),
                challenge.consumed,
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }

    async fn latest(&self, key: &ChallengeKey) -> Result<Option<Challenge>, StoreError> {
        let row = self
            .bounded(async {
                sqlx::query_as!(
                    ChallengeRow,
                    r#"
                    SELECT id, client_id, connection, recipient, send_mode, auth_params,
                        code_mac, link_mac, created_at, expires_at, attempts_left, consumed
                    FROM challenges
                    WHERE client_id = $1 AND connection = $2 AND recipient = $3
                    "#,
                    key.client_id.as_str(),
                    key.connection().as_str(),
                    key.recipient.as_str(),
                )
                .fetch_optional(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        row.map(Challenge::try_from).transpose()
    }

    async fn record_failure(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
    ) -> Result<Option<u32>, StoreError> {
        let left = self
            .bounded(async {
                sqlx::query_scalar!(
                    r#"
                    UPDATE challenges SET attempts_left = attempts_left - 1
                    WHERE id = $1 AND NOT consumed AND attempts_left > 0
                    RETURNING attempts_left
                    "#,
                    id.as_str(),
                )
                .fetch_optional(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        left.map(|n| unsigned("attempts_left", n)).transpose()
    }

    async fn consume(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let flipped = self
            .bounded(async {
                sqlx::query_scalar!(
                    r#"
                    UPDATE challenges SET consumed = true
                    WHERE id = $1 AND NOT consumed AND attempts_left > 0 AND expires_at > $2
                    RETURNING id
                    "#,
                    id.as_str(),
                    now.unix_millis(),
                )
                .fetch_optional(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        Ok(flipped.is_some())
    }

    async fn consume_link(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        // A link ignores the code's attempts: wrong codes must not kill it.
        let flipped: Option<String> = self
            .bounded(async {
                sqlx::query_scalar(
                    "UPDATE challenges SET consumed = true \
                     WHERE id = $1 AND NOT consumed AND expires_at > $2 RETURNING id",
                )
                .bind(id.as_str())
                .bind(now.unix_millis())
                .fetch_optional(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        Ok(flipped.is_some())
    }

    async fn delete(&self, _key: &ChallengeKey, id: &ChallengeId) -> Result<(), StoreError> {
        self.bounded(async {
            sqlx::query!("DELETE FROM challenges WHERE id = $1", id.as_str())
                .execute(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }
}

impl PgStore {
    /// Deletes challenges whose `expires_at` is before `before`; returns how
    /// many went.
    pub(crate) async fn purge_challenges(&self, before: Timestamp) -> Result<u64, StoreError> {
        self.bounded(async {
            let done = sqlx::query!(
                "DELETE FROM challenges WHERE expires_at < $1",
                before.unix_millis()
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(done.rows_affected())
        })
        .await
    }
}
