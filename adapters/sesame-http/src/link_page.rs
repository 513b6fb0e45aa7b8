//! The HTML answers of `/passwordless/verify_redirect`: the confirm page and
//! the error pages (the time limit's too), with the headers that keep a
//! link's token private and the page unframeable and script-free except for
//! its own nonce.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::header::{
    CACHE_CONTROL, CONTENT_LANGUAGE, CONTENT_SECURITY_POLICY, CONTENT_TYPE, PRAGMA,
    REFERRER_POLICY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use http::{HeaderMap, HeaderValue, StatusCode};
use sesame_domain::page::{ErrorPage, LinkProblem, RenderedPage};
use sesame_domain::ports::PageRenderer;
use sesame_domain::service::{LinkApp, LinkError};

use crate::error::chain;
use crate::locale::locale;

/// A fresh CSP nonce: 128 random bits. `None` when the OS has no randomness,
/// in which case the page is served without style or script.
pub(crate) fn nonce() -> String {
    let mut bytes = [0u8; 16];
    match getrandom::fill(&mut bytes) {
        Ok(()) => URL_SAFE_NO_PAD.encode(bytes),
        // Without randomness a nonce would be guessable; an empty one matches
        // nothing, so the page still renders, only unstyled.
        Err(_) => String::new(),
    }
}

/// The status an error page answers with.
pub(crate) const fn status(problem: LinkProblem) -> StatusCode {
    match problem {
        LinkProblem::Invalid | LinkProblem::RedirectMismatch => StatusCode::BAD_REQUEST,
        // The link existed and is gone for good.
        LinkProblem::Expired | LinkProblem::Used => StatusCode::GONE,
        LinkProblem::NotAllowed | LinkProblem::AccessDenied | LinkProblem::Unconfirmed => {
            StatusCode::FORBIDDEN
        }
        LinkProblem::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// Logs what the user will not be told: infrastructure causes.
pub(crate) fn log(e: &LinkError, what: &str) {
    match e {
        LinkError::Unavailable(_) => {
            tracing::warn!(error = %chain(e), "{what}: a backend is unavailable");
        }
        LinkError::Unknown(_) => tracing::error!(error = %chain(e), "{what} failed"),
        _ => tracing::info!(problem = e.problem().as_str(), "{what} refused"),
    }
}

/// The error page for `problem` from `pages`, naming `app` when the link
/// names a known one.
pub(crate) fn error_page(
    pages: &dyn PageRenderer,
    problem: LinkProblem,
    app: Option<LinkApp>,
    locale: Option<String>,
) -> Response {
    let nonce = nonce();
    let (application_name, back_url) = app.map_or((None, None), |a| (Some(a.name), a.back_url));
    let page = ErrorPage {
        problem,
        application_name,
        back_url,
        csp_nonce: nonce.clone(),
        locale,
    };
    html(status(problem), pages.error_page(&page), &nonce, &[])
}

/// The time limit of the HTML routes and the pages its answer comes from.
#[derive(Clone)]
pub(crate) struct PageTimeLimit {
    /// How long a request may take.
    pub(crate) limit: Duration,
    /// Renders the answer to one that takes longer.
    pub(crate) pages: Arc<dyn PageRenderer>,
}

/// Cuts a magic-link request off after the limit with the 503 error page,
/// in the browser's language: a person is looking at it, not a client that
/// reads JSON.
pub(crate) async fn time_limit(
    State(t): State<PageTimeLimit>,
    req: Request,
    next: Next,
) -> Response {
    let locale = locale(req.headers());
    match crate::edge::within(t.limit, next.run(req)).await {
        Some(response) => response,
        None => error_page(&*t.pages, LinkProblem::Unavailable, None, locale),
    }
}

/// An HTML page with the link pages' headers. `form_targets` are the origins
/// the page's form may post to (and be redirected to) besides `'self'`.
pub(crate) fn html(
    status: StatusCode,
    page: RenderedPage,
    nonce: &str,
    form_targets: &[String],
) -> Response {
    let mut headers = HeaderMap::new();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    if let Ok(v) = HeaderValue::from_str(&page.language) {
        headers.insert(CONTENT_LANGUAGE, v);
    }
    // The URL carries the link's token: no cache may keep the page and no
    // Referer may leak it to the app or anywhere else.
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    headers.insert(REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if let Ok(v) = HeaderValue::from_str(&csp(nonce, form_targets)) {
        headers.insert(CONTENT_SECURITY_POLICY, v);
    }
    (status, headers, page.html).into_response()
}

/// The Content-Security-Policy: nothing loads, only the nonce'd style and
/// script run, the form posts only here (and, since browsers check the
/// redirect after a form post too, to the callback's origin).
pub(crate) fn csp(nonce: &str, form_targets: &[String]) -> String {
    let mut form_action = String::from("'self'");
    for t in form_targets {
        form_action.push(' ');
        form_action.push_str(t);
    }
    let nonce = if nonce.is_empty() {
        "'none'".to_owned()
    } else {
        format!("'nonce-{nonce}'")
    };
    format!(
        "default-src 'none'; style-src {nonce}; script-src {nonce}; form-action {form_action}; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

/// The CSP source for `uri`'s origin: `https://app.example.com:8443` for web
/// callbacks, `com.example.app:` for a native app's custom scheme. `None`
/// when `uri` is not a URL.
pub(crate) fn origin_source(uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    match url.origin() {
        o @ url::Origin::Tuple(..) => Some(o.ascii_serialization()),
        url::Origin::Opaque(_) => {
            let scheme = url.scheme();
            scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                .then(|| format!("{scheme}:"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_callbacks_become_origins_and_native_ones_schemes() {
        assert_eq!(
            origin_source("https://app.example.com/cb?x=1").as_deref(),
            Some("https://app.example.com")
        );
        assert_eq!(
            origin_source("http://localhost:3000/callback").as_deref(),
            Some("http://localhost:3000")
        );
        assert_eq!(
            origin_source("com.example.app://callback").as_deref(),
            Some("com.example.app:")
        );
        assert_eq!(origin_source("not a url"), None);
    }

    #[test]
    fn the_policy_loads_nothing_and_runs_only_the_nonce() {
        let p = csp("abc", &["https://app.example.com".to_owned()]);
        assert!(p.starts_with("default-src 'none'; "));
        assert!(p.contains("style-src 'nonce-abc'; script-src 'nonce-abc'"));
        assert!(p.contains("form-action 'self' https://app.example.com;"));
        assert!(p.contains("frame-ancestors 'none'"));
        assert!(csp("", &[]).contains("script-src 'none'"));
    }

    #[test]
    fn nonces_are_long_and_fresh() {
        let (a, b) = (nonce(), nonce());
        assert_eq!(a.len(), 22);
        assert_ne!(a, b);
    }
}
