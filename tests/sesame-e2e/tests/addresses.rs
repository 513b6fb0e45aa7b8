//! One mailbox, one user: every spelling of an email address (case,
//! Unicode forms) is the same user, the same block and the same rate-limit
//! counter, and the answers show the normalised address.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use serde_json::{Value, json};
use sesame_domain::{Connection, Recipient, UserId};
use sesame_e2e::{Backend, FULL_SCOPE, NATIVE_CLIENT, OTP_GRANT, Options, RS256_API, TestApp};
use sesame_testkit::fixtures::unique_hex;

/// A fresh mailbox, as the user might type it and as Sesame keeps it.
fn mailbox() -> (String, String) {
    let tag = &unique_hex()[..12];
    (
        format!("Alice.{tag}@Example.COM"),
        format!("alice.{tag}@example.com"),
    )
}

fn normalised(address: &str) -> Recipient {
    Recipient::parse(Connection::Email, address).expect("a valid address")
}

async fn start_as(app: &TestApp, typed: &str) -> sesame_e2e::Reply {
    app.start(&json!({
        "client_id": NATIVE_CLIENT,
        "connection": "email",
        "email": typed,
        "send": "code",
    }))
    .await
}

/// Start and redeem as `typed`; the token response.
async fn login_as(app: &TestApp, typed: &str) -> Value {
    start_as(app, typed).await.expect_status(200);
    let code = app.code_for(&normalised(typed));
    app.token_json(&json!({
        "grant_type": OTP_GRANT,
        "client_id": NATIVE_CLIENT,
        "username": typed,
        "otp": code,
        "realm": "email",
        "scope": FULL_SCOPE,
        "audience": RS256_API,
    }))
    .await
    .expect_status(200)
    .clone()
}

/// `sub` and `email` of the user the tokens are for, from /userinfo.
async fn who(app: &TestApp, tokens: &Value) -> (String, String) {
    let access = tokens["access_token"].as_str().expect("an access token");
    let info = app.userinfo(access).await;
    let body = info.expect_status(200);
    (
        body["sub"].as_str().expect("sub").to_owned(),
        body["email"].as_str().expect("email").to_owned(),
    )
}

async fn logins_as_alice_and_as_alice_in_capitals_get_the_same_sub(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (typed, kept) = mailbox();
    let started = start_as(&app, &typed).await;
    assert_eq!(started.expect_status(200)["email"], kept.as_str());
    let first = who(&app, &login_as(&app, &typed).await).await;
    let second = who(&app, &login_as(&app, &kept).await).await;
    assert_eq!(first.0, second.0, "two users for one mailbox");
    assert_eq!(first.1, kept);
    assert_eq!(second.1, kept);
    // A full-width spelling, as an input method types it, is the same user.
    let wide: String = typed
        .chars()
        .map(|c| match c {
            '!'..='~' => char::from_u32(u32::from(c) + 0xfee0).expect("a full-width form"),
            other => other,
        })
        .collect();
    let third = who(&app, &login_as(&app, &wide).await).await;
    assert_eq!(third.0, first.0);
}

async fn a_blocked_user_cannot_escape_the_block_by_changing_case(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (typed, kept) = mailbox();
    let (sub, _) = who(&app, &login_as(&app, &kept).await).await;
    let users = app.users.as_ref().expect("an in-process server");
    let id = UserId::parse(&sub).expect("a user id");
    assert!(users.set_blocked(&id, true).await.expect("blocking"));
    let sent = app.outbox.count();
    for spelling in [typed.as_str(), &typed.to_uppercase()] {
        // The same answer as for anyone, but no code.
        start_as(&app, spelling).await.expect_status(200);
    }
    assert_eq!(app.outbox.count(), sent, "a code went to a blocked mailbox");
}

async fn every_spelling_of_an_address_counts_against_one_limit(backend: Backend) {
    let options = Options {
        start_per_recipient_ip_per_15min: 2,
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    let (typed, kept) = mailbox();
    start_as(&app, &kept).await.expect_status(200);
    start_as(&app, &typed).await.expect_status(200);
    start_as(&app, &typed.to_uppercase())
        .await
        .expect_error(429, "too_many_requests", None);
}

sesame_e2e::on_every_backend!(
    logins_as_alice_and_as_alice_in_capitals_get_the_same_sub,
    a_blocked_user_cannot_escape_the_block_by_changing_case,
    every_spelling_of_an_address_counts_against_one_limit,
);
