//! `sesame keys rotate` and `sesame keys list` against a running
//! deployment of two servers on one PostgreSQL database and Redis.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sesame_e2e::{Backend, Options, Storage, TestApp, fresh_email};

use crate::scan::holds_a_private_key;
use crate::support::{access_token, kid_of, sesame, succeeded};

/// How long a server may take to see the rotation: far beyond the
/// configured one-second refresh, so only a real failure trips it.
const PICK_UP_LIMIT: Duration = Duration::from_secs(30);

/// The kid of the current key of `alg` in a `keys list` table.
fn current_kid(listing: &str, alg: &str) -> String {
    listing
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|cols| cols.get(1) == Some(&alg) && cols.get(2) == Some(&"current"))
        .and_then(|cols| cols.first().map(|kid| (*kid).to_owned()))
        .unwrap_or_else(|| panic!("no current {alg} key in\n{listing}"))
}

fn state_of<'a>(listing: &'a str, kid: &str) -> Option<&'a str> {
    listing
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>())
        .find(|cols| cols.first() == Some(&kid))
        .and_then(|cols| cols.get(2).copied())
}

/// Polls `node`'s JWKS until it publishes `kid`.
async fn wait_until_published(node: &TestApp, kid: &str) {
    let start = Instant::now();
    loop {
        let jwks = node.jwks().await;
        if jwks
            .keys
            .iter()
            .any(|k| k.common.key_id.as_deref() == Some(kid))
        {
            return;
        }
        assert!(
            start.elapsed() < PICK_UP_LIMIT,
            "{} never published {kid}",
            node.address
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_by_the_cli_reaches_two_running_servers_and_old_tokens_still_verify() {
    let storage = Arc::new(Storage::create(Backend::PostgresRedis).await);
    let options = Options {
        issuer: Some("http://127.0.0.1:9/".to_owned()),
        key_refresh_secs: 1,
        ..Options::default()
    };
    let a = TestApp::spawn_on(Arc::clone(&storage), options.clone()).await;
    let b = TestApp::spawn_on(Arc::clone(&storage), options.clone()).await;
    let who = fresh_email();
    let old_token = access_token(&a.login(&who).await);
    let old_kid = kid_of(&old_token);

    let said = succeeded(&sesame(&storage, &options, &["keys", "rotate"]).await);
    assert!(said.contains("rotated RS256"), "{said}");
    let listing = succeeded(&sesame(&storage, &options, &["keys", "list"]).await);
    let new_kid = current_kid(&listing, "RS256");
    assert_ne!(new_kid, old_kid);
    assert_eq!(state_of(&listing, &old_kid), Some("previous"), "{listing}");

    for node in [&a, &b] {
        wait_until_published(node, &new_kid).await;
        let fresh = access_token(&node.login(&who).await);
        assert_eq!(
            kid_of(&fresh),
            new_kid,
            "{} signs with the old key",
            node.address
        );
        node.userinfo(&old_token).await.expect_status(200);
        node.userinfo(&fresh).await.expect_status(200);
        let published: Vec<Option<String>> = node
            .jwks()
            .await
            .keys
            .iter()
            .map(|k| k.common.key_id.clone())
            .collect();
        assert!(published.contains(&Some(old_kid.clone())), "{published:?}");
    }

    let again = sesame(&storage, &options, &["keys", "rotate"]).await;
    assert!(
        !again.status.success(),
        "a second rotation dropped a live key"
    );
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("stays published until"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
    a.shutdown().await;
    b.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_list_shows_kid_alg_state_and_age_and_never_key_material() {
    let storage = Arc::new(Storage::create(Backend::Sqlite).await);
    let options = Options::default();
    let app = TestApp::spawn_on(Arc::clone(&storage), options.clone()).await;
    app.shutdown().await;
    let output = sesame(&storage, &options, &["keys", "list"]).await;
    let listing = succeeded(&output);
    let lines: Vec<&str> = listing.lines().collect();
    assert_eq!(
        lines
            .first()
            .map(|l| l.split_whitespace().collect::<Vec<_>>()),
        Some(vec!["KID", "ALG", "STATE", "AGE"])
    );
    // The default RS256 key and the e2e ES256 API's key.
    assert_eq!(lines.len(), 3, "{listing}");
    for alg in ["RS256", "ES256"] {
        current_kid(&listing, alg);
    }
    let everything = [output.stdout, output.stderr].concat();
    for word in String::from_utf8_lossy(&everything).split_whitespace() {
        assert!(!holds_a_private_key(word.as_bytes()), "key material shown");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_algorithm_is_refused_before_anything_is_opened() {
    let storage = Storage::create(Backend::Sqlite).await;
    let output = sesame(
        &storage,
        &Options::default(),
        &["keys", "rotate", "--alg", "HS256"],
    )
    .await;
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("is not RS256, ES256 or EdDSA"));
    assert!(
        storage.sqlite_path().is_some_and(|p| !p.exists()),
        "the store was opened"
    );
}
