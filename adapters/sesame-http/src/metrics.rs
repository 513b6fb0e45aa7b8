//! What the edge records for the metrics (the `metrics` facade; the server
//! installs the recorder and exports it): every answer by route template
//! and status, its time, token requests by grant and outcome, and refusals
//! by the limit that made them. Labels never hold a user, an address or
//! an IP.

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Records one answer of a matched route.
pub(crate) async fn record(req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let start = Instant::now();
    let response = next.run(req).await;
    metrics::histogram!("sesame_http_request_duration_seconds", "route" => route.clone())
        .record(start.elapsed().as_secs_f64());
    metrics::counter!(
        "sesame_http_requests_total",
        "route" => route,
        "status" => response.status().as_u16().to_string()
    )
    .increment(1);
    response
}

/// One token request: its grant (`unsupported` for one this server does
/// not serve) and `success` or the OAuth `error` it was answered with.
pub(crate) fn signin(grant: &'static str, outcome: &str) {
    metrics::counter!("sesame_signins_total", "grant" => grant, "outcome" => outcome.to_owned())
        .increment(1);
}

/// A request refused by `limit`.
pub(crate) fn rate_limited(limit: &'static str) {
    metrics::counter!("sesame_rate_limited_total", "limit" => limit).increment(1);
}
