//! `POST /oauth/token`: reads the typed body, builds the domain's
//! [`TokenRequest`] for its grant, and answers the token set or the error.
//! Every answer, success or error, carries `Cache-Control: no-store` and
//! `Pragma: no-cache` (RFC 6749 §5.1).
//!
//! A new grant is one arm in `grant`: which parameters make its request (and
//! its name in `grant_type`).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, PRAGMA};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode};
use secrecy::SecretString;
use sesame_domain::service::{
    ClientCredentials, ClientCredentialsGrant, CodeGrant, Grant, MfaOobGrant, MfaOtpGrant,
    MfaRecoveryGrant, OtpGrant, RefreshGrant, TokenRequest,
};
use sesame_domain::{Connection, GrantType, Otp, TokenSet};

use crate::client_auth::credentials;
use crate::domain_errors::token_error;
use crate::error::{ApiError, ErrorBody, clip};
use crate::extract::{Dialect, parse_body};
use crate::openapi::tags;
use crate::param::Param;
use crate::token_body::{TokenBody, TokenForbidden, TokenParams};
use crate::{AppState, ip};

/// Get tokens
///
/// Exchanges a grant for tokens: the passwordless OTP, an authorization
/// code, a refresh token, client credentials or one of the MFA grants.
/// Every answer carries `Cache-Control: no-store`; every answer to a
/// request with a `DPoP` proof carries a `DPoP-Nonce`.
#[utoipa::path(
    post,
    path = "/oauth/token",
    operation_id = "oauth_token",
    tag = tags::AUTHENTICATION,
    request_body(content(
        (TokenParams = "application/x-www-form-urlencoded"),
        (TokenParams = "application/json"),
    )),
    params(("DPoP" = Option<String>, Header, nullable = false, description = "A DPoP proof (RFC 9449).")),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "The tokens.", body = TokenBody),
        (status = 400, description = "`invalid_request`, `unsupported_grant_type`, \
            `invalid_scope`, `invalid_dpop_proof` or `use_dpop_nonce`.", body = ErrorBody),
        (status = 401, description = "`access_denied` (a bad client) or `unauthorized` \
            (a blocked user).", body = ErrorBody),
        (status = 403, description = "`mfa_required`, or `invalid_grant`, \
            `unauthorized_client`, `access_denied`.", body = TokenForbidden),
        (status = 413, description = "`invalid_request`: the body is over the limit.",
            body = ErrorBody),
        (status = 415, description = "`invalid_request`: neither a form nor JSON.",
            body = ErrorBody),
        (status = 429, description = "`too_many_attempts` or `too_many_requests`, with \
            `Retry-After` and the `x-ratelimit-*` headers.", body = ErrorBody),
        (status = 500, description = "`server_error`.", body = ErrorBody),
        (status = 503, description = "`temporarily_unavailable`.", body = ErrorBody),
    ),
)]
pub(crate) async fn handle(
    State(state): State<AppState>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let dpop = crate::dpop::proof(&parts.headers, &parts.method);
    let with_dpop = dpop.is_some();
    let mut response = match exchange(&state, &parts, body, dpop).await {
        Ok(tokens) => Json(TokenBody::from(&tokens)).into_response(),
        Err(e) => e.into_response(),
    };
    // Every answer to a DPoP request carries the nonce for the next proof
    // (RFC 9449 §8), refusals included.
    if with_dpop {
        crate::dpop::add_nonce(response.headers_mut(), &state.services.tokens.dpop_nonce());
    }
    no_store(response)
}

/// Adds the headers that keep token responses out of every cache.
pub(crate) fn no_store(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

async fn exchange(
    state: &AppState,
    parts: &Parts,
    body: Result<Bytes, BytesRejection>,
    dpop: Option<sesame_domain::DpopProof>,
) -> Result<TokenSet, ApiError> {
    let headers = &parts.headers;
    let p: TokenParams = parse_body(headers, body, Dialect::OAuth)?;
    // An unsupported grant is reported before the client is looked at, and
    // the client before the grant's own parameters.
    let grant_type = grant_type(&p)?;
    let client = oauth_client(headers, &p.client_id, &p.client_secret)?;
    let grant = grant(grant_type, &p)?;
    let answer = state
        .services
        .tokens
        .token(TokenRequest {
            client,
            grant,
            ip: ip::client_ip(state.ip_source, parts),
            forwarded_for: ip::forwarded_for(headers),
            dpop,
            user_agent: ip::user_agent(headers),
        })
        .await
        .map_err(token_error);
    let outcome = answer.as_ref().map_or_else(ApiError::code, |_| "success");
    crate::metrics::signin(grant_type.as_str(), outcome);
    answer
}

/// The grant `grant_type` names, when this endpoint serves it.
fn grant_type(p: &TokenParams) -> Result<GrantType, ApiError> {
    let name = p.grant_type.required("grant_type")?;
    match name.parse::<GrantType>() {
        // `implicit` is a grant of the magic link's redirect, never of this
        // endpoint.
        Ok(GrantType::Implicit) | Err(_) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            format!("Unsupported grant type: {}", clip(name, 100)),
        )),
        Ok(g) => Ok(g),
    }
}

/// What the grant presents: one arm per grant.
fn grant(grant_type: GrantType, p: &TokenParams) -> Result<Grant, ApiError> {
    let owned = |v: Option<&str>| v.map(str::to_owned);
    Ok(match grant_type {
        GrantType::PasswordlessOtp => {
            let username = p.username.required("username")?.to_owned();
            let otp = Otp::new(p.otp.required("otp")?);
            let connection = p
                .realm
                .required("realm")?
                .parse::<Connection>()
                .map_err(|_| {
                    ApiError::invalid_request("Invalid parameter: realm must be email or sms")
                })?;
            Grant::from(OtpGrant {
                connection,
                username,
                otp,
                audience: audience(p)?,
                scope: owned(p.scope.oauth("scope")?),
                redirect_uri: owned(p.redirect_uri.oauth("redirect_uri")?),
            })
        }
        GrantType::AuthorizationCode => Grant::from(CodeGrant {
            code: SecretString::from(p.code.required("code")?),
            redirect_uri: owned(p.redirect_uri.oauth("redirect_uri")?),
            code_verifier: p
                .code_verifier
                .oauth("code_verifier")?
                .map(SecretString::from),
        }),
        GrantType::RefreshToken => Grant::from(RefreshGrant {
            refresh_token: SecretString::from(p.refresh_token.required("refresh_token")?),
            scope: owned(p.scope.oauth("scope")?),
        }),
        GrantType::ClientCredentials => Grant::from(ClientCredentialsGrant {
            audience: audience(p)?,
            scope: owned(p.scope.oauth("scope")?),
        }),
        GrantType::MfaOtp => Grant::from(MfaOtpGrant {
            mfa_token: SecretString::from(p.mfa_token.required("mfa_token")?),
            otp: SecretString::from(p.otp.required("otp")?),
        }),
        GrantType::MfaOob => Grant::from(MfaOobGrant {
            mfa_token: SecretString::from(p.mfa_token.required("mfa_token")?),
            oob_code: SecretString::from(p.oob_code.required("oob_code")?),
            binding_code: p
                .binding_code
                .oauth("binding_code")?
                .map(SecretString::from),
        }),
        GrantType::MfaRecoveryCode => Grant::from(MfaRecoveryGrant {
            mfa_token: SecretString::from(p.mfa_token.required("mfa_token")?),
            recovery_code: SecretString::from(p.recovery_code.required("recovery_code")?),
        }),
        GrantType::Implicit => {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Unsupported grant type: implicit",
            ));
        }
    })
}

/// The API a request names: `audience`, or RFC 8707's `resource`; both
/// only when they agree.
fn audience(p: &TokenParams) -> Result<Option<String>, ApiError> {
    match (p.audience.oauth("audience")?, p.resource.oauth("resource")?) {
        (Some(a), Some(r)) if a != r => Err(ApiError::invalid_request(
            "Invalid parameters: audience and resource differ",
        )),
        (a, r) => Ok(a.or(r).map(str::to_owned)),
    }
}

/// The client's credentials at an OAuth endpoint, from the body and the
/// `Authorization` header.
pub(crate) fn oauth_client(
    headers: &HeaderMap,
    client_id: &Param,
    client_secret: &Param,
) -> Result<ClientCredentials, ApiError> {
    credentials(
        headers,
        client_id.oauth("client_id")?,
        client_secret.oauth("client_secret")?,
        Dialect::OAuth,
    )
}
