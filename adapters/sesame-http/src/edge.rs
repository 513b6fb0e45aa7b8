//! What wraps the routes: the JSON 404 and 405, the JSON routes' time limit,
//! CORS and the per-request tracing span.

use std::time::Duration;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::header::{AUTHORIZATION, CONTENT_TYPE, RETRY_AFTER};
use http::{HeaderName, HeaderValue, Method, StatusCode};
use tower_http::classify::{ServerErrorsAsFailures, SharedClassifier};
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::trace::{DefaultOnRequest, MakeSpan, OnResponse, TraceLayer};
use tracing::Span;

use crate::error::ApiError;
use crate::ratelimit_headers::{LIMIT, REMAINING, RESET};

/// Any path no route matches.
pub(crate) async fn not_found() -> Response {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "Not found.").into_response()
}

/// A known path with a method it does not serve (axum adds `Allow`).
pub(crate) async fn method_not_allowed() -> Response {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "Method not allowed.",
    )
    .into_response()
}

/// Cuts a JSON request off after `limit` with 503 in the error envelope, so
/// nothing hangs on a slow backend or a client that trickles its body.
pub(crate) async fn time_limit(
    State(limit): State<Duration>,
    req: Request,
    next: Next,
) -> Response {
    within(limit, next.run(req)).await.unwrap_or_else(|| {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The request timed out.",
        )
        .into_response()
    })
}

/// `response`, or `None` (logged) when it takes longer than `limit`.
pub(crate) async fn within(
    limit: Duration,
    response: impl Future<Output = Response>,
) -> Option<Response> {
    let answered = tokio::time::timeout(limit, response).await.ok();
    if answered.is_none() {
        tracing::warn!(limit_secs = limit.as_secs(), "request timed out");
    }
    answered
}

/// CORS for `origins` (exact matches, trailing `/` ignored; `*` for any):
/// GET and POST with the headers Auth0 SDKs send and `DPoP`; rate-limit
/// headers, `DPoP-Nonce` and `WWW-Authenticate` exposed.
pub(crate) fn cors(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(origins.iter().filter_map(|o| {
            let value = HeaderValue::from_str(o.trim_end_matches('/')).ok();
            if value.is_none() {
                tracing::warn!(origin = %o, "ignoring a CORS origin that is not a valid header value");
            }
            value
        }))
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([
            CONTENT_TYPE,
            AUTHORIZATION,
            HeaderName::from_static("auth0-client"),
            HeaderName::from_static("auth0-forwarded-for"),
            crate::dpop::DPOP,
        ])
        .expose_headers([
            LIMIT,
            REMAINING,
            RESET,
            RETRY_AFTER,
            crate::dpop::DPOP_NONCE,
            http::header::WWW_AUTHENTICATE,
        ])
        .max_age(Duration::from_secs(600))
}

/// The span of one request: method and route template, then status and
/// latency. Never the URI (query strings may carry secrets), headers or body.
#[derive(Debug, Clone, Copy)]
pub(crate) struct RequestSpan;

impl<B> MakeSpan<B> for RequestSpan {
    fn make_span(&mut self, req: &http::Request<B>) -> Span {
        let route = req
            .extensions()
            .get::<MatchedPath>()
            .map_or("<unmatched>", MatchedPath::as_str);
        tracing::info_span!(
            "http",
            method = %req.method(),
            route,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        )
    }
}

impl<B> OnResponse<B> for RequestSpan {
    fn on_response(self, res: &http::Response<B>, latency: Duration, span: &Span) {
        span.record("status", res.status().as_u16());
        span.record(
            "latency_ms",
            u64::try_from(latency.as_millis()).unwrap_or(u64::MAX),
        );
        tracing::info!(parent: span, "request done");
    }
}

/// The tracing layer with [`RequestSpan`].
pub(crate) fn trace()
-> TraceLayer<SharedClassifier<ServerErrorsAsFailures>, RequestSpan, DefaultOnRequest, RequestSpan>
{
    TraceLayer::new_for_http()
        .make_span_with(RequestSpan)
        .on_response(RequestSpan)
}
