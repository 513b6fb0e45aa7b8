//! End to end on the real `Passwordless` over the testkit's in-memory
//! adapters: start, read the code from the outbox, redeem it, refresh,
//! detect reuse, read the profile, revoke.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::StatusCode;
use serde_json::{Value, json};
use sesame_domain::recipient::Recipient;
use sesame_domain::{Client, ClientId, GrantType};
use sesame_http::{HttpConfig, Services, router};
use sesame_testkit::harness::defaults::{
    CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, ISSUER, PUBLIC_CLIENT_ID, public_client,
};
use sesame_testkit::{Harness, fixtures};

use crate::common::*;
use crate::pages::EnglishPages;

fn app(h: &Harness) -> axum::Router {
    router(
        Services::of(&h.service, Arc::new(EnglishPages)),
        HttpConfig::default(),
    )
}

fn basic() -> String {
    format!(
        "Basic {}",
        STANDARD.encode(format!(
            "{CONFIDENTIAL_CLIENT_ID}:{CONFIDENTIAL_CLIENT_SECRET}"
        ))
    )
}

async fn start_code(h: &Harness, recipient: &Recipient) -> Reply {
    let (field, connection) = match recipient {
        Recipient::Email(_) => ("email", "email"),
        Recipient::Sms(_) => ("phone_number", "sms"),
    };
    let body = json!({
        "client_id": CONFIDENTIAL_CLIENT_ID, "client_secret": CONFIDENTIAL_CLIENT_SECRET,
        "connection": connection, field: recipient.as_str(), "send": "code",
        "authParams": {"scope": "openid offline_access"}
    });
    send(app(h), post_json("/passwordless/start", &body)).await
}

async fn redeem(h: &Harness, recipient: &Recipient, code: &str) -> Reply {
    let mut req = post_json(
        "/oauth/token",
        &json!({
            "grant_type": GrantType::PASSWORDLESS_OTP, "username": recipient.as_str(),
            "otp": code, "realm": recipient.connection().as_str(),
        }),
    );
    req.headers_mut()
        .insert("authorization", basic().parse().unwrap());
    send(app(h), req).await
}

async fn refresh(h: &Harness, token: &str) -> Reply {
    let form = format!(
        "grant_type=refresh_token&client_id={CONFIDENTIAL_CLIENT_ID}\
         &client_secret={CONFIDENTIAL_CLIENT_SECRET}&refresh_token={token}"
    );
    send(app(h), post_form("/oauth/token", &form)).await
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap()
}

#[tokio::test]
async fn an_email_login_refreshes_detects_reuse_and_reads_the_profile() {
    let h = Harness::new().await.unwrap();
    let alice = fixtures::fresh_email();

    let started = start_code(&h, &alice).await;
    assert_eq!(started.status, StatusCode::OK, "{}", started.body);
    assert_eq!(started.body["email"], alice.as_str());
    assert_eq!(started.body["email_verified"], false);
    let code = h.code_for(&alice).expect("a code was sent");

    let login = redeem(&h, &alice, &code).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    assert_eq!(login.body["token_type"], "Bearer");
    assert!(login.body["id_token"].is_string());
    let first = text(&login.body["refresh_token"]).to_owned();

    let me = send(
        app(&h),
        http::Request::get("/userinfo")
            .header(
                "authorization",
                format!("Bearer {}", text(&login.body["access_token"])),
            )
            .body(axum::body::Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["email"], alice.as_str());

    let rotated = refresh(&h, &first).await;
    assert_eq!(rotated.status, StatusCode::OK, "{}", rotated.body);
    let second = text(&rotated.body["refresh_token"]).to_owned();
    assert_ne!(first, second);

    refresh(&h, &first).await.assert_error(
        StatusCode::FORBIDDEN,
        "invalid_grant",
        "Unknown or invalid refresh token.",
    );
    let after_reuse = refresh(&h, &second).await;
    assert_eq!(
        (after_reuse.status, after_reuse.error()),
        (StatusCode::FORBIDDEN, "invalid_grant"),
        "reuse revokes the whole family"
    );
}

#[tokio::test]
async fn a_code_is_single_use_and_wrong_codes_get_auth0s_message() {
    let h = Harness::new().await.unwrap();
    let bob = fixtures::fresh_phone();
    assert_eq!(start_code(&h, &bob).await.status, StatusCode::OK);
    let code = h.code_for(&bob).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    redeem(&h, &bob, wrong).await.assert_error(
        StatusCode::FORBIDDEN,
        "invalid_grant",
        "Wrong phone number or verification code.",
    );
    assert_eq!(redeem(&h, &bob, &code).await.status, StatusCode::OK);
    assert_eq!(redeem(&h, &bob, &code).await.error(), "invalid_grant");
}

#[tokio::test]
async fn a_public_sms_client_needs_no_secret_nor_send() {
    let h = Harness::new().await.unwrap();
    let carol = fixtures::fresh_phone();
    let body =
        json!({"client_id": PUBLIC_CLIENT_ID, "connection": "sms", "phone_number": carol.as_str()});
    let r = send(app(&h), post_json("/passwordless/start", &body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["phone_number"], carol.as_str());
    assert!(h.code_for(&carol).is_some());
}

#[tokio::test]
async fn an_sms_start_without_send_works_for_a_client_with_only_the_otp_grant() {
    let otp_only = Client {
        id: ClientId::parse("otp-only").unwrap(),
        grant_types: vec![GrantType::PasswordlessOtp],
        ..public_client()
    };
    let h = Harness::builder()
        .with_client(otp_only)
        .build()
        .await
        .unwrap();
    let frank = fixtures::fresh_phone();
    let body =
        json!({"client_id": "otp-only", "connection": "sms", "phone_number": frank.as_str()});
    let r = send(app(&h), post_json("/passwordless/start", &body)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(h.code_for(&frank).is_some());
}

#[tokio::test]
async fn a_confidential_client_without_its_secret_is_refused() {
    let h = Harness::new().await.unwrap();
    let body = json!({"client_id": CONFIDENTIAL_CLIENT_ID, "connection": "email", "email": "d@example.com", "send": "code"});
    let r = send(app(&h), post_json("/passwordless/start", &body)).await;
    r.assert_error(StatusCode::UNAUTHORIZED, "unauthorized", "Unauthorized");
    let form =
        format!("grant_type=refresh_token&client_id={CONFIDENTIAL_CLIENT_ID}&refresh_token=x");
    let r = send(app(&h), post_form("/oauth/token", &form)).await;
    r.assert_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
}

#[tokio::test]
async fn a_revoked_refresh_token_no_longer_refreshes() {
    let h = Harness::new().await.unwrap();
    let dave = fixtures::fresh_email();
    start_code(&h, &dave).await;
    let login = redeem(&h, &dave, &h.code_for(&dave).unwrap()).await;
    let rt = text(&login.body["refresh_token"]).to_owned();
    let mut req = post_form("/oauth/revoke", &format!("token={rt}"));
    req.headers_mut()
        .insert("authorization", basic().parse().unwrap());
    let r = send(app(&h), req).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(refresh(&h, &rt).await.error(), "invalid_grant");
}

#[tokio::test]
async fn too_many_starts_for_one_recipient_are_429_with_rate_headers() {
    let h = Harness::new().await.unwrap();
    let erin = fixtures::fresh_email();
    let mut last = start_code(&h, &erin).await;
    for _ in 0..25 {
        if last.status != StatusCode::OK {
            break;
        }
        last = start_code(&h, &erin).await;
    }
    assert_eq!(last.status, StatusCode::TOO_MANY_REQUESTS, "{}", last.body);
    assert_eq!(last.error(), "too_many_requests");
    assert_eq!(last.header("x-ratelimit-remaining"), Some("0"));
    assert!(last.header("retry-after").is_some());
}

#[tokio::test]
async fn discovery_and_the_jwks_come_from_the_real_service() {
    let h = Harness::new().await.unwrap();
    let d = send(app(&h), get("/.well-known/openid-configuration")).await;
    assert_eq!(d.body["issuer"], ISSUER);
    let j = send(app(&h), get("/.well-known/jwks.json")).await;
    assert_eq!(j.status, StatusCode::OK, "{}", j.body);
    assert!(j.body["keys"].is_array());
}
