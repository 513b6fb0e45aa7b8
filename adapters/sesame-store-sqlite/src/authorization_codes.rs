//! [`AuthorizationCodeStore`] on the `authorization_codes` table.
//!
//! Each row is one code, keyed by its MAC, with `spent` and `replayed`
//! flags and the refresh family its exchange produced. Every state change
//! is one conditional `UPDATE … RETURNING`, so SQLite's write lock alone
//! makes it atomic: of concurrent redeems exactly one flips `spent`, and a
//! replay's `replayed = 1` and `record_family`'s `replayed = 0` condition
//! are ordered by that same lock.

use async_trait::async_trait;
use rusqlite::{Row, params};
use sesame_domain::ports::{AuthorizationCodeStore, StoreError};
use sesame_domain::{
    AuthorizationCode, ClientId, CodeMac, PkceChallenge, Redemption, RedirectUri, Scope, Timestamp,
    UserId,
};

use crate::SqliteStore;
use crate::codec::{get, mac, timestamp};
use crate::conn::{execute, query_opt};
use crate::error::corrupt;

const T: &str = "authorization_codes";

const INSERT: &str = "INSERT INTO authorization_codes (code_mac, client_id, user_id, \
     redirect_uri, scope, audience, nonce, code_challenge, created_at, expires_at, \
     redirect_uri_required) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

/// Spends a code that is unspent and unexpired at `?2`, returning it.
const SPEND: &str = "UPDATE authorization_codes SET spent = 1 \
     WHERE code_mac = ?1 AND spent = 0 AND expires_at > ?2 \
     RETURNING code_mac, client_id, user_id, redirect_uri, scope, audience, nonce, \
     code_challenge, created_at, expires_at, redirect_uri_required";

/// Marks a spent code replayed, returning the family it recorded.
const REPLAY: &str = "UPDATE authorization_codes SET replayed = 1 \
     WHERE code_mac = ?1 AND spent = 1 RETURNING family_id";

const RECORD_FAMILY: &str = "UPDATE authorization_codes SET family_id = ?2 \
     WHERE code_mac = ?1 AND replayed = 0";

const PURGE: &str = "DELETE FROM authorization_codes WHERE expires_at < ?1";

fn decode(row: &Row<'_>) -> Result<AuthorizationCode, StoreError> {
    Ok(AuthorizationCode {
        code_mac: mac(row, T, "code_mac")?,
        client_id: ClientId::parse(get::<String>(row, "client_id")?)
            .map_err(|_| corrupt(T, "client_id", "not a client id"))?,
        user_id: UserId::parse(&get::<String>(row, "user_id")?)
            .map_err(|_| corrupt(T, "user_id", "not an Auth0 user id"))?,
        redirect_uri: RedirectUri::parse(&get::<String>(row, "redirect_uri")?)
            .map_err(|_| corrupt(T, "redirect_uri", "not an absolute URI"))?,
        redirect_uri_required: get(row, "redirect_uri_required")?,
        scope: Scope::parse(&get::<String>(row, "scope")?)
            .map_err(|_| corrupt(T, "scope", "not a scope"))?,
        audience: get(row, "audience")?,
        nonce: get(row, "nonce")?,
        code_challenge: get::<Option<String>>(row, "code_challenge")?
            .as_deref()
            .map(PkceChallenge::parse)
            .transpose()
            .map_err(|_| corrupt(T, "code_challenge", "not a PKCE value"))?,
        created_at: timestamp(row, "created_at")?,
        expires_at: timestamp(row, "expires_at")?,
    })
}

#[async_trait]
impl AuthorizationCodeStore for SqliteStore {
    async fn insert(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        let code = code.clone();
        // A plain INSERT: a second code under the same MAC is refused rather
        // than allowed to reset a spent one.
        self.write(move |conn| {
            execute(
                conn,
                INSERT,
                params![
                    code.code_mac.as_bytes().as_slice(),
                    code.client_id.as_str(),
                    code.user_id.as_str(),
                    code.redirect_uri.as_str(),
                    code.scope.as_str(),
                    code.audience.as_deref(),
                    code.nonce.as_deref(),
                    code.code_challenge.as_ref().map(PkceChallenge::as_str),
                    code.created_at.unix_millis(),
                    code.expires_at.unix_millis(),
                    code.redirect_uri_required,
                ],
            )
            .map(drop)
        })
        .await
    }

    async fn redeem(&self, mac: &CodeMac, now: Timestamp) -> Result<Redemption, StoreError> {
        let key = mac.as_bytes().to_vec();
        self.write(move |conn| {
            let spent = query_opt(conn, SPEND, params![key, now.unix_millis()], decode)?;
            if let Some(code) = spent {
                return Ok(Redemption::Redeemed(code));
            }
            // Not spent by this call: spent before (a replay), expired
            // unspent, or unknown. Only the first leaves a row here.
            let replayed = query_opt(conn, REPLAY, [&key], |row| get(row, "family_id"))?;
            Ok(match replayed {
                Some(family_id) => Redemption::Reused { family_id },
                None => Redemption::Invalid,
            })
        })
        .await
    }

    async fn record_family(&self, mac: &CodeMac, family_id: &str) -> Result<bool, StoreError> {
        let key = mac.as_bytes().to_vec();
        let family_id = family_id.to_owned();
        self.write(move |conn| Ok(execute(conn, RECORD_FAMILY, params![key, family_id])? == 1))
            .await
    }
}

impl SqliteStore {
    /// Removes codes, spent or not, whose `expires_at` is before `before`;
    /// returns how many went.
    pub(crate) async fn purge_authorization_codes(
        &self,
        before: Timestamp,
    ) -> Result<u64, StoreError> {
        self.write(move |conn| execute(conn, PURGE, [before.unix_millis()]))
            .await
    }
}
