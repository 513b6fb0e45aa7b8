//! Hostile values in every string parameter (NUL bytes, control and
//! non-ASCII characters, megabyte-ish strings, wrong JSON types) are clean
//! 4xx answers on both backends: never a 5xx, never an echo of the whole
//! input.

use serde_json::{Value, json};
use sesame_e2e::api::{otp_body, start_body};
use sesame_e2e::{Backend, NATIVE_CLIENT, Reply, TestApp, fresh_email};

fn hostile_values() -> Vec<Value> {
    vec![
        json!("nul\u{0}byte@example.com"),
        json!("\u{0}"),
        json!("+1555\u{0}5550100"),
        json!("ünïcødé@bücher.example"),
        json!("line\r\nbreak: injected"),
        json!("'; DROP TABLE users; --"),
        json!("x".repeat(20_000)),
        json!(12345),
        json!(true),
        json!(["a", "b"]),
        json!({"nested": "object"}),
    ]
}

#[track_caller]
fn assert_clean_refusal_or_success(reply: &Reply, what: &str) {
    assert!(
        !reply.status.is_server_error(),
        "{what}: {} {}",
        reply.status,
        reply.text
    );
    if !reply.status.is_success() {
        assert!(reply.str("error").is_some(), "{what}: {}", reply.text);
        assert!(
            reply.text.len() < 1_000,
            "{what}: the error echoes the input ({} bytes)",
            reply.text.len()
        );
    }
}

async fn hostile_start_parameters_never_cause_a_server_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let base = start_body(&fresh_email());
    for property in ["client_id", "client_secret", "connection", "email", "send"] {
        for value in hostile_values() {
            let mut body = base.clone();
            body[property] = value.clone();
            let reply = app.start(&body).await;
            assert_clean_refusal_or_success(&reply, &format!("start {property}"));
        }
    }
    for key in ["scope", "state", "redirect_uri", "nonce", "audience"] {
        for value in hostile_values() {
            let mut body = base.clone();
            body["authParams"] = json!({ key: value });
            let reply = app.start(&body).await;
            assert_clean_refusal_or_success(&reply, &format!("start authParams.{key}"));
        }
    }
}

async fn hostile_token_parameters_never_cause_a_server_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let base = otp_body(&who, &code);
    for property in [
        "grant_type",
        "client_id",
        "client_secret",
        "username",
        "otp",
        "realm",
        "scope",
        "audience",
        "redirect_uri",
    ] {
        for value in hostile_values() {
            let mut body = base.clone();
            body[property] = value.clone();
            let reply = app.token_json(&body).await;
            assert_clean_refusal_or_success(&reply, &format!("token {property}"));
        }
    }
    for value in hostile_values() {
        let body = json!({
            "grant_type": "refresh_token",
            "client_id": NATIVE_CLIENT,
            "refresh_token": value,
        });
        let reply = app.token_json(&body).await;
        assert_clean_refusal_or_success(&reply, "refresh_token");
        let body = json!({"client_id": NATIVE_CLIENT, "token": value});
        let reply = app.post_json("/oauth/revoke", &body).await;
        assert_clean_refusal_or_success(&reply, "revoke token");
    }
    for token in [
        "\u{0}",
        "a.b.c",
        "eyJhbGciOiJub25lIn0.e30.",
        &"x".repeat(20_000),
    ] {
        let reply = app
            .send(app.client.get(app.url("/userinfo")).header(
                "authorization",
                format!("Bearer {token}").replace('\u{0}', "%00"),
            ))
            .await;
        assert_clean_refusal_or_success(&reply, "userinfo bearer");
    }
}

sesame_e2e::on_every_backend!(
    hostile_start_parameters_never_cause_a_server_error,
    hostile_token_parameters_never_cause_a_server_error,
);
