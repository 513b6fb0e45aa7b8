//! What `sesame check-config` (and the server at startup) warns about:
//! settings that are valid but weaker than they could be.

use sesame_domain::{Client, GrantType};

use super::Resolved;

/// One line per weak or deprecated setting, naming its key.
#[must_use]
pub fn warnings(resolved: &Resolved) -> Vec<String> {
    let deprecated = resolved
        .settings
        .rate_limits
        .deprecated_keys_set()
        .into_iter()
        .map(|(old, new)| {
            format!(
                "rate_limits.{old} is deprecated and will be removed in the next release: \
                 it now sets rate_limits.{new} (the limit per address and client IP); \
                 rename it"
            )
        });
    let clients = resolved.clients.iter().enumerate().filter_map(|(i, c)| {
        let scheme = unguarded_native_app(c)?;
        let id = c.id.as_str();
        Some(format!(
            "clients[{i}].magic_link.require_pkce: the public client {id:?} has a \
                 custom-scheme callback ({scheme}:) but does not require PKCE; another \
                 app can register that scheme and receive its codes (RFC 8252 §8.1)"
        ))
    });
    deprecated.chain(clients).collect()
}

/// The custom scheme of a public client's link callback when the client
/// does not require PKCE: a native app whose codes another app on the
/// device could claim.
fn unguarded_native_app(c: &Client) -> Option<String> {
    if c.is_confidential()
        || c.magic_link.require_pkce
        || !c.allows_grant(GrantType::AuthorizationCode)
    {
        return None;
    }
    c.callbacks.iter().find_map(|cb| {
        let scheme = url::Url::parse(cb).ok()?.scheme().to_owned();
        (!matches!(scheme.as_str(), "http" | "https")).then_some(scheme)
    })
}
