//! [`KeyStore`] on the `signing_keys` table.
//!
//! A unique index on (alg, status) allows one current and one previous key
//! per algorithm. Rotation is a compare-and-set inside a `BEGIN IMMEDIATE`
//! transaction: it holds the write lock before it reads the current key, so
//! no other writer can slip in between the check and the swap.

use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretBox;
use sesame_domain::ports::{KeyStore, StoreError};
use sesame_domain::{KeyStatus, SigningKey};
use sqlx::sqlite::SqliteRow;

use crate::SqliteStore;
use crate::codec::{get, json, timestamp, to_json};
use crate::error::{corrupt, store_error};

const ACTIVE: &str = "SELECT kid, alg, status, private_der, public_jwk, created_at \
     FROM signing_keys ORDER BY alg, status, kid";

const CURRENT_KID: &str = "SELECT kid FROM signing_keys WHERE alg = ?1 AND status = 'current'";

const DROP_PREVIOUS: &str = "DELETE FROM signing_keys WHERE alg = ?1 AND status = 'previous'";

const DEMOTE_CURRENT: &str =
    "UPDATE signing_keys SET status = 'previous' WHERE alg = ?1 AND status = 'current'";

const INSERT_CURRENT: &str = "INSERT INTO signing_keys \
     (kid, alg, status, private_der, public_jwk, created_at) \
     VALUES (?1, ?2, 'current', ?3, ?4, ?5)";

const RESEAL: &str = "UPDATE signing_keys SET private_der = ?3 WHERE kid = ?1 AND private_der = ?2";

fn decode(row: &SqliteRow) -> Result<SigningKey, StoreError> {
    const T: &str = "signing_keys";
    let status = match get::<String>(row, "status")?.as_str() {
        "current" => KeyStatus::Current,
        "previous" => KeyStatus::Previous,
        _ => return Err(corrupt(T, "status", "not current or previous")),
    };
    let private_der: Vec<u8> = get(row, "private_der")?;
    Ok(SigningKey {
        kid: get(row, "kid")?,
        alg: get::<String>(row, "alg")?
            .parse()
            .map_err(|_| corrupt(T, "alg", "not a supported algorithm"))?,
        private_der: Arc::new(SecretBox::new(private_der.into_boxed_slice())),
        public_jwk: json(row, T, "public_jwk")?,
        created_at: timestamp(row, "created_at")?,
        status,
    })
}

#[async_trait]
impl KeyStore for SqliteStore {
    async fn active(&self) -> Result<Vec<SigningKey>, StoreError> {
        let rows = sqlx::query(ACTIVE)
            .fetch_all(&self.read)
            .await
            .map_err(store_error)?;
        rows.iter().map(decode).collect()
    }

    async fn rotate(
        &self,
        new: &SigningKey,
        expected_current: Option<&str>,
    ) -> Result<bool, StoreError> {
        let alg = new.alg.as_str();
        let public_jwk = to_json(&new.public_jwk, "public_jwk")?;
        let mut tx = self
            .write
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(store_error)?;
        let current: Option<String> = sqlx::query_scalar(CURRENT_KID)
            .bind(alg)
            .fetch_optional(&mut *tx)
            .await
            .map_err(store_error)?;
        if current.as_deref() != expected_current {
            tx.rollback().await.map_err(store_error)?;
            return Ok(false);
        }
        for statement in [DROP_PREVIOUS, DEMOTE_CURRENT] {
            sqlx::query(statement)
                .bind(alg)
                .execute(&mut *tx)
                .await
                .map_err(store_error)?;
        }
        sqlx::query(INSERT_CURRENT)
            .bind(new.kid.as_str())
            .bind(alg)
            .bind(new.private_der())
            .bind(public_jwk)
            .bind(new.created_at.unix_millis())
            .execute(&mut *tx)
            .await
            .map_err(store_error)?;
        tx.commit().await.map_err(store_error)?;
        Ok(true)
    }

    async fn reseal(&self, kid: &str, from: &[u8], to: &[u8]) -> Result<bool, StoreError> {
        let done = sqlx::query(RESEAL)
            .bind(kid)
            .bind(from)
            .bind(to)
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected() == 1)
    }
}
