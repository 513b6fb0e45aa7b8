//! Scope strings: space-separated, order kept, duplicates dropped.

/// A scope string with characters RFC 6749 section 3.3 does not allow in
/// scope tokens, or longer than [`MAX_LEN`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("scope may contain only printable ASCII other than '\"' and '\\', at most 1024 characters")]
pub struct InvalidScope;

/// The longest scope string accepted.
pub const MAX_LEN: usize = 1024;

/// [`normalize`]s `scope` after checking every token is made of RFC 6749
/// `NQCHAR`s (%x21 / %x23-5B / %x5D-7E). Stores and tokens then never see
/// NULs, quotes or control characters.
///
/// # Errors
/// [`InvalidScope`] for any other character or an over-long string.
pub fn parse(scope: &str) -> Result<String, InvalidScope> {
    let nqchar = |b: u8| b == 0x21 || (0x23..=0x5B).contains(&b) || (0x5D..=0x7E).contains(&b);
    let ok = scope.len() <= MAX_LEN && scope.bytes().all(|b| b == b' ' || nqchar(b));
    if ok {
        Ok(normalize(scope))
    } else {
        Err(InvalidScope)
    }
}

/// Splits, de-duplicates and re-joins a scope string.
#[must_use]
pub fn normalize(scope: &str) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for s in scope.split_ascii_whitespace() {
        if !seen.contains(&s) {
            seen.push(s);
        }
    }
    seen.join(" ")
}

/// Whether `scope` contains `item`.
#[must_use]
pub fn contains(scope: &str, item: &str) -> bool {
    scope.split_ascii_whitespace().any(|s| s == item)
}

/// `scope` without `item`.
#[must_use]
pub fn without(scope: &str, item: &str) -> String {
    scope
        .split_ascii_whitespace()
        .filter(|s| *s != item)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether every item of `narrower` is in `wider`.
#[must_use]
pub fn is_subset(narrower: &str, wider: &str) -> bool {
    narrower
        .split_ascii_whitespace()
        .all(|s| contains(wider, s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scopes_with_control_characters_or_quotes_are_refused() {
        assert_eq!(parse("openid email"), Ok("openid email".to_owned()));
        assert_eq!(parse("openid \0"), Err(InvalidScope));
        assert_eq!(parse("a\"b"), Err(InvalidScope));
        assert_eq!(parse("a\\b"), Err(InvalidScope));
        assert_eq!(parse("openid\temail"), Err(InvalidScope));
        assert_eq!(parse(&"a".repeat(MAX_LEN + 1)), Err(InvalidScope));
    }

    #[test]
    fn scopes_are_deduplicated_in_order() {
        assert_eq!(
            normalize("  openid email openid  profile "),
            "openid email profile"
        );
        assert!(contains("openid offline_access", "offline_access"));
        assert!(!contains("openid offline_accessx", "offline_access"));
        assert_eq!(
            without("openid offline_access email", "offline_access"),
            "openid email"
        );
        assert!(is_subset("email", "openid email"));
        assert!(!is_subset("email phone", "openid email"));
    }
}
