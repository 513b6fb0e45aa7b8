//! [`DpopReplayStore`] on the `dpop_jtis` table: one conditional upsert
//! claims a key that is new or whose entry expired, and says whether it did.

use async_trait::async_trait;
use sesame_domain::Timestamp;
use sesame_domain::ports::{DpopReplayStore, StoreError};

use crate::SqliteStore;
use crate::conn::{execute, query_opt};
use rusqlite::params;

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
        self.write(move |conn| execute(conn, PURGE, [by.unix_millis()]))
            .await
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
        let key = key.to_owned();
        self.write(move |conn| {
            let claimed = query_opt(
                conn,
                CLAIM,
                params![key, expires_at.unix_millis(), now.unix_millis()],
                |_| Ok(()),
            )?;
            Ok(claimed.is_some())
        })
        .await
    }
}
