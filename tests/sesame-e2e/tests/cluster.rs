//! Two instances on one PostgreSQL database and one Redis prefix, with one
//! secret and one issuer, behave as one server: what one issues, the other
//! honours, exactly once.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use std::sync::Arc;

use serde_json::Value;
use sesame_e2e::jwt::verify;
use sesame_e2e::{Backend, NATIVE_CLIENT, Options, RS256_API, Storage, TestApp, fresh_email};

/// Two nodes of one deployment, started at the same time on empty storage,
/// both with `options` and node A's issuer.
async fn two_nodes(options: Options) -> (TestApp, TestApp) {
    let storage = Arc::new(Storage::create(Backend::PostgresRedis).await);
    // The issuer is the deployment's public URL; node A's will do.
    let a = TestApp::spawn_on(Arc::clone(&storage), options.clone()).await;
    let b_options = Options {
        issuer: Some(a.issuer.clone()),
        ..options
    };
    let b = TestApp::spawn_on(storage, b_options).await;
    (a, b)
}

fn str_of<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key].as_str().expect("a string property")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_issued_by_one_node_is_redeemed_once_through_the_other() {
    let (a, b) = two_nodes(Options::default()).await;
    let who = fresh_email();
    let code = a.issue_code(&who).await;
    assert_eq!(b.outbox.count(), 0, "node B sent nothing");

    let reply = b.token_otp_json(&who, &code).await;
    let tokens = reply.expect_status(200).clone();
    a.token_otp_json(&who, &code).await.expect_error(
        403,
        "invalid_grant",
        Some("Wrong email or verification code."),
    );

    // Tokens minted by B verify against A's JWKS, and A's /userinfo takes them.
    let access = verify(
        str_of(&tokens, "access_token"),
        &a.jwks().await,
        &a.issuer,
        RS256_API,
    );
    let info = a.userinfo(str_of(&tokens, "access_token")).await;
    assert_eq!(info.expect_status(200)["sub"], access.claims["sub"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_token_from_one_node_rotates_through_the_other() {
    let (a, b) = two_nodes(Options::default()).await;
    let tokens = a.login(&fresh_email()).await;
    let old = str_of(&tokens, "refresh_token").to_owned();

    let rotated = b.refresh(&old).await;
    let new = str_of(rotated.expect_status(200), "refresh_token").to_owned();
    assert_ne!(new, old);
    // Reuse through A is caught, and takes B's replacement down with it.
    a.refresh(&old)
        .await
        .expect_error(403, "invalid_grant", None);
    b.refresh(&new)
        .await
        .expect_error(403, "invalid_grant", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_nodes_serve_the_same_keys() {
    let (a, b) = two_nodes(Options::default()).await;
    let from_a = a.get("/.well-known/jwks.json").await;
    let from_b = b.get("/.well-known/jwks.json").await;
    assert_eq!(from_a.expect_status(200), from_b.expect_status(200));
    let tokens = a.login(&fresh_email()).await;
    let _ = verify(
        str_of(&tokens, "id_token"),
        &b.jwks().await,
        &a.issuer,
        NATIVE_CLIENT,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nodes_started_at_once_on_empty_storage_agree_on_their_keys() {
    let storage = Arc::new(Storage::create(Backend::PostgresRedis).await);
    let (a, b) = tokio::join!(
        TestApp::spawn_on(Arc::clone(&storage), Options::default()),
        TestApp::spawn_on(Arc::clone(&storage), Options::default()),
    );
    let from_a = a.get("/.well-known/jwks.json").await;
    let from_b = b.get("/.well-known/jwks.json").await;
    assert_eq!(from_a.expect_status(200), from_b.expect_status(200));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_are_shared_between_nodes() {
    let options = Options {
        start_per_recipient_ip_per_15min: 2,
        ..Options::default()
    };
    let (a, b) = two_nodes(options).await;
    let who = fresh_email();
    a.start_for(&who).await.expect_status(200);
    b.start_for(&who).await.expect_status(200);
    a.start_for(&who)
        .await
        .expect_error(429, "too_many_requests", None);
}
