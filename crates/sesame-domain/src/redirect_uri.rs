//! Redirect URIs (RFC 6749 §3.1.2): where a magic link's answer is sent.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Not an absolute URI without a fragment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("redirect_uri must be an absolute URI without a fragment")]
pub struct InvalidRedirectUri;

/// An absolute URI without a fragment, kept exactly as sent: callbacks are
/// matched by exact string comparison, never after normalization.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RedirectUri(String);

impl RedirectUri {
    /// Parses a redirect URI. Web callbacks (`https://app/cb`) and native
    /// apps' custom schemes (`com.example.app:/callback`) both qualify.
    ///
    /// # Errors
    /// [`InvalidRedirectUri`] for a relative reference, a fragment, or
    /// anything that is not a URI.
    pub fn parse(s: &str) -> Result<Self, InvalidRedirectUri> {
        match url::Url::parse(s) {
            Ok(u) if u.fragment().is_none() => Ok(Self(s.to_owned())),
            _ => Err(InvalidRedirectUri),
        }
    }

    /// The URI, exactly as sent.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RedirectUri {
    type Error = InvalidRedirectUri;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<RedirectUri> for String {
    fn from(u: RedirectUri) -> Self {
        u.0
    }
}

impl fmt::Debug for RedirectUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A callback's query may carry values the app considers private.
        f.write_str("RedirectUri(..)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absolute_uris_pass_unchanged_and_relative_ones_or_fragments_do_not() {
        for ok in [
            "https://app.example.com/cb?x=1",
            "http://localhost:3000/callback",
            "com.example.app:/callback",
            "HTTPS://App.Example.com/CB",
        ] {
            assert_eq!(RedirectUri::parse(ok).unwrap().as_str(), ok);
        }
        for bad in ["/cb", "app.example.com/cb", "https://app/cb#x", ""] {
            assert_eq!(RedirectUri::parse(bad), Err(InvalidRedirectUri), "{bad}");
        }
    }
}
