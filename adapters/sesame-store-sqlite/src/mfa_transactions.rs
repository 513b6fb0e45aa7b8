//! [`MfaTransactionStore`] on the `mfa_tickets` table: each ticket as JSON
//! under its key, with its expiry in a column of its own for reads and
//! purging. `take` is one `DELETE … RETURNING`: of concurrent takes exactly
//! one deletes the row and gets it back.

use async_trait::async_trait;
use rusqlite::{Row, params};
use sesame_domain::Timestamp;
use sesame_domain::code::CodeMac;
use sesame_domain::mfa::MfaTicket;
use sesame_domain::ports::{MfaTransactionStore, StoreError};

use crate::SqliteStore;
use crate::codec::{json, timestamp, to_json};
use crate::conn::{execute, query_opt};

const T: &str = "mfa_tickets";

const PUT: &str = "INSERT INTO mfa_tickets (key, ticket, expires_at) VALUES (?1, ?2, ?3) \
     ON CONFLICT (key) DO UPDATE SET ticket = excluded.ticket, expires_at = excluded.expires_at";

const GET: &str = "SELECT ticket, expires_at FROM mfa_tickets WHERE key = ?1 AND expires_at > ?2";

/// Removes the ticket, expired or not (an expired one is of no use).
const TAKE: &str = "DELETE FROM mfa_tickets WHERE key = ?1 RETURNING ticket, expires_at";

const PURGE: &str = "DELETE FROM mfa_tickets WHERE expires_at <= ?1";

/// The ticket in `row`, if it has not expired at `now`.
fn live(row: &Row<'_>, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
    if timestamp(row, "expires_at")? > now {
        json(row, T, "ticket").map(Some)
    } else {
        Ok(None)
    }
}

impl SqliteStore {
    /// Removes the tickets that expired at or before `now`; how many went.
    pub(crate) async fn purge_mfa_tickets(&self, now: Timestamp) -> Result<u64, StoreError> {
        self.write(move |conn| execute(conn, PURGE, [now.unix_millis()]))
            .await
    }
}

#[async_trait]
impl MfaTransactionStore for SqliteStore {
    async fn put(&self, key: &CodeMac, ticket: &MfaTicket) -> Result<(), StoreError> {
        let key = key.as_bytes().to_vec();
        let body = to_json(ticket, "an MFA ticket")?;
        let expires_at = ticket.expires_at().unix_millis();
        self.write(move |conn| execute(conn, PUT, params![key, body, expires_at]).map(drop))
            .await
    }

    async fn get(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        let key = key.as_bytes().to_vec();
        let ticket = self
            .read(move |conn| {
                query_opt(conn, GET, params![key, now.unix_millis()], |row| {
                    live(row, now)
                })
            })
            .await?;
        Ok(ticket.flatten())
    }

    async fn take(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        let key = key.as_bytes().to_vec();
        let ticket = self
            .write(move |conn| query_opt(conn, TAKE, [key], |row| live(row, now)))
            .await?;
        Ok(ticket.flatten())
    }
}
