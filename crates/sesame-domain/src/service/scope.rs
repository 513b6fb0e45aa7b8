//! Scope strings: space-separated, order kept, duplicates dropped.

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
