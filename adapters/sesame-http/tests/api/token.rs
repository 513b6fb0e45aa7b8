//! `POST /oauth/token`: both grants, client authentication and parameter
//! errors.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::StatusCode;
use secrecy::ExposeSecret;
use serde_json::json;
use sesame_domain::service::{ClientCredentials, Grant, OtpGrant, RefreshGrant, TokenRequest};
use sesame_domain::{Connection, GrantType};

use crate::common::*;

pub(crate) const PATH: &str = "/oauth/token";
const OTP: &str = "http%3A%2F%2Fauth0.com%2Foauth%2Fgrant-type%2Fpasswordless%2Fotp";

fn capturing_otp() -> (MockAuth, Captured<TokenRequest>) {
    let seen = slot();
    let mut m = mock();
    let s = seen.clone();
    m.tokens.expect_token().times(1).returning(move |req| {
        *s.lock().unwrap() = Some(req);
        Ok(tokens(true))
    });
    (m, seen)
}

/// The client and the OTP grant of a captured request.
fn otp_of(req: TokenRequest) -> (ClientCredentials, OtpGrant) {
    match req.grant {
        Grant::PasswordlessOtp(g) => (req.client, g),
        other => panic!("expected the OTP grant, got {other:?}"),
    }
}

/// The refresh grant of a captured request.
fn refresh_of(req: TokenRequest) -> RefreshGrant {
    match req.grant {
        Grant::RefreshToken(g) => g,
        other => panic!("expected the refresh grant, got {other:?}"),
    }
}

pub(crate) fn otp_form(extra: &str) -> String {
    format!("grant_type={OTP}&client_id=app&username=a%40example.com&otp=123456&realm=email{extra}")
}

#[tokio::test]
async fn the_otp_grant_as_a_form_reaches_the_domain_and_answers_every_token() {
    let (m, seen) = capturing_otp();
    let r = send(
        app(m),
        post_form(
            PATH,
            &otp_form(
                "&scope=openid&audience=https%3A%2F%2Fapi&redirect_uri=https%3A%2F%2Fapp%2Fcb",
            ),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body,
        json!({
            "access_token": "at.jwt", "id_token": "id.jwt", "refresh_token": "rt-opaque",
            "token_type": "Bearer", "expires_in": 86400, "scope": "openid email offline_access"
        })
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("pragma"), Some("no-cache"));
    let (client, req) = otp_of(taken(&seen));
    assert_eq!(client.client_id.as_str(), "app");
    assert_eq!(req.connection, Connection::Email);
    assert_eq!(req.username, "a@example.com");
    assert_eq!(req.otp.expose(), "123456");
    assert_eq!(req.scope.as_deref(), Some("openid"));
    assert_eq!(req.audience.as_deref(), Some("https://api"));
    assert_eq!(req.redirect_uri.as_deref(), Some("https://app/cb"));
}

#[tokio::test]
async fn the_otp_grant_as_json_treats_null_as_absent_and_ignores_extras() {
    let (m, seen) = capturing_otp();
    let body = json!({
        "grant_type": GrantType::PASSWORDLESS_OTP, "client_id": "app", "client_secret": null,
        "username": "+15550100999", "otp": "0042", "realm": "sms", "audience": null,
        "resource": "https://api", "scopes": "openid profile email"
    });
    let r = send(app(m), post_json(PATH, &body)).await;
    assert_eq!(r.status, StatusCode::OK);
    let (client, req) = otp_of(taken(&seen));
    assert!(client.client_secret.is_none());
    assert_eq!(req.connection, Connection::Sms);
    assert_eq!(
        req.audience.as_deref(),
        Some("https://api"),
        "resource means audience"
    );
    assert_eq!(req.scope, None);
}

#[tokio::test]
async fn absent_tokens_and_an_empty_scope_are_left_out() {
    let mut m = mock();
    m.tokens.expect_token().returning(|_| {
        let mut t = tokens(false);
        t.scope = String::new();
        Ok(t)
    });
    let r = send(app(m), post_form(PATH, &otp_form(""))).await;
    assert_eq!(
        r.body,
        json!({"access_token": "at.jwt", "token_type": "Bearer", "expires_in": 86400})
    );
}

#[tokio::test]
async fn basic_auth_with_an_encoded_colon_in_the_secret_is_decoded() {
    let (m, seen) = capturing_otp();
    let mut req = post_form(PATH, &otp_form("").replace("&client_id=app", ""));
    let basic = format!("Basic {}", STANDARD.encode("app:pa%3Ass+word"));
    req.headers_mut()
        .insert("authorization", basic.parse().unwrap());
    let r = send(app(m), req).await;
    assert_eq!(r.status, StatusCode::OK);
    let (client, _) = otp_of(taken(&seen));
    assert_eq!(client.client_id.as_str(), "app");
    assert_eq!(client.client_secret.unwrap().expose_secret(), "pa:ss+word");
}

#[tokio::test]
async fn a_basic_header_and_a_body_naming_different_clients_are_refused() {
    let mut req = post_form(PATH, &otp_form(""));
    let basic = format!("Basic {}", STANDARD.encode("other:pw"));
    req.headers_mut()
        .insert("authorization", basic.parse().unwrap());
    let r = send(app(mock()), req).await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::BAD_REQUEST, "invalid_request")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
}

#[tokio::test]
async fn missing_parameters_are_named() {
    for (form, missing) in [
        ("client_id=app".to_owned(), "grant_type"),
        (format!("grant_type={OTP}"), "client_id"),
        (otp_form("").replace("&otp=123456", ""), "otp"),
        (
            otp_form("").replace("&username=a%40example.com", ""),
            "username",
        ),
        (otp_form("").replace("&realm=email", "&realm="), "realm"),
        (
            "grant_type=refresh_token&client_id=app".to_owned(),
            "refresh_token",
        ),
    ] {
        let r = send(app(mock()), post_form(PATH, &form)).await;
        r.assert_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("Missing required parameter: {missing}"),
        );
    }
}

#[tokio::test]
async fn an_unknown_realm_or_a_non_string_parameter_is_invalid() {
    let r = send(
        app(mock()),
        post_form(PATH, &otp_form("").replace("realm=email", "realm=ldap")),
    )
    .await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Invalid parameter: realm must be email or sms",
    );
    let body = json!({"grant_type": GrantType::PASSWORDLESS_OTP, "client_id": "app", "username": "a@example.com", "otp": 123456, "realm": "email"});
    let r = send(app(mock()), post_json(PATH, &body)).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Invalid parameter: otp must be a string",
    );
}

#[tokio::test]
async fn an_unknown_grant_is_unsupported_before_the_client_is_checked() {
    let r = send(app(mock()), post_form(PATH, "grant_type=password")).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "unsupported_grant_type",
        "Unsupported grant type: password",
    );
}

#[tokio::test]
async fn the_refresh_grant_passes_the_token_and_a_narrower_scope() {
    let seen: Captured<TokenRequest> = slot();
    let mut m = mock();
    let s = seen.clone();
    m.tokens.expect_token().times(1).returning(move |req| {
        *s.lock().unwrap() = Some(req);
        Ok(tokens(true))
    });
    let r = send(
        app(m),
        post_form(
            PATH,
            "grant_type=refresh_token&client_id=app&refresh_token=rt-1&scope=openid",
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let req = refresh_of(taken(&seen));
    assert_eq!(req.refresh_token.expose_secret(), "rt-1");
    assert_eq!(req.scope.as_deref(), Some("openid"));
}

#[tokio::test]
async fn a_client_id_no_client_can_have_gets_the_unknown_client_answer_without_asking_the_domain() {
    // `mock()` fails the test on any call to the domain.
    for id in ["a%07b".to_owned(), "x".repeat(300)] {
        let form = otp_form("").replace("client_id=app", &format!("client_id={id}"));
        let r = send(app(mock()), post_form(PATH, &form)).await;
        r.assert_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    }
}
