//! `POST /passwordless/start`: validate the body as Auth0 does, start the
//! login, answer with Auth0's `{_id, email|phone_number, *_verified}`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use sesame_domain::service::{StartRequest, Started};
use sesame_domain::{Connection, RawAuthParams, Recipient, SendMode};

use crate::AppState;
use crate::client_auth::credentials;
use crate::domain_errors::start_error;
use crate::error::{ApiError, ErrorBody, clip};
use crate::extract::{Dialect, parse_body};
use crate::openapi::tags;
use crate::param::{Param, wrong_type};
use crate::ratelimit_headers::rate_headers;
use crate::start_body::{AuthParamsField, StartBody, StartParams};
use crate::{ip, locale};

/// Auth0's message for a phone number that is not E.164.
const PHONE_PATTERN: &str = r"String does not match pattern: ^\+[0-9]{1,15}$";

fn bad(property: &str, description: impl Into<String>) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        format!("bad.{property}"),
        description,
    )
}

/// A string property; a value of another type is `bad.<property>`.
fn string<'a>(p: &'a Param, property: &str) -> Result<Option<&'a str>, ApiError> {
    p.str()
        .map_err(|found| bad(property, wrong_type("string", found)))
}

/// Start a passwordless login
///
/// Sends a one-time code or a magic link to the address or number.
/// Answers carry the `x-ratelimit-*` headers of the per-IP limit.
#[utoipa::path(
    post,
    path = "/passwordless/start",
    operation_id = "passwordless_start",
    tag = tags::AUTHENTICATION,
    request_body(content(
        (StartParams = "application/json"),
        (StartParams = "application/x-www-form-urlencoded"),
    )),
    security((), ("client_secret_basic" = [])),
    responses(
        (status = 200, description = "The code or link is on its way.", body = StartBody,
            headers(
                ("x-ratelimit-limit" = u32, description = "Requests allowed in the window."),
                ("x-ratelimit-remaining" = u32, description = "Requests left in it."),
                ("x-ratelimit-reset" = i64, description = "When it ends, in epoch seconds."),
            )),
        (status = 400, description = "`bad.request`, `bad.client_id`, `bad.connection`, \
            `bad.email`, `bad.phone_number`, `bad.authParams` or `sms_provider_error`.",
            body = ErrorBody),
        (status = 401, description = "`unauthorized`: a confidential client's secret is missing \
            or wrong.", body = ErrorBody),
        (status = 403, description = "`unauthorized_client`: the grant or callback is not allowed.",
            body = ErrorBody),
        (status = 413, description = "`bad.request`: the body is over the limit.", body = ErrorBody),
        (status = 415, description = "`bad.request`: neither JSON nor a form.", body = ErrorBody),
        (status = 429, description = "`too_many_requests`, with `Retry-After` and the \
            `x-ratelimit-*` headers.", body = ErrorBody),
        (status = 500, description = "`server_error`.", body = ErrorBody),
        (status = 503, description = "`email_provider_error` or `temporarily_unavailable`.",
            body = ErrorBody),
    ),
)]
pub(crate) async fn handle(
    State(state): State<AppState>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let params: StartParams = match parse_body(&parts.headers, body, Dialect::Start) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let req = match request(&state, &parts, &params) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let client_id = req.client.client_id.clone();
    match state.services.start.start(req).await {
        Ok(started) => success(&started),
        Err(e) => start_error(e, client_id.as_str()).into_response(),
    }
}

fn success(started: &Started) -> Response {
    let headers = started.rate.as_ref().map(rate_headers).unwrap_or_default();
    (StatusCode::OK, headers, Json(StartBody::from(started))).into_response()
}

/// The domain request, validated in Auth0's order: unknown properties,
/// client, connection, recipient, `send`, `authParams`.
fn request(state: &AppState, parts: &Parts, p: &StartParams) -> Result<StartRequest, ApiError> {
    let unknown: Vec<String> = p.unknown.keys().take(10).map(|n| clip(n, 64)).collect();
    if !unknown.is_empty() {
        return Err(bad(
            "request",
            format!(
                "the following properties are not allowed: {}",
                unknown.join(", ")
            ),
        ));
    }
    let client = credentials(
        &parts.headers,
        string(&p.client_id, "client_id")?,
        string(&p.client_secret, "client_secret")?,
        Dialect::Start,
    )?;
    let connection = match string(&p.connection, "connection")? {
        None | Some("") => return Err(bad("connection", "Missing required property: connection")),
        Some(c) => c
            .parse::<Connection>()
            .map_err(|_| bad("connection", "Connection does not exist"))?,
    };
    let recipient = recipient(p, connection)?;
    let send = match p
        .send
        .str()
        .map_err(|found| bad("request", wrong_type("string", found)))?
    {
        None => default_send(connection),
        Some(s) => {
            let mode = s
                .parse::<SendMode>()
                .map_err(|e| bad("request", e.to_string()))?;
            // SMS carries codes only (as at Auth0): a link request is a code.
            if connection == Connection::Sms {
                SendMode::Code
            } else {
                mode
            }
        }
    };
    Ok(StartRequest {
        client,
        recipient,
        send,
        auth_params: auth_params(&p.auth_params)?,
        ip: ip::client_ip(state.ip_source, parts),
        forwarded_for: ip::forwarded_for(&parts.headers),
        locale: locale::locale(&parts.headers),
        user_agent: ip::user_agent(&parts.headers),
    })
}

/// `send` defaults to a link, as at Auth0, except for SMS, which can only
/// carry a code.
const fn default_send(connection: Connection) -> SendMode {
    match connection {
        Connection::Email => SendMode::Link,
        Connection::Sms => SendMode::Code,
    }
}

fn recipient(p: &StartParams, connection: Connection) -> Result<Recipient, ApiError> {
    let (property, value) = match connection {
        Connection::Email => ("email", &p.email),
        Connection::Sms => ("phone_number", &p.phone_number),
    };
    let raw = match string(value, property)? {
        None | Some("") => {
            return Err(bad(
                property,
                format!("Missing required property: {property}"),
            ));
        }
        Some(raw) => raw,
    };
    Recipient::parse(connection, raw).map_err(|e| match connection {
        Connection::Email => bad(property, e.to_string()),
        Connection::Sms => bad(property, PHONE_PATTERN),
    })
}

/// `authParams`: an object whose known keys are strings; unknown keys are
/// ignored and empty strings are absent.
fn auth_params(field: &AuthParamsField) -> Result<RawAuthParams, ApiError> {
    let p = match field {
        AuthParamsField::Absent => return Ok(RawAuthParams::default()),
        AuthParamsField::Object(p) => p,
        AuthParamsField::Wrong(found) => {
            return Err(bad(
                "authParams",
                format!("error in authParams - invalid type: {found} (expected object)"),
            ));
        }
    };
    Ok(RawAuthParams {
        scope: param(&p.scope, "scope")?,
        state: param(&p.state, "state")?,
        redirect_uri: param(&p.redirect_uri, "redirect_uri")?,
        response_type: param(&p.response_type, "response_type")?,
        nonce: param(&p.nonce, "nonce")?,
        audience: param(&p.audience, "audience")?,
        code_challenge: param(&p.code_challenge, "code_challenge")?,
        code_challenge_method: param(&p.code_challenge_method, "code_challenge_method")?,
    })
}

fn param(p: &Param, key: &str) -> Result<Option<String>, ApiError> {
    match p {
        Param::Absent => Ok(None),
        Param::Str(s) if s.is_empty() => Ok(None),
        Param::Str(s) => Ok(Some(s.clone())),
        Param::Wrong(found) => Err(bad(
            "authParams",
            format!("error in authParams.{key} - invalid type: {found} (expected string)"),
        )),
    }
}
