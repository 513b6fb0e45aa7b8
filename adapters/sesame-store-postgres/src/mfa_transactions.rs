//! [`MfaTransactionStore`] on the `mfa_tickets` table: each ticket as JSON
//! text under its key, with its expiry in a column of its own for reads and
//! purging. `take` is one `DELETE … RETURNING`: concurrent takes of one key
//! queue on its row, and only the first finds it to delete.

use async_trait::async_trait;
use sesame_domain::code::CodeMac;
use sesame_domain::mfa::MfaTicket;
use sesame_domain::ports::{MfaTransactionStore, StoreError};
use sesame_domain::time::Timestamp;

use crate::error::{corrupt, from_sqlx};
use crate::store::PgStore;

const PUT: &str = "INSERT INTO mfa_tickets (key, ticket, expires_at) VALUES ($1, $2, $3) \
     ON CONFLICT (key) DO UPDATE SET ticket = excluded.ticket, expires_at = excluded.expires_at";

const GET: &str = "SELECT ticket, expires_at FROM mfa_tickets WHERE key = $1 AND expires_at > $2";

/// Removes the ticket, expired or not (an expired one is of no use).
const TAKE: &str = "DELETE FROM mfa_tickets WHERE key = $1 RETURNING ticket, expires_at";

const PURGE: &str = "DELETE FROM mfa_tickets WHERE expires_at <= $1";

/// The ticket of a row (its JSON and expiry), if it has not expired at
/// `now`.
fn live(row: Option<(String, i64)>, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
    match row {
        Some((json, expires_at)) if expires_at > now.unix_millis() => serde_json::from_str(&json)
            .map(Some)
            .map_err(|_| corrupt("mfa_tickets.ticket is not a ticket")),
        _ => Ok(None),
    }
}

impl PgStore {
    /// Deletes the tickets that expired at or before `now`; how many went.
    pub(crate) async fn purge_mfa_tickets(&self, now: Timestamp) -> Result<u64, StoreError> {
        self.bounded(async {
            let done = sqlx::query(PURGE)
                .bind(now.unix_millis())
                .execute(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(done.rows_affected())
        })
        .await
    }
}

#[async_trait]
impl MfaTransactionStore for PgStore {
    async fn put(&self, key: &CodeMac, ticket: &MfaTicket) -> Result<(), StoreError> {
        let json = serde_json::to_string(ticket).map_err(|e| StoreError::Unknown(e.into()))?;
        self.bounded(async {
            sqlx::query(PUT)
                .bind(key.as_bytes().as_slice())
                .bind(json)
                .bind(ticket.expires_at().unix_millis())
                .execute(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }

    async fn get(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        let row = self
            .bounded(async {
                sqlx::query_as(GET)
                    .bind(key.as_bytes().as_slice())
                    .bind(now.unix_millis())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(from_sqlx)
            })
            .await?;
        live(row, now)
    }

    async fn take(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        let row = self
            .bounded(async {
                sqlx::query_as(TAKE)
                    .bind(key.as_bytes().as_slice())
                    .fetch_optional(&self.pool)
                    .await
                    .map_err(from_sqlx)
            })
            .await?;
        live(row, now)
    }
}
