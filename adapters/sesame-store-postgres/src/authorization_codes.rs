//! [`AuthorizationCodeStore`] on the `authorization_codes` table.
//!
//! Every state change is one statement whose `WHERE` clause carries the
//! rule, so PostgreSQL's row lock orders them and nothing reads then
//! writes:
//!
//! - `redeem` first tries `SET spent = true WHERE NOT spent AND expires_at >
//!   now`: of concurrent calls exactly one gets the row back. Every other
//!   one then runs `SET replayed = true WHERE spent`, which (under READ
//!   COMMITTED) waits for the winner's update and re-checks the row, so it
//!   sees the code spent and answers `Reused`. No row from either is
//!   `Invalid`: unknown, or expired and never spent.
//! - `record_family` is `SET family_id = … WHERE NOT replayed`: it and a
//!   replay's `SET replayed = true … RETURNING family_id` lock the same row,
//!   so the replay either returns the family or makes this update match
//!   nothing.

use async_trait::async_trait;
use sesame_domain::authorization::{AuthorizationCode, Redemption};
use sesame_domain::client::ClientId;
use sesame_domain::code::CodeMac;
use sesame_domain::ports::{AuthorizationCodeStore, StoreError};
use sesame_domain::time::Timestamp;
use sesame_domain::user::UserId;
use sesame_domain::{PkceChallenge, RedirectUri, Scope};

use crate::codec::mac;
use crate::error::{corrupt, from_sqlx};
use crate::store::PgStore;

/// An `authorization_codes` row as read.
struct CodeRow {
    code_mac: Vec<u8>,
    client_id: String,
    user_id: String,
    redirect_uri: String,
    redirect_uri_required: bool,
    scope: String,
    audience: Option<String>,
    nonce: Option<Vec<u8>>,
    code_challenge: Option<String>,
    created_at: i64,
    expires_at: i64,
}

impl TryFrom<CodeRow> for AuthorizationCode {
    type Error = StoreError;

    fn try_from(r: CodeRow) -> Result<Self, StoreError> {
        Ok(Self {
            code_mac: mac("code_mac", &r.code_mac)?,
            client_id: ClientId::parse(r.client_id)
                .map_err(|_| corrupt("authorization_codes.client_id is not a client id"))?,
            user_id: UserId::parse(&r.user_id)
                .map_err(|_| corrupt("authorization_codes.user_id is not a user id"))?,
            redirect_uri: RedirectUri::parse(&r.redirect_uri)
                .map_err(|_| corrupt("authorization_codes.redirect_uri is not a URI"))?,
            redirect_uri_required: r.redirect_uri_required,
            scope: Scope::parse(&r.scope)
                .map_err(|_| corrupt("authorization_codes.scope is not a scope"))?,
            audience: r.audience,
            nonce: r
                .nonce
                .map(String::from_utf8)
                .transpose()
                .map_err(|_| corrupt("authorization_codes.nonce is not UTF-8"))?,
            code_challenge: r
                .code_challenge
                .as_deref()
                .map(PkceChallenge::parse)
                .transpose()
                .map_err(|_| corrupt("authorization_codes.code_challenge is not a PKCE value"))?,
            created_at: Timestamp::from_unix_millis(r.created_at),
            expires_at: Timestamp::from_unix_millis(r.expires_at),
        })
    }
}

#[async_trait]
impl AuthorizationCodeStore for PgStore {
    async fn insert(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        // A plain INSERT: a second code under the same MAC is refused rather
        // than allowed to reset a spent one.
        self.bounded(async {
            sqlx::query!(
                r#"
                INSERT INTO authorization_codes (code_mac, client_id, user_id, redirect_uri,
                    scope, audience, nonce, code_challenge, created_at, expires_at,
                    redirect_uri_required)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
                "#,
                code.code_mac.as_bytes().as_slice(),
                code.client_id.as_str(),
                code.user_id.as_str(),
                code.redirect_uri.as_str(),
                code.scope.as_str(),
                code.audience.as_deref(),
                code.nonce.as_deref().map(str::as_bytes),
                code.code_challenge.as_ref().map(PkceChallenge::as_str),
                code.created_at.unix_millis(),
                code.expires_at.unix_millis(),
                code.redirect_uri_required,
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }

    async fn redeem(&self, mac: &CodeMac, now: Timestamp) -> Result<Redemption, StoreError> {
        let key = mac.as_bytes().as_slice();
        self.bounded(async {
            let spent = sqlx::query_as!(
                CodeRow,
                r#"
                UPDATE authorization_codes SET spent = true
                WHERE code_mac = $1 AND NOT spent AND expires_at > $2
                RETURNING code_mac, client_id, user_id, redirect_uri, scope, audience, nonce,
                    code_challenge, created_at, expires_at, redirect_uri_required
                "#,
                key,
                now.unix_millis(),
            )
            .fetch_optional(&self.pool)
            .await
            .map_err(from_sqlx)?;
            if let Some(row) = spent {
                return Ok(Redemption::Redeemed(row.try_into()?));
            }
            let replayed = sqlx::query_scalar!(
                r#"
                UPDATE authorization_codes SET replayed = true
                WHERE code_mac = $1 AND spent
                RETURNING family_id
                "#,
                key,
            )
            .fetch_optional(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(match replayed {
                Some(family_id) => Redemption::Reused { family_id },
                None => Redemption::Invalid,
            })
        })
        .await
    }

    async fn record_family(&self, mac: &CodeMac, family_id: &str) -> Result<bool, StoreError> {
        self.bounded(async {
            let done = sqlx::query!(
                r#"
                UPDATE authorization_codes SET family_id = $2
                WHERE code_mac = $1 AND NOT replayed
                "#,
                mac.as_bytes().as_slice(),
                family_id,
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(done.rows_affected() == 1)
        })
        .await
    }
}

impl PgStore {
    /// Deletes codes, spent or not, whose `expires_at` is before `before`;
    /// returns how many went.
    pub(crate) async fn purge_authorization_codes(
        &self,
        before: Timestamp,
    ) -> Result<u64, StoreError> {
        self.bounded(async {
            let done = sqlx::query!(
                "DELETE FROM authorization_codes WHERE expires_at < $1",
                before.unix_millis()
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(done.rows_affected())
        })
        .await
    }
}
