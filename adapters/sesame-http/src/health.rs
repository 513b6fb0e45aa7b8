//! Probes: `/healthz` (the process answers) and `/readyz` (every backend
//! answers).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde_json::json;

use crate::AppState;

/// `GET /healthz`: always 200 while the process serves.
pub(crate) async fn healthz() -> Response {
    Json(json!({"status": "ok"})).into_response()
}

/// `GET /readyz`: 200 when every backend is ready, else 503; the body lists
/// each backend.
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let backends = state.services.readiness.readiness().await;
    let ready = backends.iter().all(|b| b.ready);
    let list: Vec<_> = backends
        .iter()
        .map(|b| json!({"name": b.name, "ready": b.ready}))
        .collect();
    let (status, word) = if ready {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    (status, Json(json!({"status": word, "backends": list}))).into_response()
}
