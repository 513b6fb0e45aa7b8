//! The MFA API and grants over HTTP, end to end on the real service over
//! the testkit's in-memory adapters with `[mfa] require = "always"`: the
//! `mfa_required` body, enrollment, the `mfa-otp` grant, and the error
//! answers.

use std::sync::Arc;

use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::{Value, json};
use sesame_domain::GrantType;
use sesame_domain::mfa::{MfaPolicy, Totp};
use sesame_domain::ports::Clock as _;
use sesame_http::{HttpConfig, Services, router};
use sesame_testkit::harness::defaults::{CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET};
use sesame_testkit::{Harness, fixtures};

use crate::common::*;
use crate::pages::EnglishPages;

fn app(h: &Harness) -> axum::Router {
    router(
        Services::of(&h.service, Arc::new(EnglishPages)),
        HttpConfig::default(),
    )
}

async fn mfa_harness() -> Harness {
    Harness::builder()
        .configure(|c| c.mfa.require = MfaPolicy::Always)
        .build()
        .await
        .unwrap()
}

fn with_client(mut body: Value) -> Value {
    body["client_id"] = json!(CONFIDENTIAL_CLIENT_ID);
    body["client_secret"] = json!(CONFIDENTIAL_CLIENT_SECRET);
    body
}

/// A passwordless login's token answer.
async fn first_factor(h: &Harness) -> Reply {
    let who = fixtures::fresh_email();
    h.codes.push("123456");
    h.start(&who).await.unwrap();
    let body = with_client(json!({
        "grant_type": GrantType::PASSWORDLESS_OTP, "username": who.as_str(),
        "otp": "123456", "realm": "email", "scope": "openid",
    }));
    send(app(h), post_json("/oauth/token", &body)).await
}

fn with_bearer(method: &str, path: &str, token: &str, body: Option<&Value>) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap()
}

#[tokio::test]
async fn a_login_that_needs_a_second_factor_answers_auth0s_mfa_required() {
    let h = mfa_harness().await;
    let r = first_factor(&h).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["error"], "mfa_required");
    assert_eq!(
        r.body["error_description"],
        "Multifactor authentication required"
    );
    assert!(r.body["mfa_token"].as_str().is_some_and(|t| t.len() > 40));
    assert_eq!(
        r.body["mfa_requirements"],
        json!({"enroll": [{"type": "otp"}, {"type": "phone"}, {"type": "email"}]})
    );
    assert_eq!(r.headers["cache-control"], "no-store");
}

#[tokio::test]
async fn totp_is_enrolled_listed_and_passed_over_http() {
    let h = mfa_harness().await;
    let token = first_factor(&h).await.body["mfa_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let enrolled = send(
        app(&h),
        with_bearer(
            "POST",
            "/mfa/associate",
            &token,
            Some(&json!({"authenticator_types": ["otp"]})),
        ),
    )
    .await;
    assert_eq!(enrolled.status, StatusCode::OK, "{:?}", enrolled.body);
    assert_eq!(enrolled.body["authenticator_type"], "otp");
    assert_eq!(enrolled.body["recovery_codes"].as_array().unwrap().len(), 1);
    let totp = Totp::from_base32(enrolled.body["secret"].as_str().unwrap()).unwrap();

    let listed = send(
        app(&h),
        with_bearer("GET", "/mfa/authenticators", &token, None),
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK);
    let kinds: Vec<_> = listed
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["authenticator_type"].clone())
        .collect();
    assert!(
        kinds.contains(&json!("otp")) && kinds.contains(&json!("recovery-code")),
        "{kinds:?}"
    );

    let code = totp.code_at_step(Totp::step_of(h.clock.now()));
    let grant = with_client(json!({
        "grant_type": "http://auth0.com/oauth/grant-type/mfa-otp",
        "mfa_token": token, "otp": code,
    }));
    let tokens = send(app(&h), post_json("/oauth/token", &grant)).await;
    assert_eq!(tokens.status, StatusCode::OK, "{:?}", tokens.body);
    assert!(tokens.body["id_token"].is_string());
    let replay = send(app(&h), post_json("/oauth/token", &grant)).await;
    assert_eq!(replay.status, StatusCode::FORBIDDEN);
    assert_eq!(replay.body["error"], "invalid_grant");
}

#[tokio::test]
async fn a_made_up_mfa_token_is_refused_everywhere_without_a_500() {
    let h = mfa_harness().await;
    let fake = format!("{}.{}", h.clock.now().unix_seconds() + 60, "A".repeat(43));
    let list = send(
        app(&h),
        with_bearer("GET", "/mfa/authenticators", &fake, None),
    )
    .await;
    assert_eq!(list.status, StatusCode::FORBIDDEN);
    assert_eq!(list.body["error_description"], "Malformed mfa_token");
    let jwtish = send(
        app(&h),
        with_bearer("GET", "/mfa/authenticators", "a.b.c", None),
    )
    .await;
    assert_eq!(jwtish.status, StatusCode::FORBIDDEN);
    let none = send(
        app(&h),
        Request::get("/mfa/authenticators")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    let expired = format!("{}.{}", h.clock.now().unix_seconds() - 1, "A".repeat(43));
    let challenge = send(
        app(&h),
        post_json(
            "/mfa/challenge",
            &with_client(json!({"mfa_token": expired, "challenge_type": "otp"})),
        ),
    )
    .await;
    assert_eq!(challenge.status, StatusCode::FORBIDDEN);
    assert_eq!(challenge.body["error_description"], "mfa_token is expired");
    let grant = with_client(json!({
        "grant_type": "http://auth0.com/oauth/grant-type/mfa-oob",
        "mfa_token": fake, "oob_code": "x", "binding_code": "1",
    }));
    let r = send(app(&h), post_json("/oauth/token", &grant)).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["error"], "invalid_grant");
    let missing = send(
        app(&h),
        post_json(
            "/oauth/token",
            &with_client(
                json!({"grant_type": "http://auth0.com/oauth/grant-type/mfa-otp", "otp": "1"}),
            ),
        ),
    )
    .await;
    assert_eq!(missing.status, StatusCode::BAD_REQUEST);
    assert_eq!(missing.body["error"], "invalid_request");
}

#[tokio::test]
async fn an_unknown_challenge_type_and_authenticator_type_are_bad_requests() {
    let h = mfa_harness().await;
    let token = first_factor(&h).await.body["mfa_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = send(
        app(&h),
        post_json(
            "/mfa/challenge",
            &with_client(json!({"mfa_token": token, "challenge_type": "push"})),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"], "unsupported_challenge_type");
    let r = send(
        app(&h),
        with_bearer(
            "POST",
            "/mfa/associate",
            &token,
            Some(&json!({"authenticator_types": ["webauthn"]})),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["error"], "invalid_request");
    let r = send(
        app(&h),
        with_bearer("DELETE", "/mfa/authenticators/totp|dev_nope", &token, None),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
}
