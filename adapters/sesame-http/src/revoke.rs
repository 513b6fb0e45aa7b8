//! `POST /oauth/revoke` (RFC 7009): revokes a refresh token and its family.
//! Unknown tokens succeed too, so the answer reveals nothing about them.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use secrecy::SecretString;
use serde::Deserialize;
use sesame_domain::service::RevokeRequest;
use utoipa::ToSchema;

use crate::AppState;
use crate::domain_errors::revoke_error;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Dialect, parse_body};
use crate::openapi::tags;
use crate::param::Param;
use crate::token::{no_store, oauth_client};

/// The body of a revocation (`token_type_hint` and anything else is
/// ignored: only refresh tokens can be revoked).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = RevokeRequest)]
pub(crate) struct RevokeParams {
    /// The application, here or as the `Basic` user name.
    #[schema(value_type = String)]
    #[serde(default)]
    client_id: Param,
    /// A confidential application's secret (or `Basic` credentials).
    #[schema(value_type = String)]
    #[serde(default)]
    client_secret: Param,
    /// The refresh token to revoke, with its family. Required.
    #[schema(value_type = String)]
    #[serde(default)]
    token: Param,
}

/// Revoke a refresh token
///
/// Revokes the refresh token and every token refreshed from it (RFC 7009).
/// An unknown token succeeds too, so the answer reveals nothing about it.
#[utoipa::path(
    post,
    path = "/oauth/revoke",
    operation_id = "oauth_revoke",
    tag = tags::AUTHENTICATION,
    request_body(content(
        (RevokeParams = "application/x-www-form-urlencoded"),
        (RevokeParams = "application/json"),
    )),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "Revoked, or not a token: an empty body."),
        (status = 400, description = "`invalid_request`.", body = ErrorBody),
        (status = 401, description = "`access_denied`: a bad client.", body = ErrorBody),
        (status = 413, description = "`invalid_request`: the body is over the limit.",
            body = ErrorBody),
        (status = 415, description = "`invalid_request`: neither a form nor JSON.",
            body = ErrorBody),
        (status = 500, description = "`server_error`.", body = ErrorBody),
        (status = 503, description = "`temporarily_unavailable`.", body = ErrorBody),
    ),
)]
pub(crate) async fn handle(
    State(state): State<AppState>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let response = match revoke(&state, &parts, body).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    };
    no_store(response)
}

async fn revoke(
    state: &AppState,
    parts: &Parts,
    body: Result<Bytes, BytesRejection>,
) -> Result<(), ApiError> {
    let p: RevokeParams = parse_body(&parts.headers, body, Dialect::OAuth)?;
    let client = oauth_client(&parts.headers, &p.client_id, &p.client_secret)?;
    let token = SecretString::from(p.token.required("token")?);
    state
        .services
        .revocation
        .revoke(RevokeRequest { client, token })
        .await
        .map_err(revoke_error)
}
