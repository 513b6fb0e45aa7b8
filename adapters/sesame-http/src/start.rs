//! `POST /passwordless/start`: validate the body as Auth0 does, start the
//! login, answer with Auth0's `{_id, email|phone_number, *_verified}`.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use http::StatusCode;
use http::request::Parts;
use serde_json::{Map, Value, json};
use sesame_domain::service::{StartRequest, Started};
use sesame_domain::{AuthParams, AuthService, Connection, Recipient, SendMode};

use crate::AppState;
use crate::client_auth::credentials;
use crate::domain_errors::start_error;
use crate::error::{ApiError, clip};
use crate::extract::{Dialect, Params, parse_body, type_name};
use crate::ratelimit_headers::rate_headers;
use crate::{ip, locale};

/// The top-level properties Auth0 accepts.
const ALLOWED: [&str; 7] = [
    "client_id",
    "client_secret",
    "connection",
    "email",
    "phone_number",
    "send",
    "authParams",
];

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
fn string<'a>(p: &'a Params, property: &str) -> Result<Option<&'a str>, ApiError> {
    p.str(property)
        .map_err(|e| bad(property, e.message("string")))
}

/// The handler.
pub(crate) async fn handle<S: AuthService + ?Sized>(
    State(state): State<AppState<S>>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let params = match parse_body(&parts.headers, body, Dialect::Start) {
        Ok(p) => p,
        Err(e) => return e.into_response(),
    };
    let req = match request(&state, &parts, &params) {
        Ok(r) => r,
        Err(e) => return e.into_response(),
    };
    let client_id = req.client.client_id.clone();
    match state.service.start(req).await {
        Ok(started) => success(&started),
        Err(e) => start_error(e, client_id.as_str()).into_response(),
    }
}

fn success(started: &Started) -> Response {
    let body = match &started.recipient {
        Recipient::Email(e) => {
            json!({"_id": started.id, "email": e.as_str(), "email_verified": false})
        }
        Recipient::Sms(p) => {
            json!({"_id": started.id, "phone_number": p.as_str(), "phone_verified": false})
        }
    };
    let headers = started.rate.as_ref().map(rate_headers).unwrap_or_default();
    (StatusCode::OK, headers, Json(body)).into_response()
}

/// The domain request, validated in Auth0's order: unknown properties,
/// client, connection, recipient, `send`, `authParams`.
fn request<S: ?Sized>(
    state: &AppState<S>,
    parts: &Parts,
    p: &Params,
) -> Result<StartRequest, ApiError> {
    let unknown: Vec<String> = p
        .names()
        .filter(|n| !ALLOWED.contains(n))
        .take(10)
        .map(|n| clip(n, 64))
        .collect();
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
        string(p, "client_id")?,
        string(p, "client_secret")?,
        Dialect::Start,
    )?;
    let connection = match string(p, "connection")? {
        None | Some("") => return Err(bad("connection", "Missing required property: connection")),
        Some(c) => c
            .parse::<Connection>()
            .map_err(|_| bad("connection", "Connection does not exist"))?,
    };
    let recipient = recipient(p, connection)?;
    let send = match p
        .str("send")
        .map_err(|e| bad("request", e.message("string")))?
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
        auth_params: auth_params(p.value("authParams"))?,
        ip: ip::client_ip(state.ip_source, parts),
        forwarded_for: ip::forwarded_for(&parts.headers),
        locale: locale::locale(&parts.headers),
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

fn recipient(p: &Params, connection: Connection) -> Result<Recipient, ApiError> {
    let property = match connection {
        Connection::Email => "email",
        Connection::Sms => "phone_number",
    };
    let raw = match string(p, property)? {
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
fn auth_params(value: Option<&Value>) -> Result<AuthParams, ApiError> {
    let map = match value {
        None => return Ok(AuthParams::default()),
        Some(Value::Object(map)) => map,
        Some(other) => {
            return Err(bad(
                "authParams",
                format!(
                    "error in authParams - invalid type: {} (expected object)",
                    type_name(other)
                ),
            ));
        }
    };
    let field = |key: &str| -> Result<Option<String>, ApiError> { param(map, key) };
    Ok(AuthParams {
        scope: field("scope")?,
        state: field("state")?,
        redirect_uri: field("redirect_uri")?,
        response_type: field("response_type")?,
        nonce: field("nonce")?,
        audience: field("audience")?,
        code_challenge: field("code_challenge")?,
        code_challenge_method: field("code_challenge_method")?,
    })
}

fn param(map: &Map<String, Value>, key: &str) -> Result<Option<String>, ApiError> {
    match map.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(bad(
            "authParams",
            format!(
                "error in authParams.{key} - invalid type: {} (expected string)",
                type_name(other)
            ),
        )),
    }
}
