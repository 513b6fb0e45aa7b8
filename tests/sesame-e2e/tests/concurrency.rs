//! Races over HTTP: a code or a refresh token presented many times at once
//! is honoured exactly once.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use futures::future::join_all;
use sesame_e2e::{Backend, Reply, TestApp, fresh_email};

const RACERS: usize = 20;

fn winners(replies: &[Reply]) -> usize {
    for r in replies {
        assert!(
            r.status.as_u16() == 200 || r.status.as_u16() == 403,
            "neither a win nor a clean refusal: {} {}",
            r.status,
            r.text
        );
    }
    replies.iter().filter(|r| r.status.as_u16() == 200).count()
}

async fn twenty_simultaneous_redemptions_of_one_code_succeed_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let replies = join_all((0..RACERS).map(|_| app.token_otp_json(&who, &code))).await;
    assert_eq!(winners(&replies), 1, "exactly one redemption wins");
    for r in replies.iter().filter(|r| r.status.as_u16() == 403) {
        r.expect_error(403, "invalid_grant", None);
    }
}

async fn twenty_simultaneous_refreshes_of_one_token_succeed_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let tokens = app.login(&fresh_email()).await;
    let token = tokens["refresh_token"].as_str().expect("a refresh token");
    let replies = join_all((0..RACERS).map(|_| app.refresh(token))).await;
    assert_eq!(winners(&replies), 1, "exactly one rotation wins");
}

async fn twenty_simultaneous_logins_of_different_users_all_succeed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let people: Vec<_> = (0..RACERS).map(|_| fresh_email()).collect();
    let started = join_all(people.iter().map(|who| app.start_for(who))).await;
    for reply in &started {
        reply.expect_status(200);
    }
    let codes: Vec<String> = people.iter().map(|who| app.code_for(who)).collect();
    let redeemed = join_all(
        people
            .iter()
            .zip(&codes)
            .map(|(who, code)| app.token_otp_json(who, code)),
    )
    .await;
    for reply in &redeemed {
        reply.expect_status(200);
    }
    let refreshed = join_all(
        redeemed
            .iter()
            .map(|r| app.refresh(r.str("refresh_token").expect("a refresh token"))),
    )
    .await;
    for reply in &refreshed {
        reply.expect_status(200);
    }
}

sesame_e2e::on_every_backend!(
    twenty_simultaneous_redemptions_of_one_code_succeed_once,
    twenty_simultaneous_refreshes_of_one_token_succeed_once,
    twenty_simultaneous_logins_of_different_users_all_succeed,
);
