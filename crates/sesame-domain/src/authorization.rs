//! Authorization codes: what a redeemed magic link hands the app's callback,
//! to be exchanged once at the token endpoint (RFC 6749 §4.1, PKCE RFC 7636).

use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::client::ClientId;
use crate::code::CodeMac;
use crate::time::Timestamp;
use crate::user::UserId;

/// How long an authorization code can be exchanged: one minute, short
/// because the browser hands it over at once (RFC 6749 §4.1.2 says at most
/// ten minutes).
pub const AUTHORIZATION_CODE_LIFETIME: Duration = Duration::from_secs(60);

/// What a redeemed link answers the app's callback with (`response_type`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
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

    /// Whether the answer travels in the URL fragment (the implicit grant).
    #[must_use]
    pub const fn is_fragment(self) -> bool {
        !matches!(self, Self::Code)
    }
}

/// `BASE64URL(SHA-256(verifier)) == challenge`, in constant time (RFC 7636
/// §4.6, method S256, the only one accepted).
#[must_use]
pub fn pkce_s256_matches(verifier: &str, challenge: &str) -> bool {
    let digest = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    digest.as_bytes().ct_eq(challenge.as_bytes()).into()
}

/// Whether `v` is a well-formed PKCE verifier or S256 challenge: 43 to 128
/// characters of `[A-Za-z0-9-._~]` (RFC 7636 §4.1, §4.2).
#[must_use]
pub fn is_pkce_value(v: &str) -> bool {
    (43..=128).contains(&v.len())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~'))
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
    /// Where it was delivered; the exchange must name the same URI.
    pub redirect_uri: String,
    /// The granted scope.
    pub scope: String,
    /// The API the access token is for, when one was asked for.
    pub audience: Option<String>,
    /// Lands in the id token.
    pub nonce: Option<String>,
    /// The PKCE S256 challenge from the start request.
    pub code_challenge: Option<String>,
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

    #[test]
    fn the_rfc_7636_example_verifier_matches_its_challenge() {
        // RFC 7636, Appendix B.
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";
        assert!(pkce_s256_matches(verifier, challenge));
        assert!(!pkce_s256_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXl",
            challenge
        ));
        assert!(is_pkce_value(verifier));
        assert!(!is_pkce_value("short"));
        assert!(!is_pkce_value(&"a".repeat(129)));
        assert!(!is_pkce_value(&format!("{}+", "a".repeat(42))));
    }
}
