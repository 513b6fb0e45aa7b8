//! `GET /api/v2/stats/active-users`: a bare JSON number, as Auth0 answers.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::HeaderMap;

use crate::AppState;
use crate::management::{Refusal, caller, refusal};
use crate::management_body::ManagementRefusals;
use crate::openapi::tags;

/// Count the active users
///
/// Users who logged in in the last 30 days: a bare JSON number.
#[utoipa::path(
    get,
    path = "/api/v2/stats/active-users",
    operation_id = "management_active_users",
    tag = tags::MANAGEMENT,
    security(("bearer" = ["read:stats"])),
    responses(
        (status = 200, description = "The number of active users.", body = u64,
            content_type = "application/json"),
        ManagementRefusals,
    ),
)]
pub(crate) async fn active_users(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let answer = async {
        let caller = caller(&state, &headers).await?;
        let n = state
            .services
            .management
            .management_active_users(&caller)
            .await
            .map_err(refusal)?;
        Ok::<_, Refusal>(Json(n))
    };
    answer.await.into_response()
}
