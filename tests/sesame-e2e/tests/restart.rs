//! A restart loses nothing: signing keys, users, refresh tokens, pending
//! codes and the secret that keys them all outlive the process.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use std::sync::Arc;

use sesame_e2e::jwt::verify;
use sesame_e2e::{Backend, NATIVE_CLIENT, Options, RS256_API, Storage, TestApp, fresh_email};

/// The same deployment (storage and issuer) as `old`, after `old` stops.
async fn restart(old: TestApp) -> TestApp {
    let storage = Arc::clone(&old.storage);
    let options = Options {
        issuer: Some(old.issuer.clone()),
        ..Options::default()
    };
    old.shutdown().await;
    TestApp::spawn_on(storage, options).await
}

async fn tokens_and_users_survive_a_restart(backend: Backend) {
    let storage = Arc::new(Storage::create(backend).await);
    let first = TestApp::spawn_on(storage, Options::default()).await;
    let who = fresh_email();
    let tokens = first.login(&who).await;
    let access = tokens["access_token"].as_str().expect("an access token");
    let old_keys = first.jwks().await;
    let sub = verify(access, &old_keys, &first.issuer, RS256_API).claims["sub"].clone();

    let second = restart(first).await;
    // The old access token still verifies: the keys were kept.
    let again = verify(access, &second.jwks().await, &second.issuer, RS256_API);
    assert_eq!(again.claims["sub"], sub);
    assert_eq!(
        second.userinfo(access).await.expect_status(200)["email"],
        who.as_str()
    );
    // The user is the same user.
    let next = second.login(&who).await;
    let id = verify(
        next["id_token"].as_str().expect("an id token"),
        &second.jwks().await,
        &second.issuer,
        NATIVE_CLIENT,
    );
    assert_eq!(id.claims["sub"], sub);
    // The refresh token issued before the restart still rotates.
    second
        .refresh(tokens["refresh_token"].as_str().expect("a refresh token"))
        .await
        .expect_status(200);
}

async fn a_code_sent_before_a_restart_is_redeemed_after_it(backend: Backend) {
    let storage = Arc::new(Storage::create(backend).await);
    let first = TestApp::spawn_on(storage, Options::default()).await;
    let who = fresh_email();
    let code = first.issue_code(&who).await;
    let second = restart(first).await;
    second.token_otp_json(&who, &code).await.expect_status(200);
}

sesame_e2e::on_every_backend!(
    tokens_and_users_survive_a_restart,
    a_code_sent_before_a_restart_is_redeemed_after_it,
);
