//! Every way `POST /oauth/token` refuses a request: Auth0's status, `error`
//! code and, where Auth0 fixes it, the exact `error_description`. None of
//! them is a 5xx.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use std::time::Duration;

use serde_json::{Value, json};
use sesame_e2e::api::otp_body;
use sesame_e2e::{
    Backend, NATIVE_CLIENT, OTP_GRANT, Options, REFRESH_ONLY_CLIENT, TestApp, WEB_CLIENT,
    fresh_email, fresh_phone,
};

const WRONG_EMAIL: &str = "Wrong email or verification code.";
const WRONG_PHONE: &str = "Wrong phone number or verification code.";
const EXPIRED: &str = "The verification code has expired. Please try to login again.";
const MAX_ATTEMPTS: &str =
    "You've reached the maximum number of attempts. Please try to login again.";

/// A code of the right shape that is not `code`.
fn other_than(code: &str) -> String {
    if code == "000000" {
        "111111".to_owned()
    } else {
        "000000".to_owned()
    }
}

async fn a_wrong_code_is_an_invalid_grant_worded_for_its_connection(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let email = fresh_email();
    let code = app.issue_code(&email).await;
    app.token_otp_json(&email, &other_than(&code))
        .await
        .expect_error(403, "invalid_grant", Some(WRONG_EMAIL));
    let phone = fresh_phone();
    let code = app.issue_code(&phone).await;
    app.token_otp_json(&phone, &other_than(&code))
        .await
        .expect_error(403, "invalid_grant", Some(WRONG_PHONE));
    // One wrong guess leaves the code usable.
    app.token_otp_json(&phone, &code).await.expect_status(200);
}

async fn an_unknown_recipient_gets_exactly_the_wrong_code_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let known = fresh_email();
    let code = app.issue_code(&known).await;
    let wrong = app.token_otp_json(&known, &other_than(&code)).await;
    let unknown = app.token_otp_json(&fresh_email(), &code).await;
    wrong.expect_error(403, "invalid_grant", Some(WRONG_EMAIL));
    assert_eq!(
        (unknown.status, &unknown.body),
        (wrong.status, &wrong.body),
        "an unknown address must be indistinguishable from a wrong code"
    );
    let garbage = app.token_otp_json(&fresh_email(), "not-a-code").await;
    assert_eq!((garbage.status, &garbage.body), (wrong.status, &wrong.body));
}

async fn an_expired_code_is_refused_as_expired(backend: Backend) {
    let options = Options {
        code_ttl_secs: 1,
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    // The one sleep of the suite: codes live whole seconds.
    tokio::time::sleep(Duration::from_millis(1200)).await;
    app.token_otp_json(&who, &code)
        .await
        .expect_error(403, "invalid_grant", Some(EXPIRED));
}

async fn the_third_wrong_code_kills_the_challenge(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let wrong = other_than(&code);
    for _ in 0..2 {
        app.token_otp_json(&who, &wrong).await.expect_error(
            403,
            "invalid_grant",
            Some(WRONG_EMAIL),
        );
    }
    app.token_otp_json(&who, &wrong)
        .await
        .expect_error(403, "invalid_grant", Some(MAX_ATTEMPTS));
    // The right code is dead now too.
    app.token_otp_json(&who, &code)
        .await
        .expect_error(403, "invalid_grant", Some(MAX_ATTEMPTS));
}

async fn a_grant_the_client_lacks_is_unauthorized_client(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let mut body = otp_body(&who, &code);
    body["client_id"] = REFRESH_ONLY_CLIENT.into();
    app.token_json(&body).await.expect_error(
        403,
        "unauthorized_client",
        Some(&format!(
            "Grant type '{OTP_GRANT}' not allowed for the client."
        )),
    );
}

async fn a_confidential_client_with_a_bad_secret_is_access_denied(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let mut body = otp_body(&who, &code);
    body["client_id"] = WEB_CLIENT.into();
    app.token_json(&body)
        .await
        .expect_error(401, "access_denied", Some("Unauthorized"));
    body["client_secret"] = "not-the-secret-0123456789".into();
    app.token_json(&body)
        .await
        .expect_error(401, "access_denied", Some("Unauthorized"));
    body["client_id"] = "no-such-client".into();
    app.token_json(&body)
        .await
        .expect_error(401, "access_denied", Some("Unauthorized"));
}

async fn missing_parameters_are_named(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let full = otp_body(&fresh_email(), "123456");
    for name in ["grant_type", "client_id", "username", "otp", "realm"] {
        let mut body = full.clone();
        body.as_object_mut().map(|o| o.remove(name));
        app.token_json(&body).await.expect_error(
            400,
            "invalid_request",
            Some(&format!("Missing required parameter: {name}")),
        );
        // An empty value is absent too (RFC 6749 §3.1).
        body[name] = "".into();
        app.token_form(&body).await.expect_error(
            400,
            "invalid_request",
            Some(&format!("Missing required parameter: {name}")),
        );
    }
    let mut body = full;
    body["realm"] = "carrier-pigeon".into();
    app.token_json(&body)
        .await
        .expect_error(400, "invalid_request", None);
}

async fn an_unknown_grant_type_is_unsupported(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for grant in ["password", "urn:example:nope"] {
        let body = json!({"grant_type": grant, "client_id": NATIVE_CLIENT});
        app.token_json(&body)
            .await
            .expect_error(400, "unsupported_grant_type", None);
    }
    // Served, but not for a public client that was not given it.
    let body = json!({"grant_type": "client_credentials", "client_id": NATIVE_CLIENT});
    app.token_json(&body).await.expect_error(
        403,
        "unauthorized_client",
        Some("Grant type 'client_credentials' not allowed for the client."),
    );
}

async fn malformed_bodies_are_oauth_errors_never_server_errors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = "/oauth/token";
    let cases: [(&str, &[u8]); 6] = [
        ("application/json", b"{\"grant_type\": "),
        ("application/json", b"\"just a string\""),
        (
            "application/json",
            b"{\"grant_type\": 42, \"client_id\": []}",
        ),
        (
            "application/x-www-form-urlencoded",
            b"grant_type=a&grant_type=b",
        ),
        ("application/x-www-form-urlencoded", b"%%%&&==&\xff\xfe"),
        (
            "application/x-www-form-urlencoded",
            b"authParams=x&authParams[a]=y",
        ),
    ];
    for (content_type, body) in cases {
        let reply = app.post_raw(token, content_type, body.to_vec()).await;
        assert_eq!(
            reply.status.as_u16(),
            400,
            "{content_type} {:?}: {}",
            String::from_utf8_lossy(body),
            reply.text
        );
        reply.expect_error(400, "invalid_request", None);
        assert_eq!(reply.header("cache-control"), Some("no-store"));
    }
    app.post_raw(token, "text/plain", b"grant_type=x".to_vec())
        .await
        .expect_error(415, "invalid_request", None);
}

async fn an_oversized_body_is_a_json_413(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut body = otp_body(&fresh_email(), "123456");
    body["padding"] = Value::String("x".repeat(200 * 1024));
    let bytes = serde_json::to_vec(&body).expect("serializable");
    app.post_raw("/oauth/token", "application/json", bytes)
        .await
        .expect_error(413, "invalid_request", None);
}

async fn unknown_routes_and_methods_are_json_errors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.get("/no/such/route")
        .await
        .expect_error(404, "not_found", None);
    let reply = app.get("/oauth/token").await;
    reply.expect_error(405, "method_not_allowed", None);
    assert!(reply.header("allow").is_some_and(|a| a.contains("POST")));
}

sesame_e2e::on_every_backend!(
    a_wrong_code_is_an_invalid_grant_worded_for_its_connection,
    an_unknown_recipient_gets_exactly_the_wrong_code_answer,
    an_expired_code_is_refused_as_expired,
    the_third_wrong_code_kills_the_challenge,
    a_grant_the_client_lacks_is_unauthorized_client,
    a_confidential_client_with_a_bad_secret_is_access_denied,
    missing_parameters_are_named,
    an_unknown_grant_type_is_unsupported,
    malformed_bodies_are_oauth_errors_never_server_errors,
    an_oversized_body_is_a_json_413,
    unknown_routes_and_methods_are_json_errors,
);
