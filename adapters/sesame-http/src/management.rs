//! The Management API subset at `/api/v2/`, answered in Auth0's shape:
//! users as the Management API v2 lists them, errors as
//! `{"statusCode", "error", "message", "errorCode"}` (not the OAuth
//! envelope), and 429 with the `x-ratelimit-*` headers SDKs read.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::Value;
use sesame_domain::User;
use sesame_domain::service::{ManagementCaller, ManagementError};

use crate::AppState;
use crate::management_body::{ManagementErrorBody, ManagementRefusals};
pub(crate) use crate::management_body::{Refusal, UserBody, refusal};
use crate::management_patch::{UserPatchBody, patch};
use crate::openapi::tags;
use crate::userinfo::bearer;

/// `user` as the Management API v2 shows it (also what `sesame users …
/// --json` prints).
#[must_use]
pub fn user_json(user: &User) -> Value {
    serde_json::to_value(UserBody::from(user)).unwrap_or(Value::Null)
}

pub(crate) async fn caller(
    state: &AppState,
    headers: &HeaderMap,
) -> Result<ManagementCaller, Refusal> {
    let token = bearer(headers).ok_or_else(|| refusal(ManagementError::MissingToken))?;
    state
        .services
        .management
        .management_caller(token)
        .await
        .map_err(refusal)
}

/// Get a user
#[utoipa::path(
    get,
    path = "/api/v2/users/{id}",
    operation_id = "management_get_user",
    tag = tags::MANAGEMENT,
    params(("id" = String, Path, description = "The user id, `email|…` or `sms|…`.")),
    security(("bearer" = ["read:users"]), ("bearer" = ["read:current_user"])),
    responses(
        (status = 200, description = "The user.", body = UserBody),
        (status = 404, description = "`inexistent_user`.", body = ManagementErrorBody),
        ManagementRefusals,
    ),
)]
pub(crate) async fn get_user(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let caller = caller(&state, &headers).await?;
        let user = state
            .services
            .management
            .management_user(&caller, &id)
            .await
            .map_err(refusal)?;
        Ok::<_, Refusal>(Json(UserBody::from(&user)))
    };
    answer.await.into_response()
}

/// The query of `GET /api/v2/users-by-email`.
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ByEmail {
    /// The address, matched case-insensitively.
    #[serde(default)]
    email: String,
}

/// Find users by email
#[utoipa::path(
    get,
    path = "/api/v2/users-by-email",
    operation_id = "management_users_by_email",
    tag = tags::MANAGEMENT,
    params(ByEmail),
    security(("bearer" = ["read:users"])),
    responses(
        (status = 200, description = "The users with that address.",
            body = Vec<UserBody>),
        (status = 400, description = "`invalid_query_string`.", body = ManagementErrorBody),
        ManagementRefusals,
    ),
)]
pub(crate) async fn users_by_email(
    State(state): State<AppState>,
    Query(q): Query<ByEmail>,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let caller = caller(&state, &headers).await?;
        let users = state
            .services
            .management
            .management_users_by_email(&caller, &q.email)
            .await
            .map_err(refusal)?;
        Ok::<_, Refusal>(Json(users.iter().map(UserBody::from).collect::<Vec<_>>()))
    };
    answer.await.into_response()
}

/// Update a user
///
/// `blocked`, `email_verified`, `phone_verified`, `user_metadata` and
/// `app_metadata`; any other property is refused by name rather than
/// ignored.
#[utoipa::path(
    patch,
    path = "/api/v2/users/{id}",
    operation_id = "management_update_user",
    tag = tags::MANAGEMENT,
    params(("id" = String, Path, description = "The user id, `email|…` or `sms|…`.")),
    request_body(content = UserPatchBody, content_type = "application/json"),
    security(("bearer" = ["update:users"])),
    responses(
        (status = 200, description = "The updated user.", body = UserBody),
        (status = 400, description = "`invalid_body`.", body = ManagementErrorBody),
        (status = 404, description = "`inexistent_user`.", body = ManagementErrorBody),
        ManagementRefusals,
    ),
)]
pub(crate) async fn update_user(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let answer = async {
        let caller = caller(&state, &headers).await?;
        let patch = patch(body).map_err(refusal)?;
        let user = state
            .services
            .management
            .management_update_user(&caller, &id, &patch)
            .await
            .map_err(refusal)?;
        Ok::<_, Refusal>(Json(UserBody::from(&user)))
    };
    answer.await.into_response()
}

/// Delete a user
///
/// With their refresh tokens, authenticators and pending codes and links.
#[utoipa::path(
    delete,
    path = "/api/v2/users/{id}",
    operation_id = "management_delete_user",
    tag = tags::MANAGEMENT,
    params(("id" = String, Path, description = "The user id, `email|…` or `sms|…`.")),
    security(("bearer" = ["delete:users"])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 404, description = "`inexistent_user`.", body = ManagementErrorBody),
        ManagementRefusals,
    ),
)]
pub(crate) async fn delete_user(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let caller = caller(&state, &headers).await?;
        state
            .services
            .management
            .management_delete_user(&caller, &id)
            .await
            .map_err(refusal)?;
        Ok::<_, Refusal>(StatusCode::NO_CONTENT)
    };
    answer.await.into_response()
}

/// Revoke a user's refresh tokens
#[utoipa::path(
    delete,
    path = "/api/v2/users/{id}/refresh-tokens",
    operation_id = "management_revoke_refresh_tokens",
    tag = tags::MANAGEMENT,
    params(("id" = String, Path, description = "The user id, `email|…` or `sms|…`.")),
    security(("bearer" = ["delete:refresh_tokens"])),
    responses(
        (status = 204, description = "Every refresh token of the user is revoked."),
        (status = 404, description = "`inexistent_user`.", body = ManagementErrorBody),
        ManagementRefusals,
    ),
)]
pub(crate) async fn revoke_refresh_tokens(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let caller = caller(&state, &headers).await?;
        state
            .services
            .management
            .management_revoke_refresh_tokens(&caller, &id)
            .await
            .map_err(refusal)?;
        Ok::<_, Refusal>(StatusCode::NO_CONTENT)
    };
    answer.await.into_response()
}
