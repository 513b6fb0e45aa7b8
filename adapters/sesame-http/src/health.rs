//! Probes: `/healthz` (the process answers) and `/readyz` (every backend
//! answers).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ErrorBody;
use crate::openapi::tags;

/// The process answers.
#[derive(Serialize, ToSchema)]
#[schema(as = Health)]
pub(crate) struct HealthBody {
    /// `ok`.
    #[schema(example = "ok")]
    status: &'static str,
}

/// Whether every backend answers, and each one.
#[derive(Serialize, ToSchema)]
#[schema(as = Readiness)]
pub(crate) struct ReadyBody {
    /// Each backend.
    backends: Vec<BackendBody>,
    /// `ok` or `unavailable`.
    #[schema(example = "ok")]
    status: &'static str,
}

/// One backend's readiness.
#[derive(Serialize, ToSchema)]
#[schema(as = Backend)]
pub(crate) struct BackendBody {
    /// Its short name.
    name: &'static str,
    /// Whether it answered.
    ready: bool,
}

/// Liveness
///
/// Always 200 while the process serves.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "healthz",
    tag = tags::HEALTH,
    responses((status = 200, description = "The process serves.", body = HealthBody)),
)]
pub(crate) async fn healthz() -> Response {
    Json(HealthBody { status: "ok" }).into_response()
}

/// Readiness
///
/// 200 when every backend is ready, else 503; the body lists each backend.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "readyz",
    tag = tags::HEALTH,
    responses(
        (status = 200, description = "Every backend answers.", body = ReadyBody),
        (status = 503, description = "A backend does not answer (`status` is `unavailable`), \
            or, in the error envelope, the check timed out.", body = ReadyOrTimeout),
    ),
)]
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    let backends = state.services.readiness.readiness().await;
    let ready = backends.iter().all(|b| b.ready);
    let backends: Vec<BackendBody> = backends
        .iter()
        .map(|b| BackendBody {
            name: b.name,
            ready: b.ready,
        })
        .collect();
    let (status, word) = if ready {
        (StatusCode::OK, "ok")
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "unavailable")
    };
    (
        status,
        Json(ReadyBody {
            backends,
            status: word,
        }),
    )
        .into_response()
}

/// A 503 of `/readyz`: the readiness, or the time limit's envelope.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "documents the 503 answer; never built")]
enum ReadyOrTimeout {
    /// A backend does not answer.
    Ready(ReadyBody),
    /// The check took longer than the request time limit.
    Timeout(ErrorBody),
}
