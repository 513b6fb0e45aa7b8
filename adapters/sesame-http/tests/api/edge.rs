//! What every route shares: JSON errors for bad bodies, unknown routes and
//! methods, the body limit, the time limit and CORS.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use http::{Method, Request, StatusCode};
use serde_json::json;
use sesame_domain::ports::{PageRenderer, RenderError};
use sesame_domain::service::{
    BackendStatus, LinkApp, LinkError, LinkPreview, LinkRedirect, LinkRequest, MagicLinks,
    Readiness,
};
use sesame_domain::{ClientId, ConfirmPage, ErrorPage, RenderedPage};
use sesame_http::{HttpConfig, router};

use crate::common::*;

fn raw(path: &str, content_type: &str, body: impl Into<Body>) -> Request<Body> {
    Request::post(path)
        .header("content-type", content_type)
        .body(body.into())
        .unwrap()
}

#[tokio::test]
async fn malformed_json_is_a_400_in_each_endpoints_dialect() {
    let r = send(
        app(mock()),
        raw("/oauth/token", "application/json", "{\"grant_type\":"),
    )
    .await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "The body is not valid JSON.",
    );
    let r = send(
        app(mock()),
        raw("/passwordless/start", "application/json", "[]"),
    )
    .await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.request",
        "The body must be a JSON object.",
    );
}

#[tokio::test]
async fn a_malformed_form_is_a_400() {
    let r = send(
        app(mock()),
        raw(
            "/oauth/token",
            "application/x-www-form-urlencoded",
            vec![b'a', b'=', 0xff, 0xfe],
        ),
    )
    .await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
}

#[tokio::test]
async fn another_content_type_is_a_415_in_json() {
    let r = send(
        app(mock()),
        raw("/oauth/token", "text/plain", "grant_type=x"),
    )
    .await;
    r.assert_error(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "invalid_request",
        "Content-Type must be application/json or application/x-www-form-urlencoded.",
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_in_json() {
    let config = HttpConfig {
        body_limit_bytes: 1024,
        ..HttpConfig::default()
    };
    let big = json!({"client_id": "x".repeat(2000)}).to_string();
    let r = send(
        app_with(mock(), config.clone()),
        raw("/passwordless/start", "application/json", big.clone()),
    )
    .await;
    r.assert_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "bad.request",
        "The request body is too large.",
    );
    // Without a Content-Length the limit holds while streaming, too.
    let r = send(
        app_with(mock(), config),
        raw("/oauth/token", "application/json", chunked(big)),
    )
    .await;
    r.assert_error(
        StatusCode::PAYLOAD_TOO_LARGE,
        "invalid_request",
        "The request body is too large.",
    );
}

/// A body of unknown length, in 100-byte chunks.
fn chunked(s: String) -> Body {
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        s.into_bytes().chunks(100).map(|c| Ok(c.to_vec())).collect();
    Body::from_stream(futures::stream::iter(chunks))
}

#[tokio::test]
async fn an_unknown_route_is_a_404_in_json() {
    let r = send(app(mock()), get("/nope?secret=1")).await;
    r.assert_error(StatusCode::NOT_FOUND, "not_found", "Not found.");
}

#[tokio::test]
async fn a_wrong_method_is_a_405_in_json_with_allow() {
    let r = send(app(mock()), get("/oauth/token")).await;
    r.assert_error(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed.",
    );
    assert_eq!(r.header("allow"), Some("POST"));
}

/// A backend whose every call takes an hour.
struct Stuck;

#[async_trait]
impl Readiness for Stuck {
    async fn readiness(&self) -> Vec<BackendStatus> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Vec::new()
    }
}

#[async_trait]
impl MagicLinks for Stuck {
    async fn inspect_link(&self, _: LinkRequest) -> Result<LinkPreview, LinkError> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Err(LinkError::Invalid)
    }
    async fn redeem_link(&self, _: LinkRequest) -> Result<LinkRedirect, LinkError> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Err(LinkError::Invalid)
    }
    async fn link_app(&self, _: &ClientId) -> Result<Option<LinkApp>, LinkError> {
        tokio::time::sleep(Duration::from_secs(3600)).await;
        Ok(None)
    }
    fn link_confirmation(&self, _: &str) -> String {
        CONFIRMATION.to_owned()
    }
    fn confirms_link(&self, _: &str, presented: &str) -> bool {
        presented == CONFIRMATION
    }
}

/// The router over mocks, with readiness and the magic link stuck, and
/// pages that name their problem.
fn stuck_app() -> axum::Router {
    let mut services = mock().services();
    services.readiness = Arc::new(Stuck);
    services.links = Arc::new(Stuck);
    services.pages = Arc::new(ProblemPages);
    router(services, HttpConfig::default())
}

/// Pages that say which problem they show and nothing else, so a page in
/// an answer can only have come from them.
struct ProblemPages;

impl PageRenderer for ProblemPages {
    fn confirm_page(&self, _: &ConfirmPage) -> Result<RenderedPage, RenderError> {
        Err(RenderError::Template("not in these tests".to_owned()))
    }
    fn error_page(&self, page: &ErrorPage) -> RenderedPage {
        RenderedPage {
            html: format!(
                "<h1>This link cannot be used</h1><p>{}</p>",
                page.problem.as_str()
            ),
            language: "en".to_owned(),
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_request_that_outlives_the_time_limit_is_a_503_in_json() {
    let app = stuck_app();
    let r = send(app, get("/readyz")).await;
    r.assert_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "temporarily_unavailable",
        "The request timed out.",
    );
}

#[tokio::test(start_paused = true)]
async fn a_magic_link_page_that_outlives_the_time_limit_is_a_503_page_not_json() {
    let app = stuck_app();
    let r = send(
        app,
        get("/passwordless/verify_redirect?client_id=a&connection=email&email=a%40b.c&verification_code=x"),
    )
    .await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert!(String::from_utf8_lossy(&r.raw).contains("This link cannot be used"));
    assert!(String::from_utf8_lossy(&r.raw).contains("<p>unavailable</p>"));
}

fn cors_app() -> axum::Router {
    app_with(
        mock(),
        HttpConfig {
            cors_allowed_origins: vec!["https://app.example.com/".into()],
            ..HttpConfig::default()
        },
    )
}

fn preflight(origin: &str) -> Request<Body> {
    Request::builder()
        .method(Method::OPTIONS)
        .uri("/passwordless/start")
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header(
            "access-control-request-headers",
            "content-type,auth0-client",
        )
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn a_preflight_from_an_allowed_origin_is_answered() {
    let r = send(cors_app(), preflight("https://app.example.com")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("https://app.example.com")
    );
    let methods = r.header("access-control-allow-methods").unwrap();
    assert!(
        methods.contains("POST") && methods.contains("GET"),
        "{methods}"
    );
    let headers = r.header("access-control-allow-headers").unwrap();
    assert!(headers.contains("auth0-client"), "{headers}");
}

#[tokio::test]
async fn a_preflight_from_another_origin_gets_no_allow_origin() {
    let r = send(cors_app(), preflight("https://evil.example.com")).await;
    assert!(r.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn rate_limit_headers_are_exposed_to_browsers() {
    let mut req = get("/healthz");
    req.headers_mut()
        .insert("origin", "https://app.example.com".parse().unwrap());
    let r = send(cors_app(), req).await;
    let exposed = r.header("access-control-expose-headers").unwrap();
    assert!(
        exposed.contains("x-ratelimit-reset") && exposed.contains("retry-after"),
        "{exposed}"
    );
}
