//! Enumeration over HTTP (issue 15 §3): with sign-ups disabled, a member's
//! address and a stranger's get the same answers, start to "maximum
//! attempts", and the start is answered before the provider is called.

use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use sesame_domain::Recipient;
use sesame_e2e::{Backend, Options, Storage, TestApp, fresh_email};

/// A server with sign-ups closed, on storage where `member` has an account.
async fn closed_with_a_member(backend: Backend) -> (TestApp, Recipient) {
    let storage = Arc::new(Storage::create(backend).await);
    let open = TestApp::spawn_on(Arc::clone(&storage), Options::default()).await;
    let member = fresh_email();
    let _ = open.login(&member).await;
    let issuer = open.issuer.clone();
    open.shutdown().await;
    let closed = Options {
        disable_signup: true,
        issuer: Some(issuer),
        ..Options::default()
    };
    (TestApp::spawn_on(storage, closed).await, member)
}

/// Status and body of: a start (its address masked), then five wrong codes.
async fn answers(app: &TestApp, who: &Recipient) -> Vec<(u16, Value)> {
    let mut seen = Vec::new();
    let start = app.start_for(who).await;
    let mut body = start.body.clone();
    assert_eq!(body["email"], who.as_str());
    body["email"] = "<masked>".into();
    body["_id"] = "<masked>".into();
    seen.push((start.status.as_u16(), body));
    for _ in 0..5 {
        // Nobody has the code yet: the provider is held.
        let reply = app.token_otp_json(who, "000000").await;
        seen.push((reply.status.as_u16(), reply.body.clone()));
    }
    seen
}

async fn a_member_and_a_stranger_get_the_same_answers(backend: Backend) {
    let (app, member) = closed_with_a_member(backend).await;
    app.outbox.hold();
    let member_answers = answers(&app, &member).await;
    let stranger_answers = answers(&app, &fresh_email()).await;
    assert_eq!(member_answers, stranger_answers);
    assert_eq!(
        member_answers[3].1["error_description"],
        "You've reached the maximum number of attempts. Please try to login again.",
        "{member_answers:?}"
    );
    app.outbox.release();
}

async fn the_start_is_answered_while_the_provider_is_still_held(backend: Backend) {
    let (app, member) = closed_with_a_member(backend).await;
    app.outbox.hold();
    app.start_for(&member).await.expect_status(200);
    assert!(
        app.outbox.wait_for_held(1, Duration::from_secs(10)).await,
        "the member's message never reached the provider"
    );
    assert_eq!(app.outbox.count(), 0, "answered only after sending");
    app.start_for(&fresh_email()).await.expect_status(200);
    app.outbox.release();
    assert!(
        app.outbox.wait_for_count(1, Duration::from_secs(10)).await,
        "the held message was not sent once released"
    );
    assert!(!app.code_for(&member).is_empty());
}

sesame_e2e::on_every_backend!(
    a_member_and_a_stranger_get_the_same_answers,
    the_start_is_answered_while_the_provider_is_still_held,
);
