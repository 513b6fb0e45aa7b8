//! [`DpopReplayStore`] on the `dpop_jtis` table: one conditional upsert
//! claims a key that is new or whose entry expired, and says whether it did.

use async_trait::async_trait;
use sesame_domain::Timestamp;
use sesame_domain::ports::{DpopReplayStore, StoreError};

use crate::SqliteStore;
use crate::error::store_error;

/// Inserts the key, or takes over an expired entry; returns a row only when
/// the claim is new.
const CLAIM: &str = "INSERT INTO dpop_jtis (key, expires_at) VALUES (?1, ?2) \
     ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at \
     WHERE dpop_jtis.expires_at <= ?3 \
     RETURNING 1";

const PURGE: &str = "DELETE FROM dpop_jtis WHERE expires_at <= ?1";

impl SqliteStore {
    /// Removes the entries that expired at or before `by`; how many went.
    pub(crate) async fn purge_dpop_jtis(&self, by: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query(PURGE)
            .bind(by.unix_millis())
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl DpopReplayStore for SqliteStore {
    async fn claim(
        &self,
        key: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let row: Option<i64> = sqlx::query_scalar(CLAIM)
            .bind(key)
            .bind(expires_at.unix_millis())
            .bind(now.unix_millis())
            .fetch_optional(&self.write)
            .await
            .map_err(store_error)?;
        Ok(row.is_some())
    }
}
