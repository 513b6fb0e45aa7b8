//! The answers the other suites do not reach, each through [`send`] and so
//! checked against `/openapi.json`: every token grant, `mfa_required`, the
//! body refusals of every endpoint that reads one, broken backends. The MFA
//! and Management APIs' are in `answers_mfa` and `answers_management`.

use axum::body::Body;
use http::{Method, Request, StatusCode};
use secrecy::SecretString;
use serde_json::{Value, json};
use sesame_domain::mfa::{Factor, Requirements};
use sesame_domain::ports::StoreError;
use sesame_domain::recipient::Connection;
use sesame_domain::service::{LinkError, MfaRequired, RevokeError, TokenError, UserinfoError};
use sesame_domain::{GrantType, Profile, Timestamp, User};
use sesame_http::HttpConfig;
use sesame_testkit::fixtures;

use crate::common::*;

/// A request with an optional bearer token and JSON body.
pub(crate) fn call(
    method: &Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<&Value>,
) -> Request<Body> {
    let mut r = Request::builder().method(method).uri(path);
    if let Some(t) = bearer {
        r = r.header("authorization", format!("Bearer {t}"));
    }
    if body.is_some() {
        r = r.header("content-type", "application/json");
    }
    r.body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap()
}

pub(crate) fn user(connection: Connection) -> User {
    let recipient = match connection {
        Connection::Email => fixtures::fresh_email(),
        Connection::Sms => fixtures::fresh_phone(),
    };
    let mut u = fixtures::fresh_user(recipient, Timestamp::from_unix_seconds(1_700_000_000));
    u.last_login = Some(Timestamp::from_unix_seconds(1_700_000_100));
    u.logins_count = 2;
    u.user_metadata.insert("plan".into(), json!("pro"));
    u
}

#[tokio::test]
async fn every_grant_answers_its_tokens_and_mfa_required_its_requirements() {
    let mfa = |g: &str, extra: Value| {
        let mut b = json!({"grant_type": g, "client_id": "app", "mfa_token": "mt"});
        b.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        b
    };
    let bodies = [
        json!({"grant_type": GrantType::PASSWORDLESS_OTP, "client_id": "app", "realm": "email",
            "username": "a@example.com", "otp": "123456"}),
        json!({"grant_type": "authorization_code", "client_id": "app", "code": "c",
            "code_verifier": "v"}),
        json!({"grant_type": "refresh_token", "client_id": "app", "refresh_token": "r"}),
        json!({"grant_type": "client_credentials", "client_id": "app", "client_secret": "s",
            "audience": "https://api.example.com/"}),
        mfa(
            "http://auth0.com/oauth/grant-type/mfa-otp",
            json!({"otp": "123456"}),
        ),
        mfa(
            "http://auth0.com/oauth/grant-type/mfa-oob",
            json!({"oob_code": "o", "binding_code": "123456"}),
        ),
        mfa(
            "http://auth0.com/oauth/grant-type/mfa-recovery-code",
            json!({"recovery_code": "rc"}),
        ),
    ];
    for (i, body) in bodies.iter().enumerate() {
        let mut m = mock();
        m.tokens.expect_token().returning(move |_| {
            let mut t = tokens(i % 2 == 0);
            t.recovery_code = (i == 6).then(|| SecretString::from("new-rc"));
            t.token_type = if i == 3 { "DPoP" } else { "Bearer" };
            Ok(t)
        });
        let r = send(app(m), post_json("/oauth/token", body)).await;
        assert_eq!(r.status, StatusCode::OK, "{body}: {}", r.body);
    }
    for requirements in [
        Requirements::Challenge(vec![Factor::Otp, Factor::Sms]),
        Requirements::Enroll(vec![Factor::Otp, Factor::Email, Factor::RecoveryCode]),
    ] {
        let mut m = mock();
        m.tokens.expect_token().returning(move |_| {
            Err(TokenError::MfaRequired(MfaRequired {
                mfa_token: SecretString::from("mt"),
                requirements: requirements.clone(),
            }))
        });
        let r = send(app(m), post_json("/oauth/token", &bodies[0])).await;
        assert_eq!(r.error(), "mfa_required");
    }
}

#[tokio::test]
async fn every_endpoint_with_a_body_refuses_one_too_large_or_of_another_type() {
    let endpoints = [
        "/passwordless/start",
        "/oauth/token",
        "/oauth/revoke",
        "/mfa/associate",
        "/mfa/challenge",
    ];
    for path in endpoints {
        let config = HttpConfig {
            body_limit_bytes: 16,
            ..HttpConfig::default()
        };
        let big = json!({"client_id": "x".repeat(64)});
        let r = send(
            app_with(mock(), config),
            call(&Method::POST, path, Some("t"), Some(&big)),
        )
        .await;
        assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE, "{path}");
        let plain = Request::post(path)
            .header("authorization", "Bearer t")
            .header("content-type", "text/plain")
            .body(Body::from("client_id=app"))
            .unwrap();
        let r = send(app(mock()), plain).await;
        assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{path}");
    }
}

#[tokio::test]
async fn userinfo_by_post_and_the_jwks_s_refusals_are_described() {
    let mut m = mock();
    let profile = Profile::of(&user(Connection::Sms));
    m.userinfo
        .expect_userinfo()
        .returning(move |_| Ok(profile.clone()));
    let r = send(app(m), call(&Method::POST, "/userinfo", Some("at"), None)).await;
    assert_eq!(r.status, StatusCode::OK);
    let mut m = mock();
    m.discovery
        .expect_jwks()
        .returning(|| Err(StoreError::Unknown(anyhow::anyhow!("bad row"))));
    let r = send(app(m), get("/.well-known/jwks.json")).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
}

#[tokio::test]
async fn a_link_spent_or_expired_by_the_time_it_is_confirmed_is_gone() {
    for error in [LinkError::Expired, LinkError::Used] {
        let mut m = mock();
        let e = std::sync::Mutex::new(Some(error));
        m.links
            .expect_redeem_link()
            .returning(move |_| Err(e.lock().unwrap().take().unwrap()));
        m.links.expect_link_app().returning(|_| Ok(None));
        let mut req = post_form(
            "/passwordless/verify_redirect",
            "client_id=app&connection=email&email=a%40example.com&verification_code=t",
        );
        req.headers_mut()
            .insert("cookie", CONFIRM_COOKIE.parse().unwrap());
        let r = send(app(m), req).await;
        assert_eq!(r.status, StatusCode::GONE);
    }
}

#[tokio::test]
async fn userinfo_and_revocation_answer_a_broken_backend_as_documented() {
    for method in [Method::GET, Method::POST] {
        for down in [true, false] {
            let mut m = mock();
            m.userinfo.expect_userinfo().returning(move |_| {
                Err(if down {
                    UserinfoError::Unavailable(anyhow::anyhow!("down"))
                } else {
                    UserinfoError::Unknown(anyhow::anyhow!("bug"))
                })
            });
            send(app(m), call(&method, "/userinfo", Some("at"), None)).await;
        }
        send(app(mock()), call(&method, "/userinfo", None, None)).await;
    }
    let mut m = mock();
    m.revocation
        .expect_revoke()
        .returning(|_| Err(RevokeError::Unknown(anyhow::anyhow!("bug"))));
    let body = json!({"client_id": "app", "token": "rt"});
    let r = send(app(m), post_json("/oauth/revoke", &body)).await;
    assert_eq!(r.status, StatusCode::INTERNAL_SERVER_ERROR);
}
