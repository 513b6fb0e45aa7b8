//! Each domain error, as Auth0 answers it: status, `error` code,
//! `error_description` and headers. Causes of 5xx answers are logged here,
//! never sent; recipients, codes, tokens and secrets never reach either.

use std::time::SystemTime;

use http::StatusCode;
use sesame_domain::ports::{DeliveryError, StoreError};
use sesame_domain::recipient::Connection;
use sesame_domain::service::{
    CodeGrantError, OtpError, RefreshError, RevokeError, StartError, UserinfoError,
};

use crate::error::{ApiError, chain, clip};
use crate::ratelimit_headers::refusal_headers;

/// 401 `access_denied` "Unauthorized": Auth0's answer to a bad client at the
/// token and revocation endpoints.
fn access_denied() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized")
}

fn grant_not_allowed(grant: impl std::fmt::Display) -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "unauthorized_client",
        format!("Grant type '{grant}' not allowed for the client."),
    )
}

fn user_blocked() -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "user is blocked")
}

/// 503 for a backend that is down, 500 (with the cause logged) otherwise.
fn infrastructure(
    unavailable: bool,
    e: &(dyn std::error::Error + 'static),
    what: &str,
) -> ApiError {
    if unavailable {
        tracing::warn!(error = %chain(e), "{what}: a backend is unavailable");
        ApiError::unavailable()
    } else {
        tracing::error!(error = %chain(e), "{what} failed");
        ApiError::internal()
    }
}

/// `POST /passwordless/start`. `client_id` is what the caller sent, for the
/// unknown-client message.
pub(crate) fn start_error(e: StartError, client_id: &str) -> ApiError {
    match e {
        StartError::UnknownClient => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad.client_id",
            format!("Unknown client: {}", clip(client_id, 64)),
        ),
        StartError::InvalidClient => {
            ApiError::new(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized")
        }
        StartError::ConnectionDisabled(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad.connection",
            "Connection is disabled",
        ),
        StartError::GrantNotAllowed(grant) => grant_not_allowed(grant),
        e @ StartError::LinksDisabled => {
            ApiError::new(StatusCode::BAD_REQUEST, "bad.request", e.to_string())
        }
        StartError::InvalidAuthParams(why) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "bad.authParams",
            format!("error in authParams - {why}"),
        ),
        StartError::RateLimited(d) => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and \
             X-RateLimit-Reset headers.",
        )
        .with_headers(refusal_headers(&d, SystemTime::now())),
        StartError::Delivery { connection, source } => delivery_error(connection, &source),
        e @ StartError::Unavailable(_) => infrastructure(true, &e, "start"),
        e @ StartError::Unknown(_) => infrastructure(false, &e, "start"),
    }
}

fn delivery_error(connection: Connection, source: &DeliveryError) -> ApiError {
    tracing::warn!(%connection, error = %chain(source), "delivery failed");
    // Rejected texts are written for callers (the port forbids recipients
    // and codes in them); other causes are described, not echoed.
    let detail = match source {
        DeliveryError::Rejected(text) => clip(text, 200),
        DeliveryError::Unavailable(_) => "the provider is unavailable".to_owned(),
        DeliveryError::Unknown(_) => "unexpected error".to_owned(),
    };
    match connection {
        Connection::Sms => ApiError::new(
            StatusCode::BAD_REQUEST,
            "sms_provider_error",
            format!("Unexpected response while calling the SMS gateway: {detail}"),
        ),
        Connection::Email => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "email_provider_error",
            format!("Unexpected response while calling the email provider: {detail}"),
        ),
    }
}

/// `POST /oauth/token` with the passwordless OTP grant.
pub(crate) fn otp_error(e: OtpError) -> ApiError {
    match e {
        OtpError::InvalidClient => access_denied(),
        OtpError::GrantNotAllowed(grant) => grant_not_allowed(grant),
        OtpError::InvalidScope(e) => {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_scope", e.to_string())
        }
        e @ OtpError::ConnectionDisabled(_) => {
            ApiError::new(StatusCode::FORBIDDEN, "unauthorized_client", e.to_string())
        }
        OtpError::InvalidRedirectUri => ApiError::new(
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "Callback URL mismatch. The redirect_uri is not in the list of allowed callback URLs.",
        ),
        OtpError::UnknownAudience(aud) => ApiError::new(
            StatusCode::FORBIDDEN,
            "access_denied",
            format!("Service not found: {}", clip(&aud, 200)),
        ),
        e @ (OtpError::WrongCode(_) | OtpError::Expired | OtpError::MaxAttempts) => {
            ApiError::new(StatusCode::FORBIDDEN, "invalid_grant", e.to_string())
        }
        OtpError::TooManyAttempts(d) => ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            OtpError::TooManyAttempts(d).to_string(),
        )
        .with_headers(refusal_headers(&d, SystemTime::now())),
        OtpError::Blocked => user_blocked(),
        e @ OtpError::SignupDisabled => {
            ApiError::new(StatusCode::FORBIDDEN, "access_denied", e.to_string())
        }
        e @ OtpError::Unavailable(_) => infrastructure(true, &e, "otp exchange"),
        e @ OtpError::Unknown(_) => infrastructure(false, &e, "otp exchange"),
    }
}

/// `POST /oauth/token` with the refresh-token grant.
pub(crate) fn refresh_error(e: RefreshError) -> ApiError {
    match e {
        RefreshError::InvalidClient => access_denied(),
        RefreshError::GrantNotAllowed(grant) => grant_not_allowed(grant),
        e @ RefreshError::InvalidToken => {
            ApiError::new(StatusCode::FORBIDDEN, "invalid_grant", e.to_string())
        }
        // RFC 6749 section 5.2: invalid_scope is a 400, as for the OTP grant.
        RefreshError::InvalidScope(why) => {
            ApiError::new(StatusCode::BAD_REQUEST, "invalid_scope", clip(&why, 200))
        }
        RefreshError::Blocked => user_blocked(),
        e @ RefreshError::Unavailable(_) => infrastructure(true, &e, "refresh"),
        e @ RefreshError::Unknown(_) => infrastructure(false, &e, "refresh"),
    }
}

/// `POST /oauth/token` with the authorization-code grant. Auth0 answers a
/// bad code and a bad verifier with 403 `invalid_grant`.
pub(crate) fn code_error(e: CodeGrantError) -> ApiError {
    match e {
        CodeGrantError::InvalidClient => access_denied(),
        CodeGrantError::GrantNotAllowed(grant) => grant_not_allowed(grant),
        e @ (CodeGrantError::InvalidGrant | CodeGrantError::InvalidVerifier) => {
            ApiError::new(StatusCode::FORBIDDEN, "invalid_grant", e.to_string())
        }
        CodeGrantError::Blocked => user_blocked(),
        e @ CodeGrantError::Unavailable(_) => infrastructure(true, &e, "code exchange"),
        e @ CodeGrantError::Unknown(_) => infrastructure(false, &e, "code exchange"),
    }
}

/// `POST /oauth/revoke`.
pub(crate) fn revoke_error(e: RevokeError) -> ApiError {
    match e {
        RevokeError::InvalidClient => access_denied(),
        e @ RevokeError::Unavailable(_) => infrastructure(true, &e, "revoke"),
        e @ RevokeError::Unknown(_) => infrastructure(false, &e, "revoke"),
    }
}

/// `GET /userinfo`. `None` means the token was refused: the caller answers
/// 401 with its `WWW-Authenticate` challenge.
pub(crate) fn userinfo_error(e: UserinfoError) -> Option<ApiError> {
    match e {
        UserinfoError::InvalidToken => None,
        e @ UserinfoError::Unavailable(_) => Some(infrastructure(true, &e, "userinfo")),
        e @ UserinfoError::Unknown(_) => Some(infrastructure(false, &e, "userinfo")),
    }
}

/// A storage failure outside a use case (the JWKS).
pub(crate) fn store_error(e: StoreError) -> ApiError {
    let unavailable = matches!(e, StoreError::Unavailable(_));
    infrastructure(unavailable, &e, "reading keys")
}
