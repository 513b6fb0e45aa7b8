//! A challenge: one issued code (and link) waiting to be redeemed.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::authorization::ResponseType;
use crate::client::ClientId;
use crate::code::CodeMac;
use crate::pkce::{PkceChallenge, PkceMethod};
use crate::recipient::{Connection, Recipient};
use crate::redirect_uri::RedirectUri;
use crate::scope::Scope;
use crate::time::Timestamp;

/// A challenge's identifier: `ch_` then 32 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ChallengeId(String);

impl ChallengeId {
    /// A new id from 16 random bytes.
    #[must_use]
    pub fn from_random(bytes: [u8; 16]) -> Self {
        Self(format!("ch_{}", hex::encode(bytes)))
    }

    /// Rebuilds an id read back from storage.
    #[must_use]
    pub fn from_stored(s: impl Into<String>) -> Self {
        Self(s.into())
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// What the user is sent: a code to type, or a link to click.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum SendMode {
    /// A numeric code.
    Code,
    /// A magic link; Auth0's default when `send` is absent.
    #[default]
    Link,
}

impl SendMode {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Link => "link",
        }
    }
}

impl FromStr for SendMode {
    type Err = UnknownSendMode;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "code" => Ok(Self::Code),
            "link" => Ok(Self::Link),
            _ => Err(UnknownSendMode),
        }
    }
}

/// `send` was neither `code` nor `link`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("send must be \"code\" or \"link\"")]
pub struct UnknownSendMode;

/// The OAuth parameters given at start, as sent (empty values already
/// dropped): what the transport hands the domain, which parses them into
/// [`AuthParams`] in the order Auth0 checks them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RawAuthParams {
    /// `scope`.
    pub scope: Option<String>,
    /// `state`.
    pub state: Option<String>,
    /// `redirect_uri`.
    pub redirect_uri: Option<String>,
    /// `response_type`.
    pub response_type: Option<String>,
    /// `nonce`.
    pub nonce: Option<String>,
    /// `audience`.
    pub audience: Option<String>,
    /// `code_challenge`.
    pub code_challenge: Option<String>,
    /// `code_challenge_method`.
    pub code_challenge_method: Option<String>,
}

/// The OAuth parameters of a start request, parsed: stored with the
/// challenge and replayed when it is redeemed. Serialized with the OAuth
/// strings, so stores keep them as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct AuthParams {
    /// Requested scope.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// Opaque state, passed through unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// Where a magic link lands; a registered callback when the start was
    /// accepted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub redirect_uri: Option<RedirectUri>,
    /// What the link answers with; absent means `code`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_type: Option<ResponseType>,
    /// Lands in the id_token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The API the tokens are for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// PKCE challenge for a magic link's authorization code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge: Option<PkceChallenge>,
    /// PKCE method; only `S256` exists.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_challenge_method: Option<PkceMethod>,
}

/// Which challenge a new one replaces: one live challenge per
/// client, connection and recipient.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ChallengeKey {
    /// The client that started it.
    pub client_id: ClientId,
    /// The recipient, which also fixes the connection.
    pub recipient: Recipient,
}

impl ChallengeKey {
    /// The connection of the recipient.
    #[must_use]
    pub const fn connection(&self) -> Connection {
        self.recipient.connection()
    }
}

/// One issued code, stored only as MACs.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Challenge {
    /// Identifier; also bound into the MACs.
    pub id: ChallengeId,
    /// The client that started it.
    pub client_id: ClientId,
    /// Who it was sent to (which fixes the connection).
    pub recipient: Recipient,
    /// Code or link.
    pub send: SendMode,
    /// OAuth parameters from the start request.
    pub auth_params: AuthParams,
    /// MAC of the numeric code.
    pub code_mac: CodeMac,
    /// MAC of the magic-link token, for email challenges.
    pub link_mac: Option<CodeMac>,
    /// When it was issued.
    pub created_at: Timestamp,
    /// From this instant on it can no longer be redeemed.
    pub expires_at: Timestamp,
    /// Wrong codes left; at zero the code is dead, the link is not.
    pub attempts_left: u32,
    /// Set once, by the one redemption that wins.
    pub consumed: bool,
}

impl Challenge {
    /// The connection it was sent through.
    #[must_use]
    pub const fn connection(&self) -> Connection {
        self.recipient.connection()
    }

    /// The key under which it replaces older challenges.
    #[must_use]
    pub fn key(&self) -> ChallengeKey {
        ChallengeKey {
            client_id: self.client_id.clone(),
            recipient: self.recipient.clone(),
        }
    }

    /// Whether it has expired at `now`: expiry is exclusive, so a code
    /// presented at exactly `expires_at` is too late.
    #[must_use]
    pub fn is_expired_at(&self, now: Timestamp) -> bool {
        now >= self.expires_at
    }

    /// Whether its code can still be redeemed at `now`.
    #[must_use]
    pub fn is_live_at(&self, now: Timestamp) -> bool {
        !self.consumed && self.attempts_left > 0 && !self.is_expired_at(now)
    }

    /// Whether its magic link can still be redeemed at `now`: wrong codes
    /// do not count against a link.
    #[must_use]
    pub fn link_is_live_at(&self, now: Timestamp) -> bool {
        !self.consumed && !self.is_expired_at(now)
    }
}

impl fmt::Debug for Challenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // auth_params may carry state and nonce values the app considers
        // private, so only their presence is shown.
        f.debug_struct("Challenge")
            .field("id", &self.id)
            .field("client_id", &self.client_id)
            .field("connection", &self.connection())
            .field("send", &self.send)
            .field("created_at", &self.created_at)
            .field("expires_at", &self.expires_at)
            .field("attempts_left", &self.attempts_left)
            .field("consumed", &self.consumed)
            .finish_non_exhaustive()
    }
}
