//! [`DpopReplayStore`] on the `dpop_jtis` table: one conditional upsert
//! claims a key that is new or whose entry expired, and says whether it did.
//! Concurrent claims of one key serialize on its row: exactly one inserts
//! (or takes over the expired entry) and gets a row back.

use async_trait::async_trait;
use sesame_domain::ports::{DpopReplayStore, StoreError};
use sesame_domain::time::Timestamp;

use crate::error::from_sqlx;
use crate::store::PgStore;

const CLAIM: &str = "INSERT INTO dpop_jtis (key, expires_at) VALUES ($1, $2) \
     ON CONFLICT (key) DO UPDATE SET expires_at = excluded.expires_at \
     WHERE dpop_jtis.expires_at <= $3 \
     RETURNING 1";

const PURGE: &str = "DELETE FROM dpop_jtis WHERE expires_at <= $1";

impl PgStore {
    /// Deletes the entries that expired at or before `by`; how many went.
    pub(crate) async fn purge_dpop_jtis(&self, by: Timestamp) -> Result<u64, StoreError> {
        self.bounded(async {
            let done = sqlx::query(PURGE)
                .bind(by.unix_millis())
                .execute(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(done.rows_affected())
        })
        .await
    }
}

#[async_trait]
impl DpopReplayStore for PgStore {
    async fn claim(
        &self,
        key: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.bounded(async {
            let row: Option<i32> = sqlx::query_scalar(CLAIM)
                .bind(key)
                .bind(expires_at.unix_millis())
                .bind(now.unix_millis())
                .fetch_optional(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(row.is_some())
        })
        .await
    }
}
