//! Scopes over HTTP on every backend: a scope the API does not define never
//! reaches an access token, through every grant that mints one (OTP, a
//! magic link's code, refresh), and the token response says what was
//! granted.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use serde_json::{Value, json};
use sesame_e2e::api::otp_body;
use sesame_e2e::callback::param;
use sesame_e2e::jwt::verify;
use sesame_e2e::link::{LinkLogin, code_grant, location_pairs};
use sesame_e2e::{
    Backend, CALLBACK, NATIVE_CLIENT, REFRESHING_LINK_CLIENT, RS256_API, RS256_API_PERMISSION,
    TestApp, fresh_email,
};

/// What the attacker asks for: their own login, plus a permission the API
/// does not define.
const ASKED: &str = "openid email offline_access read:messages admin:all";

/// Asserts the token response and its access token carry exactly `scope`.
async fn assert_granted(app: &TestApp, tokens: &Value, scope: &str) {
    assert_eq!(tokens["scope"], scope, "the response says what was granted");
    let access = verify(
        tokens["access_token"].as_str().expect("an access token"),
        &app.jwks().await,
        &app.issuer,
        RS256_API,
    );
    assert_eq!(access.claims["scope"], scope);
}

/// Refreshes `tokens`' refresh token as `client_id` with `scope`.
async fn refresh(app: &TestApp, client_id: &str, tokens: &Value, scope: Option<&str>) -> Value {
    let mut body = json!({
        "grant_type": "refresh_token",
        "client_id": client_id,
        "refresh_token": tokens["refresh_token"].as_str().expect("a refresh token"),
    });
    if let Some(s) = scope {
        body["scope"] = s.into();
    }
    app.token_json(&body).await.expect_status(200).clone()
}

async fn an_undefined_scope_is_dropped_by_the_otp_grant_and_by_refresh(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let mut body = otp_body(&who, &code);
    body["scope"] = ASKED.into();
    let tokens = app.token_json(&body).await.expect_status(200).clone();
    let granted = format!("openid email offline_access {RS256_API_PERMISSION}");
    assert_granted(&app, &tokens, &granted).await;

    let refreshed = refresh(&app, NATIVE_CLIENT, &tokens, None).await;
    assert_granted(&app, &refreshed, &granted).await;
    // Narrowing works; asking for the dropped scope again is refused.
    let narrowed = refresh(&app, NATIVE_CLIENT, &refreshed, Some(RS256_API_PERMISSION)).await;
    assert_granted(&app, &narrowed, RS256_API_PERMISSION).await;
    app.token_json(&json!({
        "grant_type": "refresh_token",
        "client_id": NATIVE_CLIENT,
        "refresh_token": narrowed["refresh_token"],
        "scope": "openid admin:all",
    }))
    .await
    .expect_error(400, "invalid_scope", None);
}

async fn an_undefined_scope_is_dropped_by_the_link_code_exchange_and_by_refresh(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let login = LinkLogin::new(REFRESHING_LINK_CLIENT);
    let extra = json!({"scope": ASKED, "audience": RS256_API});
    let link = app.issue_link(&who, &login.start_body(&who, &extra)).await;
    let location = app.redirect_of(&link).await;
    let pairs = location_pairs(&location, false);
    let code = param(&pairs, "code").expect("a code");
    let grant = code_grant(REFRESHING_LINK_CLIENT, code, CALLBACK, &login.pkce.verifier);
    let tokens = app.token_json(&grant).await.expect_status(200).clone();
    let granted = format!("openid email offline_access {RS256_API_PERMISSION}");
    assert_granted(&app, &tokens, &granted).await;

    let refreshed = refresh(&app, REFRESHING_LINK_CLIENT, &tokens, None).await;
    assert_granted(&app, &refreshed, &granted).await;
}

sesame_e2e::on_every_backend!(
    an_undefined_scope_is_dropped_by_the_otp_grant_and_by_refresh,
    an_undefined_scope_is_dropped_by_the_link_code_exchange_and_by_refresh,
);
