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

use crate::AppState;
use crate::domain_errors::revoke_error;
use crate::error::ApiError;
use crate::extract::{Dialect, parse_body};
use crate::param::Param;
use crate::token::{no_store, oauth_client};

/// The body of a revocation (`token_type_hint` and anything else is
/// ignored: only refresh tokens can be revoked).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct RevokeParams {
    client_id: Param,
    client_secret: Param,
    token: Param,
}

/// The handler: 200 with an empty body on success.
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
