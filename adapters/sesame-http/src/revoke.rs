//! `POST /oauth/revoke` (RFC 7009): revokes a refresh token and its family.
//! Unknown tokens succeed too, so the answer reveals nothing about them.

use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use secrecy::SecretString;
use sesame_domain::AuthService;
use sesame_domain::service::RevokeRequest;

use crate::AppState;
use crate::domain_errors::revoke_error;
use crate::error::ApiError;
use crate::extract::{Dialect, parse_body};
use crate::token::{client, no_store, required};

/// The handler: 200 with an empty body on success.
pub(crate) async fn handle<S: AuthService + ?Sized>(
    State(state): State<AppState<S>>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let response = match revoke(&state, &parts, body).await {
        Ok(()) => StatusCode::OK.into_response(),
        Err(e) => e.into_response(),
    };
    no_store(response)
}

async fn revoke<S: AuthService + ?Sized>(
    state: &AppState<S>,
    parts: &Parts,
    body: Result<Bytes, BytesRejection>,
) -> Result<(), ApiError> {
    let p = parse_body(&parts.headers, body, Dialect::OAuth)?;
    let client = client(&parts.headers, &p)?;
    let token = SecretString::from(required(&p, "token")?);
    state
        .service
        .revoke(RevokeRequest { client, token })
        .await
        .map_err(revoke_error)
}
