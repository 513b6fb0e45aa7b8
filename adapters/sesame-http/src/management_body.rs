//! The bodies of the Management API subset, as Auth0's Management API v2
//! answers them: the refusal and its shape, a user, a listed user (whose
//! members `fields` may pick) and the listing's envelope.

use std::time::SystemTime;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use serde::{Deserialize, Serialize};
use sesame_domain::service::ManagementError;
use sesame_domain::user::Metadata;
use sesame_domain::{Recipient, User};
use utoipa::ToSchema;

use crate::error::{ErrorBody, chain};
use crate::ratelimit_headers::refusal_headers;

/// A refusal of the Management API: not the OAuth envelope.
#[derive(Serialize, ToSchema)]
#[schema(as = ManagementError)]
#[serde(deny_unknown_fields)]
pub(crate) struct ManagementErrorBody {
    /// The status's reason phrase: `Bad Request`, `Unauthorized`, …
    #[schema(example = "Unauthorized")]
    pub(crate) error: &'static str,
    /// `invalid_token`, `insufficient_scope`, `inexistent_user`,
    /// `invalid_body`, `invalid_query_string`, `too_many_requests`,
    /// `unavailable` or `internal_error`.
    #[serde(rename = "errorCode")]
    #[schema(example = "invalid_token")]
    pub(crate) error_code: &'static str,
    /// What went wrong, for a person.
    pub(crate) message: String,
    /// The HTTP status.
    #[serde(rename = "statusCode")]
    #[schema(example = 401)]
    pub(crate) status_code: u16,
}

/// A Management API 503: the backend is down (its shape), or the request
/// timed out (the time limit answers in the OAuth envelope).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "documents the 503 answer; never built")]
pub(crate) enum ManagementUnavailable {
    /// `unavailable`.
    Refused(ManagementErrorBody),
    /// `temporarily_unavailable`: the request timed out.
    Timeout(ErrorBody),
}

/// The refusals every Management API call may answer, documented once for
/// all of them; each call lists its own 400 and 404 beside these.
#[derive(utoipa::IntoResponses)]
#[expect(dead_code, reason = "documents the answers; never built")]
pub(crate) enum ManagementRefusals {
    /// `invalid_token`.
    #[response(status = 401)]
    InvalidToken(ManagementErrorBody),
    /// `insufficient_scope`.
    #[response(status = 403)]
    InsufficientScope(ManagementErrorBody),
    /// `too_many_requests`, with the `x-ratelimit-*` headers.
    #[response(status = 429)]
    TooManyRequests(ManagementErrorBody),
    /// `internal_error`.
    #[response(status = 500)]
    Internal(ManagementErrorBody),
    /// `unavailable`, or a time-out.
    #[response(status = 503)]
    Unavailable(ManagementUnavailable),
}

/// The user's one identity: their connection.
#[derive(Serialize, Deserialize, ToSchema)]
pub(crate) struct Identity {
    /// `email` or `sms`.
    connection: String,
    /// `false`.
    #[serde(rename = "isSocial")]
    is_social: bool,
    /// The connection again, as Auth0's passwordless identities have it.
    provider: String,
    /// The user id without its `connection|` prefix.
    user_id: String,
}

/// A user as the Management API v2 shows one: ISO 8601 times, the
/// connection as its one identity.
#[derive(Serialize, ToSchema)]
#[schema(as = User)]
pub(crate) struct UserBody {
    /// `email|…` or `sms|…`.
    user_id: String,
    /// For the email connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    email: Option<String>,
    /// For the email connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    email_verified: Option<bool>,
    /// For the sms connection, E.164.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    phone_number: Option<String>,
    /// For the sms connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    phone_verified: Option<bool>,
    /// The connection, as one identity.
    identities: Vec<Identity>,
    /// ISO 8601.
    created_at: String,
    /// ISO 8601.
    updated_at: String,
    /// ISO 8601; never signed in without it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    last_login: Option<String>,
    /// Sign-ins so far.
    logins_count: u64,
    /// A blocked user cannot sign in.
    blocked: bool,
    // Auth0 leaves an empty metadata object out of a user.
    /// What the user may edit; left out when empty.
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    #[schema(value_type = Object)]
    user_metadata: Metadata,
    /// What only the application may edit; left out when empty.
    #[serde(skip_serializing_if = "Metadata::is_empty")]
    #[schema(value_type = Object)]
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
            identities: vec![Identity {
                connection: connection.to_owned(),
                is_social: false,
                provider: connection.to_owned(),
                user_id: id.split_once('|').map_or(id, |(_, rest)| rest).to_owned(),
            }],
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

/// A user of a listing: a user's members in alphabetical order, each left
/// out when `fields` does not pick it.
#[derive(Serialize, Deserialize, ToSchema)]
#[schema(as = ListedUser)]
pub(crate) struct ListedUser {
    /// What only the application may edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    app_metadata: Option<Metadata>,
    /// A blocked user cannot sign in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    blocked: Option<bool>,
    /// ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    created_at: Option<String>,
    /// For the email connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    email: Option<String>,
    /// For the email connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    email_verified: Option<bool>,
    /// The connection, as one identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    identities: Option<Vec<Identity>>,
    /// ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    last_login: Option<String>,
    /// Sign-ins so far.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    logins_count: Option<u64>,
    /// For the sms connection, E.164.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    phone_number: Option<String>,
    /// For the sms connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    phone_verified: Option<bool>,
    /// ISO 8601.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    updated_at: Option<String>,
    /// `email|…` or `sms|…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    user_id: Option<String>,
    /// What the user may edit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<Object>)]
    user_metadata: Option<Metadata>,
}

/// `GET /api/v2/users`: the users, or with `include_totals=true` the page.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum UserList {
    /// The users of the page.
    Users(Vec<ListedUser>),
    /// The page with its totals.
    Page(UsersPage),
}

/// A page of users with its totals, members in alphabetical order.
#[derive(Serialize, ToSchema)]
pub(crate) struct UsersPage {
    /// Users on this page.
    pub(crate) length: usize,
    /// `per_page`.
    pub(crate) limit: u32,
    /// Users before this page.
    pub(crate) start: u64,
    /// Users matching, on every page.
    pub(crate) total: u64,
    /// The users of the page.
    pub(crate) users: Vec<ListedUser>,
}

/// A refusal in the Management API's shape.
pub(crate) struct Refusal {
    status: StatusCode,
    message: String,
    code: &'static str,
    headers: HeaderMap,
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = ManagementErrorBody {
            error: self.status.canonical_reason().unwrap_or("Error"),
            error_code: self.code,
            message: self.message,
            status_code: self.status.as_u16(),
        };
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

#[cfg(test)]
#[path = "management_body_tests.rs"]
mod tests;
