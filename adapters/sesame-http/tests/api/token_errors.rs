//! `POST /oauth/token`: the answer to every `TokenError`, the OTP and
//! refresh grants' own included.

use http::StatusCode;
use sesame_domain::service::{GrantError, OtpError, RefreshError, TokenError};
use sesame_domain::{Connection, GrantType};

use crate::common::*;
use crate::token::{PATH, otp_form};

/// A case: the error to return, then the expected status, code and text.
type Case = (
    Box<dyn Fn() -> TokenError + Send + Sync>,
    StatusCode,
    &'static str,
    &'static str,
);

async fn otp_fails(make: impl Fn() -> TokenError + Send + Sync + 'static) -> Reply {
    let mut m = mock();
    m.tokens.expect_token().returning(move |_| Err(make()));
    send(app(m), post_form(PATH, &otp_form(""))).await
}

#[tokio::test]
async fn otp_errors_map_to_auth0s_answers() {
    let cases: Vec<Case> = vec![
        (
            Box::new(|| {
                TokenError::Grant(GrantError::PasswordlessOtp(OtpError::WrongCode(
                    Connection::Email,
                )))
            }),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "Wrong email or verification code.",
        ),
        (
            Box::new(|| {
                TokenError::Grant(GrantError::PasswordlessOtp(OtpError::WrongCode(
                    Connection::Sms,
                )))
            }),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "Wrong phone number or verification code.",
        ),
        (
            Box::new(|| TokenError::Grant(GrantError::PasswordlessOtp(OtpError::Expired))),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "The verification code has expired. Please try to login again.",
        ),
        (
            Box::new(|| TokenError::Grant(GrantError::PasswordlessOtp(OtpError::MaxAttempts))),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "You've reached the maximum number of attempts. Please try to login again.",
        ),
        (
            Box::new(|| TokenError::InvalidClient),
            StatusCode::UNAUTHORIZED,
            "access_denied",
            "Unauthorized",
        ),
        (
            Box::new(|| TokenError::GrantNotAllowed(GrantType::PasswordlessOtp)),
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "Grant type 'http://auth0.com/oauth/grant-type/passwordless/otp' not allowed for the client.",
        ),
        (
            Box::new(|| TokenError::UnknownAudience("https://nope".into())),
            StatusCode::FORBIDDEN,
            "access_denied",
            "Service not found: https://nope",
        ),
        (
            Box::new(|| {
                TokenError::Grant(GrantError::PasswordlessOtp(OtpError::InvalidRedirectUri))
            }),
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "Callback URL mismatch. The redirect_uri is not in the list of allowed callback URLs.",
        ),
        (
            Box::new(|| {
                TokenError::Grant(GrantError::PasswordlessOtp(OtpError::ConnectionDisabled(
                    Connection::Sms,
                )))
            }),
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "connection sms is not enabled for this client",
        ),
        (
            Box::new(|| TokenError::Blocked),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "user is blocked",
        ),
        (
            Box::new(|| TokenError::SignupDisabled),
            StatusCode::FORBIDDEN,
            "access_denied",
            "Signups are not allowed for this connection.",
        ),
        (
            Box::new(|| TokenError::Unavailable(anyhow::anyhow!("down"))),
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is temporarily unavailable. Please try again later.",
        ),
        (
            Box::new(|| TokenError::Unknown(anyhow::anyhow!("bug"))),
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
    let r = otp_fails(|| {
        TokenError::Grant(GrantError::PasswordlessOtp(OtpError::TooManyAttempts(
            decision(false),
        )))
    })
    .await;
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
    let cases: Vec<Case> = vec![
        (
            Box::new(|| TokenError::Grant(GrantError::RefreshToken(RefreshError::InvalidToken))),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "Unknown or invalid refresh token.",
        ),
        (
            Box::new(|| TokenError::InvalidClient),
            StatusCode::UNAUTHORIZED,
            "access_denied",
            "Unauthorized",
        ),
        (
            Box::new(|| TokenError::GrantNotAllowed(GrantType::RefreshToken)),
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "Grant type 'refresh_token' not allowed for the client.",
        ),
        (
            Box::new(|| {
                TokenError::Grant(GrantError::RefreshToken(RefreshError::ScopeNotGranted(
                    "admin".into(),
                )))
            }),
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            "scope 'admin' was not granted to this refresh token",
        ),
        (
            Box::new(|| TokenError::Blocked),
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "user is blocked",
        ),
        (
            Box::new(|| TokenError::Unavailable(anyhow::anyhow!("down"))),
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is temporarily unavailable. Please try again later.",
        ),
        (
            Box::new(|| TokenError::Unknown(anyhow::anyhow!("bug"))),
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "An unexpected error occurred.",
        ),
    ];
    for (make, status, code, description) in cases {
        let mut m = mock();
        m.tokens.expect_token().returning(move |_| Err(make()));
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
