//! A challenge as the fields of a Redis hash, and back.
//!
//! Every field is text: numbers in decimal, MACs in lower-case hex, the OAuth
//! parameters as JSON. Anything that does not decode is
//! [`StoreError::Corrupt`], and the message names the field, never its value:
//! values include recipients and client state.

use std::collections::HashMap;
use std::str::FromStr;

use sesame_domain::challenge::{AuthParams, Challenge, ChallengeId, SendMode};
use sesame_domain::client::ClientId;
use sesame_domain::code::CodeMac;
use sesame_domain::ports::StoreError;
use sesame_domain::recipient::{Connection, Recipient};
use sesame_domain::time::Timestamp;

/// Field names, shared with the Lua scripts.
pub(crate) mod field {
    /// The challenge id.
    pub(crate) const ID: &str = "id";
    /// The client that started it.
    pub(crate) const CLIENT_ID: &str = "client_id";
    /// `email` or `sms`.
    pub(crate) const CONNECTION: &str = "connection";
    /// The canonical address or number.
    pub(crate) const RECIPIENT: &str = "recipient";
    /// `code` or `link`.
    pub(crate) const SEND: &str = "send";
    /// The OAuth parameters, as JSON.
    pub(crate) const AUTH_PARAMS: &str = "auth_params";
    /// The code's MAC in hex.
    pub(crate) const CODE_MAC: &str = "code_mac";
    /// The link token's MAC in hex, or empty.
    pub(crate) const LINK_MAC: &str = "link_mac";
    /// Unix milliseconds.
    pub(crate) const CREATED_AT: &str = "created_at";
    /// Unix milliseconds; the scripts compare it with `now`.
    pub(crate) const EXPIRES_AT: &str = "expires_at";
    /// Wrong guesses left; the scripts decrement it.
    pub(crate) const ATTEMPTS_LEFT: &str = "attempts_left";
    /// `0` or `1`; the consume script flips it.
    pub(crate) const CONSUMED: &str = "consumed";
}

/// The hash fields for `ch`.
pub(crate) fn encode(ch: &Challenge) -> Result<Vec<(&'static str, String)>, StoreError> {
    let auth_params = serde_json::to_string(&ch.auth_params)
        .map_err(|e| StoreError::Unknown(anyhow::anyhow!("cannot encode auth_params: {e}")))?;
    Ok(vec![
        (field::ID, ch.id.as_str().to_owned()),
        (field::CLIENT_ID, ch.client_id.as_str().to_owned()),
        (field::CONNECTION, ch.connection().as_str().to_owned()),
        (field::RECIPIENT, ch.recipient.as_str().to_owned()),
        (field::SEND, ch.send.as_str().to_owned()),
        (field::AUTH_PARAMS, auth_params),
        (field::CODE_MAC, ch.code_mac.to_hex()),
        (
            field::LINK_MAC,
            ch.link_mac
                .as_ref()
                .map(CodeMac::to_hex)
                .unwrap_or_default(),
        ),
        (field::CREATED_AT, ch.created_at.unix_millis().to_string()),
        (field::EXPIRES_AT, ch.expires_at.unix_millis().to_string()),
        (field::ATTEMPTS_LEFT, ch.attempts_left.to_string()),
        (
            field::CONSUMED,
            if ch.consumed { "1" } else { "0" }.to_owned(),
        ),
    ])
}

/// Rebuilds a challenge from its hash fields.
///
/// # Errors
/// [`StoreError::Corrupt`] naming the first field that is missing or does
/// not decode.
pub(crate) fn decode(fields: &HashMap<String, String>) -> Result<Challenge, StoreError> {
    let get = |name: &'static str| {
        fields
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| corrupt(name, "is missing"))
    };
    let connection = Connection::from_str(get(field::CONNECTION)?)
        .map_err(|_| corrupt(field::CONNECTION, "is not email or sms"))?;
    let recipient = Recipient::parse(connection, get(field::RECIPIENT)?)
        .map_err(|_| corrupt(field::RECIPIENT, "is not a valid address"))?;
    let link_mac = match get(field::LINK_MAC)? {
        "" => None,
        hex => Some(mac(field::LINK_MAC, hex)?),
    };
    Ok(Challenge {
        id: ChallengeId::from_stored(get(field::ID)?),
        client_id: ClientId::parse(get(field::CLIENT_ID)?)
            .map_err(|_| corrupt(field::CLIENT_ID, "is not a client id"))?,
        recipient,
        send: SendMode::from_str(get(field::SEND)?)
            .map_err(|_| corrupt(field::SEND, "is not code or link"))?,
        auth_params: serde_json::from_str::<AuthParams>(get(field::AUTH_PARAMS)?)
            .map_err(|_| corrupt(field::AUTH_PARAMS, "is not valid JSON"))?,
        code_mac: mac(field::CODE_MAC, get(field::CODE_MAC)?)?,
        link_mac,
        created_at: Timestamp::from_unix_millis(number(
            field::CREATED_AT,
            get(field::CREATED_AT)?,
        )?),
        expires_at: Timestamp::from_unix_millis(number(
            field::EXPIRES_AT,
            get(field::EXPIRES_AT)?,
        )?),
        attempts_left: number(field::ATTEMPTS_LEFT, get(field::ATTEMPTS_LEFT)?)?,
        consumed: match get(field::CONSUMED)? {
            "0" => false,
            "1" => true,
            _ => return Err(corrupt(field::CONSUMED, "is not 0 or 1")),
        },
    })
}

fn mac(name: &'static str, hex: &str) -> Result<CodeMac, StoreError> {
    CodeMac::from_hex(hex).map_err(|_| corrupt(name, "is not 64 hex digits"))
}

fn number<T: FromStr>(name: &'static str, s: &str) -> Result<T, StoreError> {
    s.parse()
        .map_err(|_| corrupt(name, "is not a number in range"))
}

/// A corrupt-challenge error that names the field but not its value.
pub(crate) fn corrupt(name: &str, why: &str) -> StoreError {
    StoreError::Corrupt(format!("challenge field `{name}` {why}"))
}

#[cfg(test)]
#[path = "codec_tests.rs"]
mod tests;
