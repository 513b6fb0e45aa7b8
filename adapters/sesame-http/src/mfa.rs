//! The MFA API, as Auth0 serves it: `GET /mfa/authenticators`,
//! `DELETE /mfa/authenticators/{id}`, `POST /mfa/associate` (each with
//! `Authorization: Bearer` and an `mfa_token` or an MFA API access token)
//! and `POST /mfa/challenge` (the `mfa_token` in the body). Every answer
//! carries `Cache-Control: no-store`: secrets and codes travel in them.

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use http::request::Parts;
use http::{HeaderMap, StatusCode};
use secrecy::SecretString;
use serde_json::Value;
use sesame_domain::mfa::Factor;
use sesame_domain::service::{AssociateRequest, ChallengeRequest};

use crate::domain_errors::mfa_error;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Dialect, parse_body};
use crate::mfa_body::{
    AssociateParams, AuthenticatorBody, ChallengeBody, ChallengeParams, EnrollmentBody,
};
use crate::openapi::tags;
use crate::token::{no_store, oauth_client};
use crate::userinfo::bearer;
use crate::{AppState, ip};

fn bearer_token(headers: &HeaderMap) -> Result<String, ApiError> {
    bearer(headers).map(str::to_owned).ok_or_else(|| {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Missing authentication: Authorization: Bearer <mfa_token> is required.",
        )
    })
}

/// List the user's authenticators
///
/// With `Authorization: Bearer` and an `mfa_token` or an access token for
/// the MFA API (`read:authenticators`).
#[utoipa::path(
    get,
    path = "/mfa/authenticators",
    operation_id = "mfa_list_authenticators",
    tag = tags::MFA,
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The authenticators.", body = Vec<AuthenticatorBody>),
        (status = 400, description = "`invalid_request`.", body = ErrorBody),
        (status = 401, description = "`unauthorized` (no bearer token), or `unauthorized` \
            (a blocked user).", body = ErrorBody),
        (status = 403, description = "`invalid_grant` (a bad token), `insufficient_scope` or \
            `access_denied`.", body = ErrorBody),
        (status = 500, description = "`server_error`.", body = ErrorBody),
        (status = 503, description = "`temporarily_unavailable`.", body = ErrorBody),
    ),
)]
pub(crate) async fn list(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let answer = async {
        let token = bearer_token(&headers)?;
        let views = state
            .services
            .mfa
            .list_authenticators(&token)
            .await
            .map_err(mfa_error)?;
        Ok::<_, ApiError>(Json(
            views
                .into_iter()
                .map(AuthenticatorBody::from)
                .collect::<Vec<_>>(),
        ))
    };
    no_store(answer.await.into_response())
}

/// Delete an authenticator
///
/// With `Authorization: Bearer` and an access token for the MFA API
/// (`remove:authenticators`).
#[utoipa::path(
    delete,
    path = "/mfa/authenticators/{id}",
    operation_id = "mfa_delete_authenticator",
    tag = tags::MFA,
    params(("id" = String, Path, description = "The authenticator's id.")),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted."),
        (status = 400, description = "`invalid_request`.", body = ErrorBody),
        (status = 401, description = "`unauthorized`: no bearer token, or a blocked user.",
            body = ErrorBody),
        (status = 403, description = "`invalid_grant`, `insufficient_scope` or \
            `access_denied`.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such authenticator.", body = ErrorBody),
        (status = 500, description = "`server_error`.", body = ErrorBody),
        (status = 503, description = "`temporarily_unavailable`.", body = ErrorBody),
    ),
)]
pub(crate) async fn delete(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let token = bearer_token(&headers)?;
        state
            .services
            .mfa
            .delete_authenticator(&token, &id)
            .await
            .map_err(mfa_error)?;
        Ok::<_, ApiError>(StatusCode::NO_CONTENT)
    };
    no_store(answer.await.into_response())
}

/// The one string of a one-element array (or a bare string).
fn one(v: &Value, name: &str) -> Result<Option<String>, ApiError> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s.clone())),
        Value::Array(a) if a.len() == 1 => match &a[0] {
            Value::String(s) => Ok(Some(s.clone())),
            _ => Err(ApiError::invalid_request(format!(
                "{name} must hold strings"
            ))),
        },
        _ => Err(ApiError::invalid_request(format!(
            "{name} must be an array of one string"
        ))),
    }
}

fn factor_of(p: &AssociateParams) -> Result<Factor, ApiError> {
    let kind = one(&p.authenticator_types, "authenticator_types")?.ok_or_else(|| {
        ApiError::invalid_request("Missing required parameter: authenticator_types")
    })?;
    match (
        kind.as_str(),
        one(&p.oob_channels, "oob_channels")?.as_deref(),
    ) {
        ("otp", _) => Ok(Factor::Otp),
        ("oob", Some("sms") | None) => Ok(Factor::Sms),
        ("oob", Some("email")) | ("email", _) => Ok(Factor::Email),
        ("oob", Some(other)) => Err(ApiError::invalid_request(format!(
            "Unsupported oob_channel: {}",
            crate::error::clip(other, 40)
        ))),
        (other, _) => Err(ApiError::invalid_request(format!(
            "Unsupported authenticator type: {}",
            crate::error::clip(other, 40)
        ))),
    }
}

/// Enroll an authenticator
///
/// With `Authorization: Bearer` and an `mfa_token` (a first enrollment) or
/// an access token for the MFA API (`enroll`).
#[utoipa::path(
    post,
    path = "/mfa/associate",
    operation_id = "mfa_associate",
    tag = tags::MFA,
    request_body(content(
        (AssociateParams = "application/json"),
        (AssociateParams = "application/x-www-form-urlencoded"),
    )),
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The new authenticator.", body = EnrollmentBody),
        (status = 400, description = "`invalid_request`, or a refused send as \
            `/passwordless/start` words it.", body = ErrorBody),
        (status = 401, description = "`unauthorized`: no bearer token, or a blocked user.",
            body = ErrorBody),
        (status = 403, description = "`invalid_grant`, `insufficient_scope` or \
            `access_denied`.", body = ErrorBody),
        (status = 413, description = "`invalid_request`: the body is over the limit.",
            body = ErrorBody),
        (status = 415, description = "`invalid_request`: neither JSON nor a form.",
            body = ErrorBody),
        (status = 429, description = "`too_many_requests`, with `Retry-After`.",
            body = ErrorBody),
        (status = 500, description = "`server_error`.", body = ErrorBody),
        (status = 503, description = "`temporarily_unavailable` or `email_provider_error`.",
            body = ErrorBody),
    ),
)]
pub(crate) async fn associate(
    State(state): State<AppState>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let answer = async {
        let token = bearer_token(&parts.headers)?;
        let p: AssociateParams = parse_body(&parts.headers, body, Dialect::OAuth)?;
        let req = AssociateRequest {
            bearer: SecretString::from(token),
            client_id: p.client_id.oauth("client_id")?.map(str::to_owned),
            factor: factor_of(&p)?,
            phone_number: p.phone_number.oauth("phone_number")?.map(str::to_owned),
            email: p.email.oauth("email")?.map(str::to_owned),
            ip: ip::client_ip(state.ip_source, &parts),
        };
        let enrollment = state.services.mfa.associate(req).await.map_err(mfa_error)?;
        Ok::<_, ApiError>(Json(EnrollmentBody::from(&enrollment)))
    };
    no_store(answer.await.into_response())
}

/// Challenge an authenticator
///
/// Sends an out-of-band code, or asks for a TOTP code, for the MFA grants.
#[utoipa::path(
    post,
    path = "/mfa/challenge",
    operation_id = "mfa_challenge",
    tag = tags::MFA,
    request_body(content(
        (ChallengeParams = "application/json"),
        (ChallengeParams = "application/x-www-form-urlencoded"),
    )),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "The challenge.", body = ChallengeBody),
        (status = 400, description = "`invalid_request`, `unsupported_challenge_type`, or a \
            refused send as `/passwordless/start` words it.", body = ErrorBody),
        (status = 401, description = "`access_denied` (a bad client) or `unauthorized` \
            (a blocked user).", body = ErrorBody),
        (status = 403, description = "`invalid_grant` (a bad `mfa_token`) or \
            `access_denied`.", body = ErrorBody),
        (status = 404, description = "`not_found`: no such authenticator.", body = ErrorBody),
        (status = 413, description = "`invalid_request`: the body is over the limit.",
            body = ErrorBody),
        (status = 415, description = "`invalid_request`: neither JSON nor a form.",
            body = ErrorBody),
        (status = 429, description = "`too_many_requests`, with `Retry-After`.",
            body = ErrorBody),
        (status = 500, description = "`server_error`.", body = ErrorBody),
        (status = 503, description = "`temporarily_unavailable` or `email_provider_error`.",
            body = ErrorBody),
    ),
)]
pub(crate) async fn challenge(
    State(state): State<AppState>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let answer = async {
        let p: ChallengeParams = parse_body(&parts.headers, body, Dialect::OAuth)?;
        let client = oauth_client(&parts.headers, &p.client_id, &p.client_secret)?;
        let req = ChallengeRequest {
            client,
            mfa_token: SecretString::from(p.mfa_token.required("mfa_token")?),
            challenge_type: p.challenge_type.oauth("challenge_type")?.map(str::to_owned),
            authenticator_id: p
                .authenticator_id
                .oauth("authenticator_id")?
                .map(str::to_owned),
            ip: ip::client_ip(state.ip_source, &parts),
        };
        let answer = state.services.mfa.challenge(req).await.map_err(mfa_error)?;
        let body = ChallengeBody::from(answer);
        Ok::<_, ApiError>(Json(body))
    };
    no_store(answer.await.into_response())
}
