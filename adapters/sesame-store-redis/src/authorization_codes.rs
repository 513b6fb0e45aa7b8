//! [`AuthorizationCodeStore`] on Redis hashes that expire by themselves.
//!
//! Each code is a hash `{prefix}ac:{<hex(mac)>}` (its MAC as the hash tag, so
//! codes spread over a cluster's slots) holding the record, `spent`
//! and `replayed` (`0`/`1`) and, once recorded, `family_id`. Optional fields
//! are absent when `None`, so `Some("")` reads back as written. Every
//! read-modify-write is one Lua script, so it is atomic across instances:
//! `redeem` flips `spent` or, on a spent code, sets `replayed` and reads
//! `family_id` in the same step; `record_family` writes `family_id` only
//! while `replayed` is `0`.
//!
//! The hash lives [`AUTHORIZATION_CODE_RETENTION`] past the code's own
//! lifetime, so replays are recognised that long, and then goes by itself:
//! the store's [`Housekeeping`](sesame_domain::ports::Housekeeping) has
//! nothing to purge here.

use std::collections::HashMap;

use async_trait::async_trait;
use redis::Value;
use sesame_domain::authorization::{AuthorizationCode, Redemption};
use sesame_domain::client::ClientId;
use sesame_domain::code::CodeMac;
use sesame_domain::ports::{AuthorizationCodeStore, StoreError};
use sesame_domain::retention::AUTHORIZATION_CODE_RETENTION;
use sesame_domain::time::Timestamp;
use sesame_domain::user::UserId;
use sesame_domain::{PkceChallenge, RedirectUri, Scope};

use crate::scripts;
use crate::store::RedisStore;

/// Field names, shared with the Lua scripts.
pub(crate) mod field {
    /// The client it was issued to.
    pub(crate) const CLIENT_ID: &str = "client_id";
    /// The user who clicked the link.
    pub(crate) const USER_ID: &str = "user_id";
    /// Where it was delivered.
    pub(crate) const REDIRECT_URI: &str = "redirect_uri";
    /// `1` when the exchange must name the redirect URI; absent otherwise
    /// (and in codes written before the field existed).
    pub(crate) const REDIRECT_URI_REQUIRED: &str = "redirect_uri_required";
    /// The granted scope.
    pub(crate) const SCOPE: &str = "scope";
    /// The API asked for; absent for none.
    pub(crate) const AUDIENCE: &str = "audience";
    /// The OpenID nonce; absent for none.
    pub(crate) const NONCE: &str = "nonce";
    /// The PKCE S256 challenge; absent for none.
    pub(crate) const CODE_CHALLENGE: &str = "code_challenge";
    /// Unix milliseconds.
    pub(crate) const CREATED_AT: &str = "created_at";
    /// Unix milliseconds; the redeem script compares it with `now`.
    pub(crate) const EXPIRES_AT: &str = "expires_at";
    /// `0` or `1`; the redeem script flips it.
    pub(crate) const SPENT: &str = "spent";
    /// `0` or `1`; set by a redeem of a spent code.
    pub(crate) const REPLAYED: &str = "replayed";
    /// The refresh family the exchange produced; absent until recorded.
    pub(crate) const FAMILY_ID: &str = "family_id";
}

/// How long a code's hash lives once written, in milliseconds: its own
/// lifetime (`expires_at - created_at`) plus the retention, applied
/// relative to Redis's clock at the write, as for challenges, so a Redis
/// clock running ahead of the servers' cannot drop codes early. A code is
/// written no earlier than its `created_at`, so its hash lives at least
/// until `expires_at + retention`.
fn time_to_live_ms(code: &AuthorizationCode) -> i64 {
    let lifetime = code
        .expires_at
        .unix_millis()
        .saturating_sub(code.created_at.unix_millis())
        .max(0);
    let retention = i64::try_from(AUTHORIZATION_CODE_RETENTION.as_millis()).unwrap_or(i64::MAX);
    // PEXPIRE refuses 0; a code with no lifetime still lives the retention.
    lifetime.saturating_add(retention).max(1)
}

/// The hash fields for `code`, `None`s left out (the script adds `spent`
/// and `replayed`).
fn encode(code: &AuthorizationCode) -> Vec<(&'static str, String)> {
    let mut fields = vec![
        (field::CLIENT_ID, code.client_id.as_str().to_owned()),
        (field::USER_ID, code.user_id.as_str().to_owned()),
        (field::REDIRECT_URI, code.redirect_uri.as_str().to_owned()),
        (field::SCOPE, code.scope.as_str().to_owned()),
        (field::CREATED_AT, code.created_at.unix_millis().to_string()),
        (field::EXPIRES_AT, code.expires_at.unix_millis().to_string()),
    ];
    if code.redirect_uri_required {
        fields.push((field::REDIRECT_URI_REQUIRED, "1".to_owned()));
    }
    for (name, value) in [
        (field::AUDIENCE, code.audience.as_deref()),
        (field::NONCE, code.nonce.as_deref()),
        (
            field::CODE_CHALLENGE,
            code.code_challenge.as_ref().map(PkceChallenge::as_str),
        ),
    ] {
        if let Some(v) = value {
            fields.push((name, v.to_owned()));
        }
    }
    fields
}

/// Rebuilds the code stored under `mac` from its hash fields.
fn decode(
    mac: &CodeMac,
    mut fields: HashMap<String, String>,
) -> Result<AuthorizationCode, StoreError> {
    let redirect_uri_required = match fields.remove(field::REDIRECT_URI_REQUIRED).as_deref() {
        None | Some("0") => false,
        Some("1") => true,
        Some(_) => return Err(corrupt(field::REDIRECT_URI_REQUIRED, "is not 0 or 1")),
    };
    let mut take = |name: &'static str| {
        fields
            .remove(name)
            .ok_or_else(|| corrupt(name, "is missing"))
    };
    let client_id = ClientId::parse(take(field::CLIENT_ID)?)
        .map_err(|_| corrupt(field::CLIENT_ID, "is not a client id"))?;
    let user_id = UserId::parse(&take(field::USER_ID)?)
        .map_err(|_| corrupt(field::USER_ID, "is not a user id"))?;
    let redirect_uri = RedirectUri::parse(&take(field::REDIRECT_URI)?)
        .map_err(|_| corrupt(field::REDIRECT_URI, "is not an absolute URI"))?;
    let scope =
        Scope::parse(&take(field::SCOPE)?).map_err(|_| corrupt(field::SCOPE, "is not a scope"))?;
    let created_at = instant(field::CREATED_AT, &take(field::CREATED_AT)?)?;
    let expires_at = instant(field::EXPIRES_AT, &take(field::EXPIRES_AT)?)?;
    let code_challenge = fields
        .remove(field::CODE_CHALLENGE)
        .as_deref()
        .map(PkceChallenge::parse)
        .transpose()
        .map_err(|_| corrupt(field::CODE_CHALLENGE, "is not a PKCE value"))?;
    Ok(AuthorizationCode {
        code_mac: mac.clone(),
        client_id,
        user_id,
        redirect_uri,
        redirect_uri_required,
        scope,
        audience: fields.remove(field::AUDIENCE),
        nonce: fields.remove(field::NONCE),
        code_challenge,
        created_at,
        expires_at,
    })
}

/// A Unix-milliseconds field.
fn instant(name: &'static str, s: &str) -> Result<Timestamp, StoreError> {
    s.parse::<i64>()
        .map(Timestamp::from_unix_millis)
        .map_err(|_| corrupt(name, "is not a number in range"))
}

#[async_trait]
impl AuthorizationCodeStore for RedisStore {
    async fn insert(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        let mut call = scripts::INSERT_CODE.call();
        call.key(self.keys.authorization_code(&code.code_mac))
            .arg(time_to_live_ms(code));
        for (name, value) in encode(code) {
            call.arg(name).arg(value);
        }
        match self.eval::<i64>(call).await? {
            1 => Ok(()),
            // Refused rather than allowed to reset a spent code.
            _ => Err(StoreError::Unknown(anyhow::anyhow!(
                "an authorization code with this MAC is already stored"
            ))),
        }
    }

    async fn redeem(&self, mac: &CodeMac, now: Timestamp) -> Result<Redemption, StoreError> {
        let mut call = scripts::REDEEM_CODE.call();
        call.key(self.keys.authorization_code(mac))
            .arg(now.unix_millis());
        let reply: Vec<Value> = self.eval(call).await?;
        let mut items = reply.into_iter();
        match items.next() {
            Some(Value::Int(1)) => decode(mac, pairs(items)?).map(Redemption::Redeemed),
            Some(Value::Int(2)) => Ok(Redemption::Reused {
                family_id: items
                    .next()
                    .map(text)
                    .transpose()
                    .map_err(|_| corrupt(field::FAMILY_ID, "is not text"))?,
            }),
            Some(Value::Int(0)) => Ok(Redemption::Invalid),
            _ => Err(corrupt(
                &format!("{}` or `{}", field::SPENT, field::EXPIRES_AT),
                "does not decode",
            )),
        }
    }

    async fn record_family(&self, mac: &CodeMac, family_id: &str) -> Result<bool, StoreError> {
        let mut call = scripts::RECORD_FAMILY.call();
        call.key(self.keys.authorization_code(mac)).arg(family_id);
        match self.eval::<i64>(call).await? {
            1 => Ok(true),
            0 => Ok(false),
            _ => Err(corrupt(field::REPLAYED, "is not 0 or 1")),
        }
    }
}

/// Field/value pairs from the rest of a flat reply.
fn pairs(items: impl Iterator<Item = Value>) -> Result<HashMap<String, String>, StoreError> {
    let mut fields = HashMap::new();
    let mut items = items.map(text);
    while let Some(name) = items.next() {
        let value = items
            .next()
            .ok_or_else(|| StoreError::Corrupt("an authorization code hash is odd".to_owned()))?;
        fields.insert(name?, value?);
    }
    Ok(fields)
}

fn text(v: Value) -> Result<String, StoreError> {
    match v {
        Value::BulkString(bytes) => String::from_utf8(bytes).map_err(|_| {
            StoreError::Corrupt("an authorization code field is not UTF-8".to_owned())
        }),
        Value::SimpleString(s) => Ok(s),
        _ => Err(StoreError::Corrupt(
            "an authorization code is not stored as a hash of strings".to_owned(),
        )),
    }
}

/// A corrupt-code error that names the field but not its value.
fn corrupt(name: &str, why: &str) -> StoreError {
    StoreError::Corrupt(format!("authorization code field `{name}` {why}"))
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sesame_domain::recipient::Connection;

    use super::*;

    fn code() -> AuthorizationCode {
        let now = Timestamp::from_unix_seconds(1_800_000_000);
        AuthorizationCode {
            code_mac: CodeMac::from_bytes([7; 32]),
            client_id: ClientId::parse("app").unwrap(),
            user_id: UserId::from_random(Connection::Email, [1; 12]),
            redirect_uri: RedirectUri::parse("https://app.example.com/cb").unwrap(),
            redirect_uri_required: false,
            scope: Scope::parse("openid").unwrap(),
            audience: None,
            nonce: Some(String::new()),
            code_challenge: None,
            created_at: now,
            expires_at: now.plus(Duration::from_secs(60)),
        }
    }

    fn stored(code: &AuthorizationCode) -> HashMap<String, String> {
        encode(code)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect()
    }

    #[test]
    fn absent_and_empty_optional_fields_stay_apart() {
        let c = code();
        let fields = stored(&c);
        assert!(!fields.contains_key(field::AUDIENCE));
        assert_eq!(fields[field::NONCE], "");
        assert_eq!(decode(&c.code_mac, fields).unwrap(), c);
    }

    #[test]
    fn a_missing_or_unparsable_field_is_corrupt() {
        let c = code();
        let mut fields = stored(&c);
        fields.remove(field::SCOPE);
        assert!(matches!(
            decode(&c.code_mac, fields),
            Err(StoreError::Corrupt(_))
        ));
        let mut fields = stored(&c);
        fields.insert(field::EXPIRES_AT.to_owned(), "soon".to_owned());
        assert!(matches!(
            decode(&c.code_mac, fields),
            Err(StoreError::Corrupt(_))
        ));
    }

    #[test]
    fn the_hash_outlives_the_code_by_the_retention() {
        let c = code();
        let retention = i64::try_from(AUTHORIZATION_CODE_RETENTION.as_millis()).unwrap();
        assert_eq!(time_to_live_ms(&c), 60_000 + retention);
        let mut odd = c;
        odd.expires_at = odd.created_at;
        assert_eq!(time_to_live_ms(&odd), retention);
    }

    #[test]
    fn an_odd_reply_is_corrupt() {
        let odd = vec![Value::BulkString(b"scope".to_vec())];
        assert!(matches!(
            pairs(odd.into_iter()),
            Err(StoreError::Corrupt(_))
        ));
    }
}
