//! `POST /oauth/token`: the passwordless OTP grant, the authorization-code
//! grant (for magic links) and the refresh-token grant. Every answer, success or error, carries `Cache-Control: no-store`
//! and `Pragma: no-cache` (RFC 6749 §5.1).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, PRAGMA};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode};
use secrecy::SecretString;
use serde::Serialize;
use sesame_domain::service::{ClientCredentials, CodeRequest, OtpRequest, RefreshRequest};
use sesame_domain::{AuthService, Connection, GrantType, Otp, TokenSet};

use crate::AppState;
use crate::client_auth::credentials;
use crate::domain_errors::{code_error, otp_error, refresh_error};
use crate::error::{ApiError, clip};
use crate::extract::{Dialect, Params, parse_body};

/// The handler.
pub(crate) async fn handle<S: AuthService + ?Sized>(
    State(state): State<AppState<S>>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let response = match grant(&state, &parts.headers, body).await {
        Ok(tokens) => Json(TokenBody::from(&tokens)).into_response(),
        Err(e) => e.into_response(),
    };
    no_store(response)
}

/// Adds the headers that keep token responses out of every cache.
pub(crate) fn no_store(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

async fn grant<S: AuthService + ?Sized>(
    state: &AppState<S>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<TokenSet, ApiError> {
    let p = parse_body(headers, body, Dialect::OAuth)?;
    // An unsupported grant is reported before the client is looked at.
    let grant = match required(&p, "grant_type")? {
        GrantType::PASSWORDLESS_OTP => GrantType::PasswordlessOtp,
        "refresh_token" => GrantType::RefreshToken,
        "authorization_code" => GrantType::AuthorizationCode,
        other => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                format!("Unsupported grant type: {}", clip(other, 100)),
            ));
        }
    };
    let client = client(headers, &p)?;
    if grant == GrantType::PasswordlessOtp {
        let req = otp_request(client, &p)?;
        return state.service.exchange_otp(req).await.map_err(otp_error);
    }
    if grant == GrantType::AuthorizationCode {
        let req = CodeRequest {
            client,
            code: SecretString::from(required(&p, "code")?),
            redirect_uri: optional(&p, "redirect_uri")?.map(str::to_owned),
            code_verifier: optional(&p, "code_verifier")?.map(SecretString::from),
        };
        return state.service.exchange_code(req).await.map_err(code_error);
    }
    let req = RefreshRequest {
        client,
        refresh_token: SecretString::from(required(&p, "refresh_token")?),
        scope: optional(&p, "scope")?.map(str::to_owned),
    };
    state
        .service
        .exchange_refresh(req)
        .await
        .map_err(refresh_error)
}

/// The client's credentials, from the body and the `Authorization` header.
pub(crate) fn client(headers: &HeaderMap, p: &Params) -> Result<ClientCredentials, ApiError> {
    credentials(
        headers,
        optional(p, "client_id")?,
        optional(p, "client_secret")?,
        Dialect::OAuth,
    )
}

/// A string parameter; empty means absent (RFC 6749 §3.1).
pub(crate) fn optional<'a>(p: &'a Params, name: &str) -> Result<Option<&'a str>, ApiError> {
    p.str(name)
        .map(|v| v.filter(|s| !s.is_empty()))
        .map_err(|_| {
            ApiError::invalid_request(format!("Invalid parameter: {name} must be a string"))
        })
}

/// A string parameter that must be there.
pub(crate) fn required<'a>(p: &'a Params, name: &str) -> Result<&'a str, ApiError> {
    optional(p, name)?
        .ok_or_else(|| ApiError::invalid_request(format!("Missing required parameter: {name}")))
}

fn otp_request(client: ClientCredentials, p: &Params) -> Result<OtpRequest, ApiError> {
    let username = required(p, "username")?;
    let otp = required(p, "otp")?;
    let connection = required(p, "realm")?
        .parse::<Connection>()
        .map_err(|_| ApiError::invalid_request("Invalid parameter: realm must be email or sms"))?;
    let audience = match (optional(p, "audience")?, optional(p, "resource")?) {
        (Some(a), Some(r)) if a != r => {
            return Err(ApiError::invalid_request(
                "Invalid parameters: audience and resource differ",
            ));
        }
        (a, r) => a.or(r).map(str::to_owned),
    };
    Ok(OtpRequest {
        client,
        connection,
        username: username.to_owned(),
        otp: Otp::new(otp),
        audience,
        scope: optional(p, "scope")?.map(str::to_owned),
        redirect_uri: optional(p, "redirect_uri")?.map(str::to_owned),
    })
}

/// The success body; absent tokens are left out.
#[derive(Serialize)]
struct TokenBody<'a> {
    access_token: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    refresh_token: Option<&'a str>,
    token_type: &'a str,
    expires_in: u64,
    #[serde(skip_serializing_if = "str::is_empty")]
    scope: &'a str,
}

impl<'a> From<&'a TokenSet> for TokenBody<'a> {
    fn from(t: &'a TokenSet) -> Self {
        Self {
            access_token: t.access_token(),
            id_token: t.id_token(),
            refresh_token: t.refresh_token(),
            token_type: t.token_type,
            expires_in: t.expires_in,
            scope: &t.scope,
        }
    }
}
