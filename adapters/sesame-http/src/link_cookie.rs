//! The confirm page's cookie: the GET of a magic link sets a short-lived
//! `SameSite=Strict`, `HttpOnly` cookie bound to the link (a keyed MAC of
//! its token, derived by the domain, never the token itself), named with
//! the `__Host-` prefix when the issuer is https. The POST must carry it,
//! and its `Origin`, when a browser sends one, must be the issuer's.
//!
//! A page elsewhere that posts a link on a victim's behalf has no such
//! cookie: the browser never opened that link, and `SameSite=Strict` keeps
//! the cookie off cross-site requests. The cookie's name carries a prefix
//! of the MAC, so links open in several tabs do not overwrite each other.

use http::{HeaderMap, HeaderValue};

use crate::AppState;

/// How long the confirm page may stay open before its POST is refused:
/// longer than a link lives by default (180 s), short enough that the
/// cookie does not linger.
const MAX_AGE_SECS: u32 = 900;

/// How many hex characters of the MAC name the cookie.
const NAME_HEX: usize = 16;

/// Whether the issuer is served over https: then the cookie is `Secure`
/// and `__Host-` prefixed (no `Domain`, `Path=/`), so a sibling subdomain
/// cannot plant one.
fn secure(state: &AppState) -> bool {
    state
        .services
        .discovery
        .issuer()
        .as_str()
        .starts_with("https://")
}

/// The cookie's name for the link whose confirmation is `confirmation`.
fn name(secure: bool, confirmation: &str) -> String {
    let prefix = if secure { "__Host-" } else { "" };
    let tag = confirmation.get(..NAME_HEX).unwrap_or(confirmation);
    format!("{prefix}sesame-link-{tag}")
}

/// The `Set-Cookie` value for the confirm page of the link whose token is
/// `verification_code`.
pub(crate) fn set_cookie(state: &AppState, verification_code: &str) -> Option<HeaderValue> {
    let confirmation = state.services.links.link_confirmation(verification_code);
    let secure = secure(state);
    let attributes = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{}={confirmation}; Path=/; Max-Age={MAX_AGE_SECS}; HttpOnly; SameSite=Strict{attributes}",
        name(secure, &confirmation)
    ))
    .ok()
}

/// Whether a POST with `headers` may spend the link whose token is
/// `verification_code`: it carries the link's cookie, and its `Origin`, if
/// any, is the issuer's. `Origin: null` counts as none: the confirm page's
/// `Referrer-Policy: no-referrer` makes browsers send it for the page's own
/// form, and the cookie, which a cross-site request never carries, still
/// has to match.
pub(crate) fn is_confirmed(state: &AppState, headers: &HeaderMap, verification_code: &str) -> bool {
    let issuer = state.services.discovery.issuer().as_str();
    let from_issuer = headers.get_all(http::header::ORIGIN).iter().all(|o| {
        o.as_bytes() == b"null"
            || url::Url::parse(issuer)
                .is_ok_and(|u| u.origin().ascii_serialization().as_bytes() == o.as_bytes())
    });
    if !from_issuer {
        return false;
    }
    let confirmation = state.services.links.link_confirmation(verification_code);
    let wanted = name(secure(state), &confirmation);
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|h| h.to_str().ok())
        .flat_map(|h| h.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .any(|(n, v)| {
            n == wanted
                && state
                    .services
                    .links
                    .confirms_link(verification_code, v.trim_matches('"'))
        })
}
