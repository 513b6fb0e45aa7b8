//! OAuth scopes (RFC 6749 §3.3): parsed once, then carried as [`Scope`].

use std::fmt;

use serde::{Deserialize, Serialize};

/// A scope string with characters RFC 6749 section 3.3 does not allow in
/// scope tokens, or longer than [`MAX_LEN`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scope may contain only printable ASCII other than '\"' and '\\', at most 1024 characters")]
pub struct InvalidScope;

/// The longest scope string accepted.
pub const MAX_LEN: usize = 1024;

/// The OpenID Connect scopes Sesame grants whenever they are asked for,
/// whatever the API: they are about the user and the session, not about an
/// API's permissions.
pub const OIDC_SCOPES: [&str; 5] = ["openid", "profile", "email", "phone", "offline_access"];

/// A parsed scope: tokens of RFC 6749 `NQCHAR`s (%x21 / %x23-5B / %x5D-7E),
/// single-spaced, in the order first given, without duplicates. Stores and
/// tokens never see NULs, quotes or control characters.
#[derive(Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Scope(String);

impl Scope {
    /// Parses and normalizes `scope`.
    ///
    /// # Errors
    /// [`InvalidScope`] for any other character or an over-long string.
    pub fn parse(scope: &str) -> Result<Self, InvalidScope> {
        let nqchar = |b: u8| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b);
        if scope.len() > MAX_LEN || !scope.bytes().all(|b| b == b' ' || nqchar(b)) {
            return Err(InvalidScope);
        }
        let mut seen: Vec<&str> = Vec::new();
        for s in scope.split_ascii_whitespace() {
            if !seen.contains(&s) {
                seen.push(s);
            }
        }
        Ok(Self(seen.join(" ")))
    }

    /// `openid` alone: what a request that names no scope gets.
    #[must_use]
    pub fn openid() -> Self {
        Self("openid".to_owned())
    }

    /// The scope string, single-spaced.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether no scope at all was granted.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The scope tokens, in order.
    pub fn items(&self) -> impl Iterator<Item = &str> {
        self.0.split(' ').filter(|s| !s.is_empty())
    }

    /// Whether `item` is one of the tokens.
    #[must_use]
    pub fn contains(&self, item: &str) -> bool {
        self.items().any(|s| s == item)
    }

    /// This scope without `item`.
    #[must_use]
    pub fn without(&self, item: &str) -> Self {
        Self(
            self.items()
                .filter(|s| *s != item)
                .collect::<Vec<_>>()
                .join(" "),
        )
    }

    /// This scope with only the tokens `keep` accepts, in order.
    #[must_use]
    pub fn retain(&self, keep: impl Fn(&str) -> bool) -> Self {
        Self(
            self.items()
                .filter(|s| keep(s))
                .collect::<Vec<_>>()
                .join(" "),
        )
    }

    /// Whether this scope is exactly one token (an API permission).
    #[must_use]
    pub fn is_single_token(&self) -> bool {
        self.items().count() == 1
    }

    /// Whether every token of this scope is in `wider`.
    #[must_use]
    pub fn is_subset_of(&self, wider: &Self) -> bool {
        self.items().all(|s| wider.contains(s))
    }
}

impl TryFrom<String> for Scope {
    type Error = InvalidScope;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<Scope> for String {
    fn from(s: Scope) -> Self {
        s.0
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scope({:?})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scope(s: &str) -> Scope {
        Scope::parse(s).unwrap()
    }

    #[test]
    fn scopes_with_control_characters_or_quotes_are_refused() {
        assert_eq!(scope("openid email").as_str(), "openid email");
        assert_eq!(Scope::parse("openid \0"), Err(InvalidScope));
        assert_eq!(Scope::parse("a\"b"), Err(InvalidScope));
        assert_eq!(Scope::parse("a\\b"), Err(InvalidScope));
        assert_eq!(Scope::parse("openid\temail"), Err(InvalidScope));
        assert_eq!(Scope::parse(&"a".repeat(MAX_LEN + 1)), Err(InvalidScope));
    }

    #[test]
    fn scopes_are_deduplicated_in_order() {
        assert_eq!(
            scope("  openid email openid  profile ").as_str(),
            "openid email profile"
        );
        assert!(scope("openid offline_access").contains("offline_access"));
        assert!(!scope("openid offline_accessx").contains("offline_access"));
        assert_eq!(
            scope("openid offline_access email")
                .without("offline_access")
                .as_str(),
            "openid email"
        );
        assert!(scope("email").is_subset_of(&scope("openid email")));
        assert!(!scope("email phone").is_subset_of(&scope("openid email")));
        assert!(scope("").is_empty());
    }

    #[test]
    fn retaining_keeps_only_the_accepted_tokens_in_order() {
        let s = scope("openid admin:all email read:messages");
        assert_eq!(
            s.retain(|t| t != "admin:all").as_str(),
            "openid email read:messages"
        );
        assert!(s.retain(|_| false).is_empty());
        assert!(scope("read:messages").is_single_token());
        assert!(!scope("read:messages write:messages").is_single_token());
        assert!(!scope("").is_single_token());
    }

    #[test]
    fn a_stored_scope_reads_back_only_if_it_is_valid() {
        let s: Scope = serde_json::from_str(r#""openid  email""#).unwrap();
        assert_eq!(s.as_str(), "openid email");
        assert!(serde_json::from_str::<Scope>(r#""a\"b""#).is_err());
    }
}
