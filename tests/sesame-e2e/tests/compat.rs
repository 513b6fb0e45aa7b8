//! Auth0 behaviours an app relies on without thinking about them: what the
//! start request's `authParams` carry into the tokens, which code is the
//! valid one, what scopes yield, and browsers calling from a web origin.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use serde_json::{Value, json};
use sesame_e2e::api::{otp_body, start_body};
use sesame_e2e::jwt::{audiences, verify};
use sesame_e2e::{
    Backend, ES256_API, FULL_SCOPE, NATIVE_CLIENT, RS256_API, TestApp, WEB_ORIGIN, fresh_email,
};

fn str_of<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key].as_str().expect("a string property")
}

async fn auth_params_given_at_start_shape_the_tokens(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let mut start = start_body(&who);
    start["authParams"] = json!({
        "audience": ES256_API,
        "scope": "openid email",
        "nonce": "n-0S6_WzA2Mj",
        "state": "af0ifjsldkj",
    });
    app.start(&start).await.expect_status(200);
    let code = app.code_for(&who);
    let mut body = otp_body(&who, &code);
    for absent in ["audience", "scope"] {
        body.as_object_mut().map(|o| o.remove(absent));
    }
    let reply = app.token_json(&body).await;
    let tokens = reply.expect_status(200);
    assert_eq!(tokens["scope"], "openid email");
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    let jwks = app.jwks().await;
    let access = verify(
        str_of(tokens, "access_token"),
        &jwks,
        &app.issuer,
        ES256_API,
    );
    assert_eq!(audiences(&access.claims)[0], ES256_API);
    let id = verify(
        str_of(tokens, "id_token"),
        &jwks,
        &app.issuer,
        NATIVE_CLIENT,
    );
    assert_eq!(id.claims["nonce"], "n-0S6_WzA2Mj");
}

async fn only_the_latest_code_for_an_address_is_valid(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let first = app.issue_code(&who).await;
    let second = app.issue_code(&who).await;
    if first != second {
        app.token_otp_json(&who, &first)
            .await
            .expect_error(403, "invalid_grant", None);
    }
    app.token_otp_json(&who, &second).await.expect_status(200);
    // And it is single use.
    app.token_otp_json(&who, &second).await.expect_error(
        403,
        "invalid_grant",
        Some("Wrong email or verification code."),
    );
}

async fn a_code_is_bound_to_the_client_that_asked_for_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let mut body = otp_body(&who, &code);
    body["client_id"] = sesame_e2e::UNTRUSTED_CLIENT.into();
    body["client_secret"] = sesame_e2e::UNTRUSTED_SECRET.into();
    app.token_json(&body)
        .await
        .expect_error(403, "invalid_grant", None);
    app.token_otp_json(&who, &code).await.expect_status(200);
}

async fn the_email_domain_is_case_insensitive(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let shouted = who.as_str().replace("@example.com", "@EXAMPLE.Com");
    let mut start = start_body(&who);
    start["email"] = shouted.clone().into();
    let started = app.start(&start).await;
    assert_eq!(started.expect_status(200)["email"], who.as_str());
    let code = app.code_for(&who);
    app.token_otp_json(&who, &code).await.expect_status(200);
}

async fn an_unknown_audience_is_refused_without_spending_the_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let mut body = otp_body(&who, &code);
    body["audience"] = "https://unknown.api.e2e.test/".into();
    app.token_json(&body).await.expect_error(
        403,
        "access_denied",
        Some("Service not found: https://unknown.api.e2e.test/"),
    );
    // A typo in the app's configuration must not burn the user's code, as
    // a refused refresh scope does not burn the refresh token.
    app.token_otp_json(&who, &code).await.expect_status(200);
}

async fn a_scope_without_openid_or_offline_access_gets_only_an_access_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let mut body = otp_body(&who, &code);
    body["scope"] = "profile".into();
    let reply = app.token_json(&body).await;
    let tokens = reply.expect_status(200);
    assert!(tokens["access_token"].is_string());
    assert!(tokens.get("id_token").is_none(), "{tokens}");
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    assert_eq!(reply.header("pragma"), Some("no-cache"));
}

async fn a_refresh_may_narrow_the_scope_but_not_widen_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let tokens = app.login(&fresh_email()).await;
    assert_eq!(tokens["scope"], FULL_SCOPE);
    let token = str_of(&tokens, "refresh_token");
    let mut wider = json!({
        "grant_type": "refresh_token",
        "client_id": NATIVE_CLIENT,
        "refresh_token": token,
        "scope": "openid admin",
    });
    // RFC 6749 §5.2: invalid_scope is a 400.
    app.token_json(&wider)
        .await
        .expect_error(400, "invalid_scope", None);
    // The refused request did not spend the token.
    wider["scope"] = "openid".into();
    let narrowed = app.token_json(&wider).await;
    let body = narrowed.expect_status(200);
    assert_eq!(body["scope"], "openid");
    let access = verify(
        str_of(body, "access_token"),
        &app.jwks().await,
        &app.issuer,
        RS256_API,
    );
    assert_eq!(access.claims["scope"], "openid");
}

async fn a_registered_web_origin_may_call_from_a_browser(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let preflight = |origin: &str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/oauth/token"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "content-type")
    };
    let allowed = app.send(preflight(WEB_ORIGIN)).await;
    assert!(
        allowed.status.is_success(),
        "{} {}",
        allowed.status,
        allowed.text
    );
    assert_eq!(
        allowed.header("access-control-allow-origin"),
        Some(WEB_ORIGIN)
    );
    let foreign = app.send(preflight("https://evil.example")).await;
    assert_eq!(foreign.header("access-control-allow-origin"), None);
    // The real request exposes the rate-limit headers to the page.
    let start = app
        .send(
            app.client
                .post(app.url("/passwordless/start"))
                .header("origin", WEB_ORIGIN)
                .json(&start_body(&fresh_email())),
        )
        .await;
    start.expect_status(200);
    assert_eq!(
        start.header("access-control-allow-origin"),
        Some(WEB_ORIGIN)
    );
    let exposed = start
        .header("access-control-expose-headers")
        .unwrap_or_default()
        .to_ascii_lowercase();
    assert!(exposed.contains("x-ratelimit-remaining"), "{exposed:?}");
}

sesame_e2e::on_every_backend!(
    auth_params_given_at_start_shape_the_tokens,
    only_the_latest_code_for_an_address_is_valid,
    a_code_is_bound_to_the_client_that_asked_for_it,
    the_email_domain_is_case_insensitive,
    an_unknown_audience_is_refused_without_spending_the_code,
    a_scope_without_openid_or_offline_access_gets_only_an_access_token,
    a_refresh_may_narrow_the_scope_but_not_widen_it,
    a_registered_web_origin_may_call_from_a_browser,
);
