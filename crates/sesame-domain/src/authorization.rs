//! Authorization codes: what a redeemed magic link hands the app's callback,
//! to be exchanged once at the token endpoint (RFC 6749 §4.1, PKCE RFC 7636).

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::client::ClientId;
use crate::code::CodeMac;
use crate::pkce::PkceChallenge;
use crate::redirect_uri::RedirectUri;
use crate::scope::Scope;
use crate::time::Timestamp;
use crate::user::UserId;

/// How long an authorization code can be exchanged: one minute, short
/// because the browser hands it over at once (RFC 6749 §4.1.2 says at most
/// ten minutes).
pub const AUTHORIZATION_CODE_LIFETIME: Duration = Duration::from_secs(60);

/// What a redeemed link answers the app's callback with (`response_type`).
/// Stored and serialized as its OAuth value (`id_token token`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "&'static str")]
pub enum ResponseType {
    /// `code`: an authorization code in the query (the default).
    #[default]
    Code,
    /// `token`: an access token in the fragment.
    Token,
    /// `id_token`: an id token in the fragment.
    IdToken,
    /// `id_token token` (either order): both in the fragment.
    IdTokenToken,
}

impl ResponseType {
    /// Parses the space-separated OAuth value; the order of words is free.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        let mut words: Vec<&str> = s.split(' ').filter(|w| !w.is_empty()).collect();
        words.sort_unstable();
        match words.as_slice() {
            ["code"] => Some(Self::Code),
            ["token"] => Some(Self::Token),
            ["id_token"] => Some(Self::IdToken),
            ["id_token", "token"] => Some(Self::IdTokenToken),
            _ => None,
        }
    }

    /// The OAuth value.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Code => "code",
            Self::Token => "token",
            Self::IdToken => "id_token",
            Self::IdTokenToken => "id_token token",
        }
    }

    /// Whether the answer travels in the URL fragment (the implicit grant).
    #[must_use]
    pub const fn is_fragment(self) -> bool {
        !matches!(self, Self::Code)
    }
}

/// Not `code`, `token`, `id_token` or `id_token token`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("response_type must be code, token, id_token or id_token token")]
pub struct InvalidResponseType;

impl TryFrom<String> for ResponseType {
    type Error = InvalidResponseType;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s).ok_or(InvalidResponseType)
    }
}

impl From<ResponseType> for &'static str {
    fn from(r: ResponseType) -> Self {
        r.as_str()
    }
}

/// One issued authorization code, stored only as its MAC.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthorizationCode {
    /// `HMAC(server secret, "authz-code" ‖ code)`: the lookup key.
    pub code_mac: CodeMac,
    /// The client it was issued to; only that client may exchange it.
    pub client_id: ClientId,
    /// The user who clicked the link.
    pub user_id: UserId,
    /// Where it was delivered; an exchange that names a URI must name
    /// this one.
    pub redirect_uri: RedirectUri,
    /// Whether the exchange must name [`Self::redirect_uri`]: the start sent
    /// one (RFC 6749 §4.1.3), or a public client's code has no PKCE and the
    /// callback is what binds it. Absent in codes stored before this rule.
    #[serde(default)]
    pub redirect_uri_required: bool,
    /// The granted scope.
    pub scope: Scope,
    /// The API the access token is for, when one was asked for.
    pub audience: Option<String>,
    /// Lands in the id token.
    pub nonce: Option<String>,
    /// The PKCE S256 challenge from the start request.
    pub code_challenge: Option<PkceChallenge>,
    /// When the link was redeemed.
    pub created_at: Timestamp,
    /// From this instant on it cannot be exchanged.
    pub expires_at: Timestamp,
}

impl fmt::Debug for AuthorizationCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // nonce and redirect_uri may carry values the app considers private.
        f.debug_struct("AuthorizationCode")
            .field("client_id", &self.client_id)
            .field("user_id", &self.user_id)
            .field("scope", &self.scope)
            .field("audience", &self.audience)
            .field("pkce", &self.code_challenge.is_some())
            .field("redirect_uri_required", &self.redirect_uri_required)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// What presenting a code to its store did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redemption {
    /// This caller is the one that spent it.
    Redeemed(AuthorizationCode),
    /// It was spent before: a replay. `family_id` is the refresh-token
    /// family the first exchange produced, if it recorded one, for the
    /// caller to revoke.
    Reused {
        /// The refresh family to revoke.
        family_id: Option<String>,
    },
    /// Unknown, or expired at the time it was presented.
    Invalid,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn response_types_parse_in_any_word_order() {
        assert_eq!(ResponseType::parse("code"), Some(ResponseType::Code));
        assert_eq!(
            ResponseType::parse("token id_token"),
            Some(ResponseType::IdTokenToken)
        );
        assert_eq!(
            ResponseType::parse("id_token token"),
            Some(ResponseType::IdTokenToken)
        );
        assert_eq!(ResponseType::parse("code token"), None);
        assert_eq!(ResponseType::parse(""), None);
        assert!(!ResponseType::Code.is_fragment());
        assert!(ResponseType::Token.is_fragment());
    }
}
