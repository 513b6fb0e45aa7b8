//! [`MfaTransactionStore`] on the `mfa_tickets` table: each ticket as JSON
//! under its key, with its expiry in a column of its own for reads and
//! purging. `take` is one `DELETE … RETURNING`: of concurrent takes exactly
//! one deletes the row and gets it back.

use async_trait::async_trait;
use sesame_domain::Timestamp;
use sesame_domain::code::CodeMac;
use sesame_domain::mfa::MfaTicket;
use sesame_domain::ports::{MfaTransactionStore, StoreError};
use sqlx::sqlite::SqliteRow;

use crate::SqliteStore;
use crate::codec::{json, timestamp, to_json};
use crate::error::store_error;

const T: &str = "mfa_tickets";

const PUT: &str = "INSERT INTO mfa_tickets (key, ticket, expires_at) VALUES (?1, ?2, ?3) \
     ON CONFLICT (key) DO UPDATE SET ticket = excluded.ticket, expires_at = excluded.expires_at";

const GET: &str = "SELECT ticket, expires_at FROM mfa_tickets WHERE key = ?1 AND expires_at > ?2";

/// Removes the ticket, expired or not (an expired one is of no use).
const TAKE: &str = "DELETE FROM mfa_tickets WHERE key = ?1 RETURNING ticket, expires_at";

const PURGE: &str = "DELETE FROM mfa_tickets WHERE expires_at <= ?1";

/// The ticket in `row`, if it has not expired at `now`.
fn live(row: Option<SqliteRow>, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
    match row {
        Some(row) if timestamp(&row, "expires_at")? > now => json(&row, T, "ticket").map(Some),
        _ => Ok(None),
    }
}

impl SqliteStore {
    /// Removes the tickets that expired at or before `now`; how many went.
    pub(crate) async fn purge_mfa_tickets(&self, now: Timestamp) -> Result<u64, StoreError> {
        let done = sqlx::query(PURGE)
            .bind(now.unix_millis())
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected())
    }
}

#[async_trait]
impl MfaTransactionStore for SqliteStore {
    async fn put(&self, key: &CodeMac, ticket: &MfaTicket) -> Result<(), StoreError> {
        sqlx::query(PUT)
            .bind(key.as_bytes().as_slice())
            .bind(to_json(ticket, "an MFA ticket")?)
            .bind(ticket.expires_at().unix_millis())
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(())
    }

    async fn get(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        let row = sqlx::query(GET)
            .bind(key.as_bytes().as_slice())
            .bind(now.unix_millis())
            .fetch_optional(&self.read)
            .await
            .map_err(store_error)?;
        live(row, now)
    }

    async fn take(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        let row = sqlx::query(TAKE)
            .bind(key.as_bytes().as_slice())
            .fetch_optional(&self.write)
            .await
            .map_err(store_error)?;
        live(row, now)
    }
}
