//! `POST /oauth/token`: the answer to every `OtpError` and `RefreshError`.

use http::StatusCode;
use sesame_domain::service::{OtpError, RefreshError};
use sesame_domain::{Connection, GrantType};

use crate::common::*;
use crate::token::{PATH, otp_form};

/// A case: the error to return, then the expected status, code and text.
type Case<E> = (
    Box<dyn Fn() -> E + Send + Sync>,
    StatusCode,
    &'static str,
    &'static str,
);

async fn otp_fails(make: impl Fn() -> OtpError + Send + Sync + 'static) -> Reply {
    let mut m = mock();
    m.expect_exchange_otp().returning(move |_| Err(make()));
    send(app(m), post_form(PATH, &otp_form(""))).await
}

#[tokio::test]
async fn otp_errors_map_to_auth0s_answers() {
    let cases: Vec<Case<OtpError>> = vec![
        (
            Box::new(|| OtpError::WrongCode(Connection::Email)),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "Wrong email or verification code.",
        ),
        (
            Box::new(|| OtpError::WrongCode(Connection::Sms)),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "Wrong phone number or verification code.",
        ),
        (
            Box::new(|| OtpError::Expired),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "The verification code has expired. Please try to login again.",
        ),
        (
            Box::new(|| OtpError::MaxAttempts),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "You've reached the maximum number of attempts. Please try to login again.",
        ),
        (
            Box::new(|| OtpError::InvalidClient),
            StatusCode::UNAUTHORIZED,
            "access_denied",
            "Unauthorized",
        ),
        (
            Box::new(|| OtpError::GrantNotAllowed(GrantType::PasswordlessOtp)),
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "Grant type 'http://auth0.com/oauth/grant-type/passwordless/otp' not allowed for the client.",
        ),
        (
            Box::new(|| OtpError::UnknownAudience("https://nope".into())),
            StatusCode::FORBIDDEN,
            "access_denied",
            "Service not found: https://nope",
        ),
        (
            Box::new(|| OtpError::InvalidRedirectUri),
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "Callback URL mismatch. The redirect_uri is not in the list of allowed callback URLs.",
        ),
        (
            Box::new(|| OtpError::ConnectionDisabled(Connection::Sms)),
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "connection sms is not enabled for this client",
        ),
        (
            Box::new(|| OtpError::Blocked),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "user is blocked",
        ),
        (
            Box::new(|| OtpError::SignupDisabled),
            StatusCode::FORBIDDEN,
            "access_denied",
            "Signups are not allowed for this connection.",
        ),
        (
            Box::new(|| OtpError::Unavailable(anyhow::anyhow!("down"))),
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is temporarily unavailable. Please try again later.",
        ),
        (
            Box::new(|| OtpError::Unknown(anyhow::anyhow!("bug"))),
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "An unexpected error occurred.",
        ),
    ];
    for (make, status, code, description) in cases {
        let r = otp_fails(make).await;
        r.assert_error(status, code, description);
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert_eq!(r.header("pragma"), Some("no-cache"));
    }
}

#[tokio::test]
async fn too_many_attempts_is_429_with_rate_headers() {
    let r = otp_fails(|| OtpError::TooManyAttempts(decision(false))).await;
    r.assert_error(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        "Too many failed attempts. Please try again later.",
    );
    assert_eq!(r.header("x-ratelimit-limit"), Some("50"));
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    assert!(r.header("retry-after").is_some());
}

#[tokio::test]
async fn refresh_errors_map_to_auth0s_answers() {
    let cases: Vec<Case<RefreshError>> = vec![
        (
            Box::new(|| RefreshError::InvalidToken),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "Unknown or invalid refresh token.",
        ),
        (
            Box::new(|| RefreshError::InvalidClient),
            StatusCode::UNAUTHORIZED,
            "access_denied",
            "Unauthorized",
        ),
        (
            Box::new(|| RefreshError::GrantNotAllowed(GrantType::RefreshToken)),
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "Grant type 'refresh_token' not allowed for the client.",
        ),
        (
            Box::new(|| {
                RefreshError::InvalidScope(
                    "scope 'admin' was not granted to this refresh token".into(),
                )
            }),
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "scope 'admin' was not granted to this refresh token",
        ),
        (
            Box::new(|| RefreshError::Blocked),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "user is blocked",
        ),
        (
            Box::new(|| RefreshError::Unavailable(anyhow::anyhow!("down"))),
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is temporarily unavailable. Please try again later.",
        ),
        (
            Box::new(|| RefreshError::Unknown(anyhow::anyhow!("bug"))),
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "An unexpected error occurred.",
        ),
    ];
    for (make, status, code, description) in cases {
        let mut m = mock();
        m.expect_exchange_refresh().returning(move |_| Err(make()));
        let r = send(
            app(m),
            post_form(
                PATH,
                "grant_type=refresh_token&client_id=app&refresh_token=x",
            ),
        )
        .await;
        r.assert_error(status, code, description);
        assert_eq!(r.header("cache-control"), Some("no-store"));
    }
}
