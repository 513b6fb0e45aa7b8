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
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sesame_domain::mfa::Factor;
use sesame_domain::service::{
    AssociateRequest, AuthenticatorView, ChallengeAnswer, ChallengeRequest, Enrollment,
};

use crate::domain_errors::mfa_error;
use crate::error::ApiError;
use crate::extract::{Dialect, parse_body};
use crate::param::Param;
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

/// `authenticator_type` and `oob_channel` as Auth0 names a factor.
const fn wire(factor: Factor) -> (&'static str, Option<&'static str>) {
    match factor {
        Factor::Otp => ("otp", None),
        Factor::Sms => ("oob", Some("sms")),
        Factor::Email => ("oob", Some("email")),
        Factor::RecoveryCode => ("recovery-code", None),
    }
}

#[derive(Serialize)]
struct AuthenticatorBody {
    id: String,
    authenticator_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    oob_channel: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<String>,
    active: bool,
}

impl From<AuthenticatorView> for AuthenticatorBody {
    fn from(v: AuthenticatorView) -> Self {
        let (authenticator_type, oob_channel) = wire(v.factor);
        Self {
            id: v.id.to_string(),
            authenticator_type,
            oob_channel,
            name: v.name,
            active: v.active,
        }
    }
}

/// `GET /mfa/authenticators`.
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

/// `DELETE /mfa/authenticators/{id}`.
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

/// The body of `POST /mfa/associate`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct AssociateParams {
    client_id: Param,
    authenticator_types: Value,
    oob_channels: Value,
    phone_number: Param,
    email: Param,
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

#[derive(Serialize)]
struct EnrollmentBody {
    id: String,
    authenticator_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    barcode_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    binding_method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oob_channel: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oob_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recovery_codes: Option<Vec<String>>,
}

fn codes(c: Option<&SecretString>) -> Option<Vec<String>> {
    c.map(|c| vec![c.expose_secret().to_owned()])
}

impl From<&Enrollment> for EnrollmentBody {
    fn from(e: &Enrollment) -> Self {
        match e {
            Enrollment::Otp {
                id,
                secret,
                barcode_uri,
                recovery_code,
            } => Self {
                id: id.to_string(),
                authenticator_type: "otp",
                secret: Some(secret.expose_secret().to_owned()),
                barcode_uri: Some(barcode_uri.expose_secret().to_owned()),
                binding_method: None,
                oob_channel: None,
                oob_code: None,
                recovery_codes: codes(recovery_code.as_ref()),
            },
            Enrollment::Oob {
                id,
                channel,
                oob_code,
                recovery_code,
            } => Self {
                id: id.to_string(),
                authenticator_type: "oob",
                secret: None,
                barcode_uri: None,
                binding_method: Some("prompt"),
                oob_channel: wire(*channel).1,
                oob_code: Some(oob_code.expose_secret().to_owned()),
                recovery_codes: codes(recovery_code.as_ref()),
            },
        }
    }
}

/// `POST /mfa/associate`.
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

/// The body of `POST /mfa/challenge`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ChallengeParams {
    client_id: Param,
    client_secret: Param,
    mfa_token: Param,
    challenge_type: Param,
    authenticator_id: Param,
}

#[derive(Serialize)]
struct ChallengeBody {
    challenge_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    binding_method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    oob_code: Option<String>,
}

/// `POST /mfa/challenge`.
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
        let body = match state.services.mfa.challenge(req).await.map_err(mfa_error)? {
            ChallengeAnswer::Otp => ChallengeBody {
                challenge_type: "otp",
                binding_method: None,
                oob_code: None,
            },
            ChallengeAnswer::Oob { oob_code } => ChallengeBody {
                challenge_type: "oob",
                binding_method: Some("prompt"),
                oob_code: Some(oob_code.expose_secret().to_owned()),
            },
        };
        Ok::<_, ApiError>(Json(body))
    };
    no_store(answer.await.into_response())
}
