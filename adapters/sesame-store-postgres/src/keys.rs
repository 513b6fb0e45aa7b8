//! [`KeyStore`] on the `signing_keys` table.
//!
//! A rotation is a transaction that first locks the algorithm's row in
//! `signing_key_algs` (`SELECT … FOR UPDATE`), so rotations of one algorithm
//! run one after the other and each compares against what the previous one
//! committed. Private keys are stored as raw bytes and never logged.

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretBox;
use sesame_domain::client::SigningAlg;
use sesame_domain::ports::{KeyStore, StoreError};
use sesame_domain::time::Timestamp;
use sesame_domain::token::{KeyStatus, SigningKey};

use crate::codec::parse;
use crate::error::{corrupt, from_sqlx};
use crate::store::PgStore;

/// A `signing_keys` row as read.
struct KeyRow {
    kid: String,
    alg: String,
    status: String,
    private_der: Vec<u8>,
    public_jwk: String,
    created_at: i64,
}

impl TryFrom<KeyRow> for SigningKey {
    type Error = StoreError;

    fn try_from(r: KeyRow) -> Result<Self, StoreError> {
        let status = match r.status.as_str() {
            "current" => KeyStatus::Current,
            "previous" => KeyStatus::Previous,
            _ => return Err(corrupt("signing_keys.status holds an unknown value")),
        };
        Ok(Self {
            kid: r.kid,
            alg: parse::<SigningAlg>("signing_keys.alg", &r.alg)?,
            private_der: Arc::new(SecretBox::new(r.private_der.into_boxed_slice())),
            public_jwk: serde_json::from_str(&r.public_jwk)
                .map_err(|_| corrupt("signing_keys.public_jwk is not JSON"))?,
            created_at: Timestamp::from_unix_millis(r.created_at),
            status,
        })
    }
}

impl PgStore {
    async fn rotate_key(
        &self,
        new: &SigningKey,
        expected_current: Option<&str>,
    ) -> Result<bool, StoreError> {
        let alg = new.alg.as_str();
        let public_jwk =
            serde_json::to_string(&new.public_jwk).map_err(|e| StoreError::Unknown(e.into()))?;
        let mut tx = self.pool.begin().await.map_err(from_sqlx)?;
        sqlx::query!(
            "INSERT INTO signing_key_algs (alg) VALUES ($1) ON CONFLICT DO NOTHING",
            alg
        )
        .execute(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        sqlx::query!(
            "SELECT alg FROM signing_key_algs WHERE alg = $1 FOR UPDATE",
            alg
        )
        .fetch_one(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        let current = sqlx::query_scalar!(
            "SELECT kid FROM signing_keys WHERE alg = $1 AND status = 'current'",
            alg
        )
        .fetch_optional(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        if current.as_deref() != expected_current {
            // Dropping the transaction rolls it back; nothing changed.
            return Ok(false);
        }
        sqlx::query!(
            "DELETE FROM signing_keys WHERE alg = $1 AND status = 'previous'",
            alg
        )
        .execute(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        sqlx::query!(
            "UPDATE signing_keys SET status = 'previous' WHERE alg = $1 AND status = 'current'",
            alg
        )
        .execute(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        sqlx::query!(
            r#"
            INSERT INTO signing_keys (alg, status, kid, private_der, public_jwk, created_at)
            VALUES ($1, 'current', $2, $3, $4, $5)
            "#,
            alg,
            new.kid,
            new.private_der(),
            public_jwk,
            new.created_at.unix_millis(),
        )
        .execute(&mut *tx)
        .await
        .map_err(from_sqlx)?;
        tx.commit().await.map_err(from_sqlx)?;
        Ok(true)
    }
}

#[async_trait]
impl KeyStore for PgStore {
    async fn active(&self) -> Result<Vec<SigningKey>, StoreError> {
        let rows = self
            .bounded(async {
                sqlx::query_as!(
                    KeyRow,
                    r#"
                    SELECT kid, alg, status, private_der, public_jwk, created_at
                    FROM signing_keys ORDER BY alg, status
                    "#
                )
                .fetch_all(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        rows.into_iter().map(SigningKey::try_from).collect()
    }

    async fn rotate(
        &self,
        new: &SigningKey,
        expected_current: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.bounded(self.rotate_key(new, expected_current)).await
    }

    async fn reseal(&self, kid: &str, from: &[u8], to: &[u8]) -> Result<bool, StoreError> {
        self.bounded(async {
            // A runtime-checked query: it needs no entry in `.sqlx`.
            sqlx::query(
                "UPDATE signing_keys SET private_der = $3 WHERE kid = $1 AND private_der = $2",
            )
            .bind(kid)
            .bind(from)
            .bind(to)
            .execute(&self.pool)
            .await
            .map(|done| done.rows_affected() == 1)
            .map_err(from_sqlx)
        })
        .await
    }
}
