//! `GET /api/v2/stats/active-users`: a bare JSON number, as Auth0 answers.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::HeaderMap;

use crate::AppState;
use crate::management::{Refusal, caller, refusal};

/// `GET /api/v2/stats/active-users` (scope `read:stats`): users who logged
/// in in the last 30 days.
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
