//! How clients may talk to `/oauth/token`: JSON or a form, the secret in
//! the body (client_secret_post) or in a URL-encoded Basic header
//! (client_secret_basic), and JSON `null` meaning "not sent".
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sesame_domain::Recipient;
use sesame_e2e::api::{form_pairs, otp_body, start_body};
use sesame_e2e::jwt::{audiences, verify};
use sesame_e2e::{Backend, NATIVE_CLIENT, TestApp, WEB_CLIENT, WEB_SECRET, fresh_email};

/// A code for `who`, started by the confidential web client.
async fn web_code(app: &TestApp, who: &Recipient) -> String {
    let mut body = start_body(who);
    body["client_id"] = WEB_CLIENT.into();
    body["client_secret"] = WEB_SECRET.into();
    app.start(&body).await.expect_status(200);
    app.code_for(who)
}

/// The web client's OTP grant for `who`, without credentials.
fn web_grant(who: &Recipient, code: &str) -> Value {
    let mut body = otp_body(who, code);
    body.as_object_mut().map(|o| o.remove("client_id"));
    body
}

/// `Basic base64(urlencode(id) ":" urlencode(secret))` (RFC 6749 §2.3.1).
fn basic(id: &str, secret: &str) -> String {
    let enc = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!(
        "Basic {}",
        STANDARD.encode(format!("{}:{}", enc(id), enc(secret)))
    )
}

fn azp(app_issuer: &str, jwks: &jsonwebtoken::jwk::JwkSet, tokens: &Value) -> Value {
    let access = verify(
        tokens["access_token"].as_str().expect("an access token"),
        jwks,
        app_issuer,
        &format!("{app_issuer}userinfo"),
    );
    access.claims["azp"].clone()
}

async fn client_secret_post_works_in_a_form_and_in_json(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let jwks = app.jwks().await;
    for as_form in [false, true] {
        let who = fresh_email();
        let code = web_code(&app, &who).await;
        let mut body = web_grant(&who, &code);
        body["client_id"] = WEB_CLIENT.into();
        body["client_secret"] = WEB_SECRET.into();
        let reply = if as_form {
            app.token_form(&body).await
        } else {
            app.token_json(&body).await
        };
        let tokens = reply.expect_status(200);
        assert_eq!(
            azp(&app.issuer, &jwks, tokens),
            WEB_CLIENT,
            "form: {as_form}"
        );
    }
}

async fn client_secret_basic_takes_url_encoded_credentials(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = web_code(&app, &who).await;
    let request = app
        .client
        .post(app.url("/oauth/token"))
        .header("authorization", basic(WEB_CLIENT, WEB_SECRET))
        .form(&form_pairs(&web_grant(&who, &code)));
    let reply = app.send(request).await;
    let tokens = reply.expect_status(200);
    assert_eq!(azp(&app.issuer, &app.jwks().await, tokens), WEB_CLIENT);

    // The same header with a wrong secret is refused like any bad secret.
    let who = fresh_email();
    let code = web_code(&app, &who).await;
    let request = app
        .client
        .post(app.url("/oauth/token"))
        .header(
            "authorization",
            basic(WEB_CLIENT, "wrong-secret-0123456789"),
        )
        .json(&web_grant(&who, &code));
    app.send(request)
        .await
        .expect_error(401, "access_denied", Some("Unauthorized"));
}

async fn basic_credentials_that_disagree_with_the_body_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = web_code(&app, &who).await;
    let mut body = web_grant(&who, &code);
    body["client_id"] = NATIVE_CLIENT.into();
    let request = app
        .client
        .post(app.url("/oauth/token"))
        .header("authorization", basic(WEB_CLIENT, WEB_SECRET))
        .json(&body);
    app.send(request)
        .await
        .expect_error(400, "invalid_request", None);
    let request = app
        .client
        .post(app.url("/oauth/token"))
        .header("authorization", "Basic %%%not-base64")
        .json(&web_grant(&who, &code));
    app.send(request)
        .await
        .expect_error(400, "invalid_request", None);
    // Neither refusal spent the code.
    let request = app
        .client
        .post(app.url("/oauth/token"))
        .header("authorization", basic(WEB_CLIENT, WEB_SECRET))
        .json(&web_grant(&who, &code));
    app.send(request).await.expect_status(200);
}

async fn json_null_means_the_property_was_not_sent(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let mut start = start_body(&who);
    start["client_secret"] = Value::Null;
    start["authParams"] = Value::Null;
    app.start(&start).await.expect_status(200);
    let code = app.code_for(&who);

    let mut body = otp_body(&who, &code);
    body["client_secret"] = Value::Null;
    body["audience"] = Value::Null;
    body["scope"] = Value::Null;
    body["redirect_uri"] = Value::Null;
    let reply = app.token_json(&body).await;
    let tokens = reply.expect_status(200);
    // No audience: an access token for /userinfo only; no scope: openid.
    let access = verify(
        tokens["access_token"].as_str().expect("an access token"),
        &app.jwks().await,
        &app.issuer,
        &format!("{}userinfo", app.issuer),
    );
    assert_eq!(
        audiences(&access.claims),
        [format!("{}userinfo", app.issuer)]
    );
    assert_eq!(tokens["scope"], "openid");
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");

    // A null required parameter is missing, not a wrong type.
    let mut body = otp_body(&fresh_email(), "123456");
    body["otp"] = Value::Null;
    app.token_json(&body).await.expect_error(
        400,
        "invalid_request",
        Some("Missing required parameter: otp"),
    );
}

async fn a_registered_redirect_uri_is_accepted_and_another_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let mut body = otp_body(&who, &code);
    body["redirect_uri"] = "https://evil.example/callback".into();
    app.token_json(&body)
        .await
        .expect_error(403, "unauthorized_client", None);
    body["redirect_uri"] = json!(sesame_e2e::CALLBACK);
    app.token_json(&body).await.expect_status(200);
}

sesame_e2e::on_every_backend!(
    client_secret_post_works_in_a_form_and_in_json,
    client_secret_basic_takes_url_encoded_credentials,
    basic_credentials_that_disagree_with_the_body_are_refused,
    json_null_means_the_property_was_not_sent,
    a_registered_redirect_uri_is_accepted_and_another_refused,
);
