//! Prometheus metrics: one recorder per process (the `metrics` facade's
//! global), rendered as Prometheus text on a listener of its own
//! (`[metrics] listen`, off by default), never on the public one.
//!
//! Labels never hold a user, an address or an IP: routes are templates,
//! grants and outcomes are OAuth names, channels and algorithms are enums.
//! The series are described in `docs/operations.md`.

use std::sync::OnceLock;

use axum::Router;
use axum::routing::get;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use tokio::net::TcpListener;

/// Histogram buckets, in seconds: from a fast in-memory call to a slow
/// provider.
const BUCKETS: [f64; 14] = [
    0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// The process's recorder, installed on first use. In-process test servers
/// share it, as every series is process-wide anyway.
///
/// # Errors
/// The exporter refuses its buckets, or another recorder is installed.
pub fn handle() -> anyhow::Result<PrometheusHandle> {
    if let Some(h) = HANDLE.get() {
        return Ok(h.clone());
    }
    let recorder = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".to_owned()), &BUCKETS)?
        .build_recorder();
    let handle = recorder.handle();
    // Two threads racing here: the loser's recorder is dropped and it uses
    // the winner's handle.
    if metrics::set_global_recorder(recorder).is_ok() {
        let _ = HANDLE.set(handle);
        describe();
    }
    HANDLE
        .get()
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("another metrics recorder is installed in this process"))
}

/// Describes every series and sets those that must show before anything
/// happens.
fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        "sesame_http_requests_total",
        "HTTP requests answered, by route template and status."
    );
    describe_histogram!(
        "sesame_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer an HTTP request, by route template."
    );
    describe_counter!(
        "sesame_signins_total",
        "Token requests, by grant and outcome (success, or the OAuth error code)."
    );
    describe_counter!(
        "sesame_messages_sent_total",
        "Messages handed to a provider, by channel (email, sms) and result."
    );
    describe_counter!(
        "sesame_rate_limited_total",
        "Requests refused by a limit, by limit."
    );
    describe_histogram!(
        "sesame_signing_duration_seconds",
        Unit::Seconds,
        "Time to sign one token, by algorithm."
    );
    describe_counter!(
        "sesame_log_stream_dropped_total",
        "Log events the log stream dropped: its buffer was full, or the endpoint kept failing."
    );
    describe_counter!(
        "sesame_events_dropped_total",
        "Log events not stored: the writer's queue was full, or the store kept failing."
    );
    describe_histogram!(
        "sesame_store_call_duration_seconds",
        Unit::Seconds,
        "Time of one store call on a login's path, by backend and operation."
    );
    describe_gauge!("sesame_build_info", "Always 1; the version is a label.");
    metrics::gauge!("sesame_build_info", "version" => env!("CARGO_PKG_VERSION")).set(1.0);
    metrics::counter!("sesame_log_stream_dropped_total").absolute(0);
    metrics::counter!("sesame_events_dropped_total").absolute(0);
}

/// `GET /metrics` in Prometheus text format.
pub fn router(handle: PrometheusHandle) -> Router {
    Router::new().route("/metrics", get(move || std::future::ready(handle.render())))
}

/// Serves [`router`] on `listener` until `shutdown` resolves.
///
/// # Errors
/// The listener fails.
pub async fn serve(
    listener: TcpListener,
    handle: PrometheusHandle,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, router(handle))
        .with_graceful_shutdown(shutdown)
        .await
}
