//! The Management API subset at `/api/v2/`, answered in Auth0's shape:
//! users as the Management API v2 lists them, errors as
//! `{"statusCode", "error", "message", "errorCode"}` (not the OAuth
//! envelope), and 429 with the `x-ratelimit-*` headers SDKs read.

use std::time::SystemTime;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sesame_domain::service::{ManagementCaller, ManagementError, UserPatch};
use sesame_domain::user::Metadata;
use sesame_domain::{Recipient, User};

use crate::AppState;
use crate::error::chain;
use crate::param::{type_name, wrong_type};
use crate::ratelimit_headers::refusal_headers;
use crate::userinfo::bearer;

/// A refusal in the Management API's shape.
pub(crate) struct Refusal {
    status: StatusCode,
    message: String,
    code: &'static str,
    headers: HeaderMap,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = json!({
            "statusCode": self.status.as_u16(),
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "message": self.message,
            "errorCode": self.code,
        });
        let mut r = (self.status, Json(body)).into_response();
        r.headers_mut().extend(self.headers);
        r
    }
}

pub(crate) fn refusal(e: ManagementError) -> Refusal {
    let (status, code) = match &e {
        ManagementError::MissingToken | ManagementError::InvalidToken => {
            (StatusCode::UNAUTHORIZED, "invalid_token")
        }
        ManagementError::InsufficientScope(_) => (StatusCode::FORBIDDEN, "insufficient_scope"),
        ManagementError::NoSuchUser => (StatusCode::NOT_FOUND, "inexistent_user"),
        ManagementError::InvalidBody(_) => (StatusCode::BAD_REQUEST, "invalid_body"),
        ManagementError::InvalidQuery(_) => (StatusCode::BAD_REQUEST, "invalid_query_string"),
        ManagementError::RateLimited(_) => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
        ManagementError::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
        ManagementError::Unknown(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal_error"),
    };
    let headers = match &e {
        ManagementError::RateLimited(d) => {
            crate::metrics::rate_limited("management");
            refusal_headers(d, SystemTime::now())
        }
        _ => HeaderMap::new(),
    };
    let message = match &e {
        ManagementError::Unavailable(_) | ManagementError::Unknown(_) => {
            tracing::error!(error = %chain(&e), "management API call failed");
            "An unexpected error occurred.".to_owned()
        }
        _ => e.to_string(),
    };
    Refusal {
        status,
        message,
        code,
        headers,
    }
}

/// A user as the Management API v2 shows one: ISO 8601 times, the
/// connection as its one identity.
#[derive(Serialize)]
pub(crate) struct UserBody {
    user_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    email_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_number: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone_verified: Option<bool>,
    identities: [Value; 1],
    created_at: String,
    updated_at: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    last_login: Option<String>,
    logins_count: u64,
    blocked: bool,
    // Auth0 leaves an empty metadata object out of a user.
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    user_metadata: Metadata,
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    app_metadata: Metadata,
}

impl From<&User> for UserBody {
    fn from(u: &User) -> Self {
        let connection = u.connection().as_str();
        let (email, email_verified, phone_number, phone_verified) = match &u.recipient {
            Recipient::Email(e) => (Some(e.as_str().to_owned()), Some(u.verified), None, None),
            Recipient::Sms(p) => (None, None, Some(p.as_str().to_owned()), Some(u.verified)),
        };
        let id = u.id.as_str();
        Self {
            user_id: id.to_owned(),
            email,
            email_verified,
            phone_number,
            phone_verified,
            identities: [json!({
                "connection": connection,
                "provider": connection,
                "user_id": id.split_once('|').map_or(id, |(_, rest)| rest),
                "isSocial": false,
            })],
            created_at: u.created_at.to_rfc3339(),
            updated_at: u.updated_at().to_rfc3339(),
            last_login: u.last_login.map(sesame_domain::Timestamp::to_rfc3339),
            logins_count: u.logins_count,
            blocked: u.blocked,
            user_metadata: u.user_metadata.clone(),
            app_metadata: u.app_metadata.clone(),
        }
    }
}

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

/// `GET /api/v2/users/{id}`.
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

#[derive(Deserialize)]
pub(crate) struct ByEmail {
    #[serde(default)]
    email: String,
}

/// `GET /api/v2/users-by-email?email=`.
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

/// `PATCH /api/v2/users/{id}`: `blocked`, `email_verified`,
/// `phone_verified`, `user_metadata` and `app_metadata`; any other property
/// is refused by name rather than ignored.
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

/// The body of a PATCH, in Auth0's words when it does not fit its schema:
/// each property of the right JSON type, and no other property.
fn patch(body: Result<Bytes, BytesRejection>) -> Result<UserPatch, ManagementError> {
    let bytes =
        body.map_err(|_| ManagementError::InvalidBody("the body could not be read".into()))?;
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&bytes) else {
        return Err(ManagementError::InvalidBody(
            "the body must be a JSON object".into(),
        ));
    };
    let mut patch = UserPatch::default();
    for (k, v) in map {
        match k.as_str() {
            "blocked" => patch.blocked = Some(boolean(&k, v)?),
            "email_verified" => patch.email_verified = Some(boolean(&k, v)?),
            "phone_verified" => patch.phone_verified = Some(boolean(&k, v)?),
            "user_metadata" => patch.user_metadata = Some(object(&k, v)?),
            "app_metadata" => patch.app_metadata = Some(object(&k, v)?),
            other => {
                return Err(ManagementError::InvalidBody(format!(
                    "'Additional properties not allowed: {}'",
                    crate::error::clip(other, 64)
                )));
            }
        }
    }
    Ok(patch)
}

/// Property `name`'s boolean.
fn boolean(name: &str, v: Value) -> Result<bool, ManagementError> {
    match v {
        Value::Bool(b) => Ok(b),
        other => Err(type_refused(name, "boolean", &other)),
    }
}

/// Property `name`'s object.
fn object(name: &str, v: Value) -> Result<Metadata, ManagementError> {
    match v {
        Value::Object(m) => Ok(m),
        other => Err(type_refused(name, "object", &other)),
    }
}

/// `'Expected type boolean but found type string' on property blocked`.
fn type_refused(name: &str, expected: &str, found: &Value) -> ManagementError {
    ManagementError::InvalidBody(format!(
        "'{}' on property {name}",
        wrong_type(expected, type_name(found))
    ))
}

/// `DELETE /api/v2/users/{id}`: 204.
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

/// `DELETE /api/v2/users/{id}/refresh-tokens`: 204.
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
