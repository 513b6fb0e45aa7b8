//! `sesame users list|get|block|unblock|delete`: against the store a
//! running server uses, by address, number or id (or a Management API
//! `q`); `--json` in the Management API's shape; exit 1 for no such user
//! and 2 for a usage error.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

#[path = "keys/support.rs"]
#[expect(dead_code, reason = "the key tests' helpers, shared; these use some")]
mod support;

use std::sync::Arc;

use sesame_e2e::{Backend, Options, Storage, TestApp, fresh_email};

use crate::support::{sesame, succeeded};

#[tokio::test]
async fn an_operator_finds_blocks_unblocks_and_deletes_a_user_from_the_command_line() {
    let storage = Arc::new(Storage::create(Backend::Sqlite).await);
    let options = Options::default();
    let app = TestApp::spawn_on(Arc::clone(&storage), options.clone()).await;
    let who = fresh_email();
    app.login(&who).await;

    let got = succeeded(
        &sesame(
            &storage,
            &options,
            &["users", "get", who.as_str(), "--json"],
        )
        .await,
    );
    let user: serde_json::Value = serde_json::from_str(got.trim()).expect("one JSON object");
    assert_eq!(user["email"], who.as_str());
    assert_eq!(user["logins_count"], 1);
    assert_eq!(user["blocked"], false);
    let id = user["user_id"].as_str().expect("a user id").to_owned();

    let code = app.issue_code(&who).await;
    let blocked = succeeded(&sesame(&storage, &options, &["users", "block", &id, "--json"]).await);
    assert!(blocked.contains("\"blocked\":true"), "{blocked}");
    // The running server sees it: a code sent before the block is refused.
    app.token_otp_json(&who, &code).await.expect_error(
        401,
        "unauthorized",
        Some("user is blocked"),
    );

    let text = succeeded(&sesame(&storage, &options, &["users", "unblock", who.as_str()]).await);
    assert!(text.contains("blocked      false"), "{text}");
    app.login(&who).await;

    let q = format!("user_id:\"{id}\"");
    let listed = succeeded(&sesame(&storage, &options, &["users", "list", &q, "--json"]).await);
    assert_eq!(listed.lines().count(), 1, "{listed}");
    assert!(listed.contains(&id), "{listed}");
    let bad = sesame(&storage, &options, &["users", "list", "name:jane"]).await;
    assert_eq!(bad.status.code(), Some(1), "a q the Management API refuses");

    let deleted = succeeded(&sesame(&storage, &options, &["users", "delete", who.as_str()]).await);
    assert!(deleted.contains(&id), "{deleted}");
    let gone = sesame(&storage, &options, &["users", "get", &id]).await;
    assert_eq!(gone.status.code(), Some(1));

    let missing = sesame(&storage, &options, &["users", "get", "nobody@example.com"]).await;
    assert_eq!(missing.status.code(), Some(1));
    let usage = sesame(&storage, &options, &["users", "get", "not-a-user"]).await;
    assert_eq!(usage.status.code(), Some(2));
    let usage = sesame(&storage, &options, &["users", "purge", who.as_str()]).await;
    assert_eq!(usage.status.code(), Some(2));
}
