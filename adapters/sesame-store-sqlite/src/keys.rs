//! [`KeyStore`] on the `signing_keys` table.
//!
//! A unique index on (alg, status) allows one current and one previous key
//! per algorithm. Rotation is a compare-and-set in one transaction job of
//! the writer, whose batch holds the write lock before it reads the current
//! key, so no other writer can slip in between the check and the swap.

use std::sync::Arc;

use async_trait::async_trait;
use rusqlite::{Row, params};
use secrecy::SecretBox;
use sesame_domain::ports::{KeyStore, StoreError};
use sesame_domain::{KeyStatus, SigningKey};

use crate::SqliteStore;
use crate::codec::{get, json, timestamp, to_json};
use crate::conn::{execute, query_all, query_opt};
use crate::error::corrupt;

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

fn decode(row: &Row<'_>) -> Result<SigningKey, StoreError> {
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
        self.read(|conn| query_all(conn, ACTIVE, [], decode)).await
    }

    async fn rotate(
        &self,
        new: &SigningKey,
        expected_current: Option<&str>,
    ) -> Result<bool, StoreError> {
        let alg = new.alg.as_str();
        let public_jwk = to_json(&new.public_jwk, "public_jwk")?;
        let expected = expected_current.map(str::to_owned);
        let (kid, der, created_at) = (
            new.kid.clone(),
            new.private_der().to_vec(),
            new.created_at.unix_millis(),
        );
        self.transaction(move |conn| {
            let current: Option<String> =
                query_opt(conn, CURRENT_KID, [alg], |row| get(row, "kid"))?;
            if current != expected {
                return Ok(false);
            }
            for statement in [DROP_PREVIOUS, DEMOTE_CURRENT] {
                execute(conn, statement, [alg])?;
            }
            execute(
                conn,
                INSERT_CURRENT,
                params![kid, alg, der, public_jwk, created_at],
            )?;
            Ok(true)
        })
        .await
    }

    async fn reseal(&self, kid: &str, from: &[u8], to: &[u8]) -> Result<bool, StoreError> {
        let (kid, from, to) = (kid.to_owned(), from.to_vec(), to.to_vec());
        self.write(move |conn| Ok(execute(conn, RESEAL, params![kid, from, to])? == 1))
            .await
    }
}
