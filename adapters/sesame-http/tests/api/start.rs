//! `POST /passwordless/start`: parsing and Auth0's validation messages.

use http::StatusCode;
use serde_json::{Value, json};
use sesame_domain::service::{StartRequest, Started};
use sesame_domain::{Recipient, SendMode};

use crate::common::*;

pub(crate) const PATH: &str = "/passwordless/start";

fn started(req: &StartRequest, rate: bool) -> Started {
    Started {
        id: "ch_0123".to_owned(),
        recipient: req.recipient.clone(),
        rate: rate.then(|| decision(true)),
    }
}

/// A mock whose start succeeds and records its request.
fn capturing(rate: bool) -> (MockAuth, Captured<StartRequest>) {
    let seen = slot();
    let mut m = mock();
    let s = seen.clone();
    m.start.expect_start().times(1).returning(move |req| {
        let ok = started(&req, rate);
        *s.lock().unwrap() = Some(req);
        Ok(ok)
    });
    (m, seen)
}

pub(crate) fn email_body() -> Value {
    json!({"client_id": "app", "connection": "email", "email": "Ann@Example.COM", "send": "code"})
}

#[tokio::test]
async fn an_email_start_answers_in_auth0s_shape_with_the_canonical_address() {
    let (m, seen) = capturing(false);
    let r = send(app(m), post_json(PATH, &email_body())).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body,
        json!({"_id": "ch_0123", "email": "ann@example.com", "email_verified": false})
    );
    assert!(r.header("x-ratelimit-limit").is_none());
    let req = taken(&seen);
    assert_eq!(req.client.client_id.as_str(), "app");
    assert!(req.client.client_secret.is_none());
    assert_eq!(req.send, SendMode::Code);
    assert_eq!(req.ip, None, "no ConnectInfo means the IP is unknown");
}

#[tokio::test]
async fn an_sms_start_answers_with_the_phone_number_and_defaults_to_a_code() {
    let (m, seen) = capturing(false);
    let body =
        json!({"client_id": "app", "connection": "sms", "phone_number": "+1 (555) 010-9999"});
    let r = send(app(m), post_json(PATH, &body)).await;
    assert_eq!(
        r.body,
        json!({"_id": "ch_0123", "phone_number": "+15550109999", "phone_verified": false})
    );
    assert_eq!(taken(&seen).send, SendMode::Code);
}

#[tokio::test]
async fn an_absent_send_means_a_link_for_email_as_at_auth0() {
    let (m, seen) = capturing(false);
    let body =
        json!({"client_id": "app", "connection": "email", "email": "a@example.com", "send": null});
    send(app(m), post_json(PATH, &body)).await;
    assert_eq!(taken(&seen).send, SendMode::Link);
}

#[tokio::test]
async fn the_peer_ip_forwarded_for_and_locale_reach_the_domain() {
    let (m, seen) = capturing(false);
    let mut req = from_peer(post_json(PATH, &email_body()), "198.51.100.7:40000");
    let h = req.headers_mut();
    h.insert("auth0-forwarded-for", "203.0.113.5".parse().unwrap());
    h.insert("accept-language", "de;q=0.5, fr-CA".parse().unwrap());
    send(app(m), req).await;
    let req = taken(&seen);
    assert_eq!(req.ip, Some("198.51.100.7".parse().unwrap()));
    assert_eq!(req.forwarded_for, Some("203.0.113.5".parse().unwrap()));
    assert_eq!(req.locale.as_deref(), Some("fr-CA"));
}

#[tokio::test]
async fn a_form_body_with_bracketed_auth_params_and_a_secret_is_understood() {
    let (m, seen) = capturing(false);
    let body = "client_id=app&client_secret=s3cr%3At&connection=email&email=a%40example.com\
                &authParams%5Bscope%5D=openid+email&authParams%5Bstate%5D=xyz&authParams%5Bextra%5D=1";
    let r = send(app(m), post_form(PATH, body)).await;
    assert_eq!(r.status, StatusCode::OK);
    let req = taken(&seen);
    assert_eq!(req.auth_params.scope.as_deref(), Some("openid email"));
    assert_eq!(req.auth_params.state.as_deref(), Some("xyz"));
    assert_eq!(
        secrecy::ExposeSecret::expose_secret(req.client.client_secret.as_ref().unwrap()),
        "s3cr:t"
    );
}

#[tokio::test]
async fn success_carries_the_rate_limit_headers_when_the_domain_counted() {
    let (m, _) = capturing(true);
    let r = send(app(m), post_json(PATH, &email_body())).await;
    assert_eq!(r.header("x-ratelimit-limit"), Some("50"));
    assert_eq!(r.header("x-ratelimit-remaining"), Some("49"));
    assert!(
        r.header("x-ratelimit-reset")
            .unwrap()
            .parse::<i64>()
            .unwrap()
            > 1_700_000_000
    );
}

async fn refused(body: Value) -> Reply {
    send(app(mock()), post_json(PATH, &body)).await
}

#[tokio::test]
async fn unknown_properties_are_listed() {
    let r = refused(json!({"client_id": "app", "connection": "email", "email": "a@example.com", "foo": 1, "bar": 2})).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.request",
        "the following properties are not allowed: bar, foo",
    );
}

#[tokio::test]
async fn a_missing_client_id_is_named() {
    let r = refused(json!({"connection": "email", "email": "a@example.com"})).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.client_id",
        "Missing required property: client_id",
    );
}

#[tokio::test]
async fn a_missing_or_unknown_connection_is_bad_connection() {
    let r = refused(json!({"client_id": "app", "email": "a@example.com"})).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.connection",
        "Missing required property: connection",
    );
    let r = refused(json!({"client_id": "app", "connection": "google", "email": "a@example.com"}))
        .await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.connection",
        "Connection does not exist",
    );
}

#[tokio::test]
async fn a_bad_email_says_what_is_wrong() {
    let r = refused(json!({"client_id": "app", "connection": "email", "email": "ann.example.com"}))
        .await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.email",
        "email address has no '@'",
    );
    let r =
        refused(json!({"client_id": "app", "connection": "email", "phone_number": "+15550100"}))
            .await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.email",
        "Missing required property: email",
    );
}

#[tokio::test]
async fn a_bad_phone_number_gets_auth0s_pattern_message() {
    let r =
        refused(json!({"client_id": "app", "connection": "sms", "phone_number": "555-0100"})).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.phone_number",
        r"String does not match pattern: ^\+[0-9]{1,15}$",
    );
    assert!(
        String::from_utf8(r.raw)
            .unwrap()
            .contains(r#"^\\+[0-9]{1,15}$"#)
    );
}

#[tokio::test]
async fn an_email_sent_to_the_sms_connection_is_a_missing_phone_number() {
    let r =
        refused(json!({"client_id": "app", "connection": "sms", "email": "a@example.com"})).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.phone_number",
        "Missing required property: phone_number",
    );
}

#[tokio::test]
async fn an_invalid_send_or_a_non_string_is_refused() {
    let mut body = email_body();
    body["send"] = json!("carrier-pigeon");
    refused(body).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.request",
        "send must be \"code\" or \"link\"",
    );
    let mut body = email_body();
    body["client_id"] = json!(42);
    refused(body).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.client_id",
        "Expected type string but found type number",
    );
}

#[tokio::test]
async fn auth_params_must_be_an_object_of_strings() {
    let mut body = email_body();
    body["authParams"] = json!("scope=openid");
    refused(body).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.authParams",
        "error in authParams - invalid type: string (expected object)",
    );
    let mut body = email_body();
    body["authParams"] = json!({"scope": ["openid"]});
    refused(body).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.authParams",
        "error in authParams.scope - invalid type: array (expected string)",
    );
}

#[tokio::test]
async fn a_recipient_is_parsed_for_its_connection() {
    let (m, seen) = capturing(false);
    send(app(m), post_json(PATH, &email_body())).await;
    assert!(matches!(taken(&seen).recipient, Recipient::Email(_)));
}
