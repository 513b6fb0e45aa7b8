//! Refresh tokens over HTTP: rotation, reuse detection that revokes the
//! whole family, and revocation through `POST /oauth/revoke`.
#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use serde_json::json;
use sesame_e2e::jwt::verify;
use sesame_e2e::{
    Backend, FULL_SCOPE, NATIVE_CLIENT, RS256_API, TestApp, WEB_CLIENT, WEB_SECRET, fresh_email,
};

const INVALID: &str = "Unknown or invalid refresh token.";

fn refresh_token(tokens: &serde_json::Value) -> String {
    tokens["refresh_token"]
        .as_str()
        .unwrap_or_else(|| panic!("no refresh token in {tokens}"))
        .to_owned()
}

async fn a_refresh_rotates_the_token_and_keeps_scope_and_audience(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = app.login(&fresh_email()).await;
    let old = refresh_token(&first);

    let reply = app.refresh(&old).await;
    let second = reply.expect_status(200);
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    let new = refresh_token(second);
    assert_ne!(new, old, "the refresh token rotates");
    assert_eq!(second["scope"], FULL_SCOPE);
    let jwks = app.jwks().await;
    let access = verify(
        second["access_token"].as_str().expect("an access token"),
        &jwks,
        &app.issuer,
        RS256_API,
    );
    let first_access = verify(
        first["access_token"].as_str().expect("an access token"),
        &jwks,
        &app.issuer,
        RS256_API,
    );
    assert_eq!(access.claims["sub"], first_access.claims["sub"]);
    assert!(
        second["id_token"].is_string(),
        "openid was granted: {second}"
    );

    // The replacement works in turn.
    let third = app.refresh(&new).await;
    assert_ne!(refresh_token(third.expect_status(200)), new);
}

async fn reusing_a_spent_refresh_token_revokes_the_whole_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let tokens = app.login(&who).await;
    let old = refresh_token(&tokens);
    let new = refresh_token(app.refresh(&old).await.expect_status(200));

    app.refresh(&old)
        .await
        .expect_error(403, "invalid_grant", Some(INVALID));
    // The thief may have raced the owner: the replacement is dead too.
    app.refresh(&new)
        .await
        .expect_error(403, "invalid_grant", Some(INVALID));
    // Other sessions of the same user are untouched.
    let other = app.login(&who).await;
    app.refresh(&refresh_token(&other)).await.expect_status(200);
}

async fn a_refresh_token_from_another_client_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let tokens = app.login(&fresh_email()).await;
    let token = refresh_token(&tokens);
    let reply = app
        .token_json(&json!({
            "grant_type": "refresh_token",
            "client_id": WEB_CLIENT,
            "client_secret": WEB_SECRET,
            "refresh_token": token,
        }))
        .await;
    reply.expect_error(403, "invalid_grant", Some(INVALID));
    // A leaked token is burned for its owner as well.
    app.refresh(&token)
        .await
        .expect_error(403, "invalid_grant", Some(INVALID));
}

async fn an_unknown_or_missing_refresh_token_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.refresh("not-a-real-refresh-token")
        .await
        .expect_error(403, "invalid_grant", Some(INVALID));
    app.token_json(&json!({"grant_type": "refresh_token", "client_id": NATIVE_CLIENT}))
        .await
        .expect_error(
            400,
            "invalid_request",
            Some("Missing required parameter: refresh_token"),
        );
}

async fn revoking_a_refresh_token_ends_its_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let tokens = app.login(&fresh_email()).await;
    let old = refresh_token(&tokens);
    let new = refresh_token(app.refresh(&old).await.expect_status(200));

    let reply = app.revoke(&new).await;
    reply.expect_status(200);
    app.refresh(&new)
        .await
        .expect_error(403, "invalid_grant", Some(INVALID));

    // Revoking something unknown succeeds and reveals nothing.
    app.revoke("never-issued").await.expect_status(200);
    // A bad client is refused.
    app.post_json(
        "/oauth/revoke",
        &json!({"client_id": WEB_CLIENT, "client_secret": "wrong-secret-0123456789", "token": new}),
    )
    .await
    .expect_error(401, "access_denied", None);
}

async fn another_client_cannot_revoke_a_token_it_does_not_own(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let tokens = app.login(&fresh_email()).await;
    let token = refresh_token(&tokens);
    app.post_json(
        "/oauth/revoke",
        &json!({"client_id": WEB_CLIENT, "client_secret": WEB_SECRET, "token": token}),
    )
    .await
    .expect_status(200);
    app.refresh(&token).await.expect_status(200);
}

sesame_e2e::on_every_backend!(
    a_refresh_rotates_the_token_and_keeps_scope_and_audience,
    reusing_a_spent_refresh_token_revokes_the_whole_family,
    a_refresh_token_from_another_client_is_refused,
    an_unknown_or_missing_refresh_token_is_refused,
    revoking_a_refresh_token_ends_its_family,
    another_client_cannot_revoke_a_token_it_does_not_own,
);
