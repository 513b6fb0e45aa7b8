//! DPoP through the real server, on every backend: the real proof verifier
//! (`sesame-token-jwt`) and replay store (SQLite; Redis beside Postgres), the
//! nonce round trip, `/userinfo` with the `DPoP` scheme, and a bound refresh.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use serde_json::Value;
use sesame_e2e::api::otp_body;
use sesame_e2e::{Backend, NATIVE_CLIENT, Reply, TestApp, fresh_email};
use sesame_testkit::dpop::DpopKey;

/// `POST /oauth/token` with `body` (JSON) and DPoP proof `proof`.
async fn token_with(app: &TestApp, body: &Value, proof: &str) -> Reply {
    app.send(
        app.client
            .post(app.url("/oauth/token"))
            .header("DPoP", proof)
            .json(body),
    )
    .await
}

async fn a_native_app_gets_dpop_bound_tokens_and_uses_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let key = DpopKey::es256_test_key(0);
    let token_url = format!("{}oauth/token", app.issuer);
    let userinfo_url = format!("{}userinfo", app.issuer);
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let body = otp_body(&who, &code);

    let first = token_with(&app, &body, &key.proof("POST", &token_url).sign()).await;
    first.expect_error(400, "use_dpop_nonce", None);
    let nonce = first.header("dpop-nonce").expect("a DPoP-Nonce").to_owned();
    let proof = key.proof("POST", &token_url).nonce(Some(&nonce)).sign();
    let login = token_with(&app, &body, &proof).await;
    let tokens = login.expect_status(200).clone();
    assert_eq!(tokens["token_type"], "DPoP");
    let access = tokens["access_token"].as_str().expect("an access token");

    // The same proof again: a replay.
    token_with(&app, &body, &proof).await.expect_error(
        400,
        "invalid_dpop_proof",
        Some("DPoP proof jti was already used"),
    );

    app.userinfo(access)
        .await
        .expect_error(401, "invalid_token", None);
    let proof = key.proof("GET", &userinfo_url).access_token(access).sign();
    let me = app
        .send(
            app.client
                .get(app.url("/userinfo"))
                .header("Authorization", format!("DPoP {access}"))
                .header("DPoP", proof),
        )
        .await;
    assert_eq!(me.expect_status(200)["email"], who.as_str());

    let refresh = serde_json::json!({
        "grant_type": "refresh_token",
        "client_id": NATIVE_CLIENT,
        "refresh_token": tokens["refresh_token"].as_str().expect("a refresh token"),
    });
    let other = DpopKey::es256_test_key(1)
        .proof("POST", &token_url)
        .nonce(Some(&nonce))
        .sign();
    token_with(&app, &refresh, &other)
        .await
        .expect_error(400, "invalid_dpop_proof", None);
    let again = token_with(
        &app,
        &refresh,
        &key.proof("POST", &token_url).nonce(Some(&nonce)).sign(),
    )
    .await;
    assert_eq!(again.expect_status(200)["token_type"], "DPoP");
}

sesame_e2e::on_every_backend!(a_native_app_gets_dpop_bound_tokens_and_uses_them);
