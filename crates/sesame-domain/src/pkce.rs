//! PKCE (RFC 7636): the S256 challenge a public client sends at start, and
//! the check of its verifier when the authorization code is exchanged.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// Not 43 to 128 characters of `[A-Za-z0-9-._~]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("code_challenge must be 43 to 128 characters of [A-Za-z0-9-._~] (RFC 7636)")]
pub struct InvalidPkceChallenge;

/// An S256 code challenge: `BASE64URL(SHA-256(verifier))`, as sent.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PkceChallenge(String);

impl PkceChallenge {
    /// Parses a challenge.
    ///
    /// # Errors
    /// [`InvalidPkceChallenge`] unless it is 43 to 128 unreserved characters
    /// (RFC 7636 §4.2).
    pub fn parse(s: &str) -> Result<Self, InvalidPkceChallenge> {
        if is_pkce_value(s) {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidPkceChallenge)
        }
    }

    /// The challenge as sent.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether `verifier` is well formed and hashes to this challenge,
    /// compared in constant time (RFC 7636 §4.6).
    #[must_use]
    pub fn is_verified_by(&self, verifier: &str) -> bool {
        is_pkce_value(verifier) && pkce_s256_matches(verifier, &self.0)
    }
}

impl TryFrom<String> for PkceChallenge {
    type Error = InvalidPkceChallenge;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<PkceChallenge> for String {
    fn from(c: PkceChallenge) -> Self {
        c.0
    }
}

impl fmt::Debug for PkceChallenge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PkceChallenge(..)")
    }
}

/// The PKCE method: only `S256` is accepted (`plain` protects nothing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum PkceMethod {
    /// SHA-256.
    #[default]
    S256,
}

impl PkceMethod {
    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        "S256"
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

#[cfg(test)]
mod tests {
    use super::*;

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
        let parsed = PkceChallenge::parse(challenge).unwrap();
        assert!(parsed.is_verified_by(verifier));
        assert!(!parsed.is_verified_by("short"));
        assert_eq!(PkceChallenge::parse("short"), Err(InvalidPkceChallenge));
    }
}
