//! Every refusal as JSON: `{"error": <code>, "message": <text>}` with a
//! status, mapped from the domain's error enums.
//!
//! The matches are exhaustive on purpose: when the domain grows a new
//! refusal, this file stops compiling until someone decides its answer.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sesame_domain::ports::StoreError;
use sesame_domain::service::{Refusal, StartError, TokenError};

/// A refusal, ready to send.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    error: &'static str,
    message: String,
}

impl ApiError {
    /// A `400` with `error` and `message`.
    #[must_use]
    pub fn bad_request(error: &'static str, message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            error,
            message: message.into(),
        }
    }

    /// A `503`: a backend is down; the caller may retry later.
    fn unavailable() -> Self {
        Self {
            status: StatusCode::SERVICE_UNAVAILABLE,
            error: "temporarily_unavailable",
            message: "Please try again later.".to_owned(),
        }
    }

    /// A `500`, with the cause on standard error. Domain and store errors
    /// name no address and no code, so the cause is safe to print.
    fn internal(cause: &dyn std::error::Error) -> Self {
        let mut line = cause.to_string();
        let mut source = cause.source();
        while let Some(s) = source {
            line.push_str(": ");
            line.push_str(&s.to_string());
            source = s.source();
        }
        eprintln!("internal error: {line}");
        Self {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: "server_error",
            message: "Something went wrong on our side.".to_owned(),
        }
    }

    fn new(status: StatusCode, error: &'static str, message: String) -> Self {
        Self {
            status,
            error,
            message,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.error, "message": self.message });
        (self.status, Json(body)).into_response()
    }
}

impl From<JsonRejection> for ApiError {
    fn from(e: JsonRejection) -> Self {
        Self::new(e.status(), "invalid_request", e.body_text())
    }
}

impl From<StartError> for ApiError {
    fn from(e: StartError) -> Self {
        match e {
            StartError::RateLimited(_) => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_requests",
                "Too many codes asked for. Please try again later.".to_owned(),
            ),
            StartError::InvalidAuthParams(_) | StartError::SmsCountryNotAllowed => {
                Self::bad_request("invalid_request", e.to_string())
            }
            StartError::Delivery { .. } | StartError::QueueFull | StartError::Unavailable(_) => {
                Self::unavailable()
            }
            // The client is this service's own: any of these is a wiring bug.
            StartError::UnknownClient
            | StartError::InvalidClient
            | StartError::ConnectionDisabled(_)
            | StartError::GrantNotAllowed(_)
            | StartError::LinksDisabled
            | StartError::Unknown(_) => Self::internal(&e),
        }
    }
}

impl From<TokenError> for ApiError {
    fn from(e: TokenError) -> Self {
        match &e {
            TokenError::Grant(g) => match g.refusal() {
                // The domain's message is written for users: wrong code,
                // expired, or out of attempts.
                Refusal::InvalidGrant => Self::bad_request("invalid_code", g.to_string()),
                Refusal::TooManyAttempts(_) => Self::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "too_many_attempts",
                    g.to_string(),
                ),
                Refusal::UnauthorizedClient
                | Refusal::AccessDenied
                | Refusal::InvalidScope
                | Refusal::InvalidDpopProof => Self::internal(&e),
            },
            TokenError::SuspiciousIp(_) => Self::new(
                StatusCode::TOO_MANY_REQUESTS,
                "too_many_attempts",
                e.to_string(),
            ),
            TokenError::Blocked => Self::new(
                StatusCode::FORBIDDEN,
                "access_denied",
                "This account is blocked.".to_owned(),
            ),
            TokenError::SignupDisabled => {
                Self::new(StatusCode::FORBIDDEN, "access_denied", e.to_string())
            }
            TokenError::Unavailable(_) => Self::unavailable(),
            // The client, grant, audience and scope are this service's own
            // choices: any of these is a wiring bug.
            TokenError::InvalidClient
            | TokenError::GrantNotAllowed(_)
            | TokenError::UnknownAudience(_)
            | TokenError::InvalidScope(_)
            // This service's routes send no DPoP proofs.
            | TokenError::Dpop(_)
            // Nor does it turn MFA on (`[mfa] require` stays `never`).
            | TokenError::MfaRequired(_)
            | TokenError::Unknown(_) => Self::internal(&e),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(_) => Self::unavailable(),
            StoreError::Corrupt(_) | StoreError::Unknown(_) => Self::internal(&e),
        }
    }
}
