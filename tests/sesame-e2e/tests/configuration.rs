//! Settings an operator writes in the TOML file, seen from the outside:
//! code length, closed sign-ups and the attempt budget.

use std::sync::Arc;

use sesame_e2e::{Backend, Options, Storage, TestApp, fresh_email};

async fn the_configured_code_length_is_what_users_receive(backend: Backend) {
    let options = Options {
        code_length: 8,
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    assert_eq!(code.len(), 8, "an 8-digit code");
    app.token_otp_json(&who, &code).await.expect_status(200);
}

async fn with_sign_ups_closed_only_existing_users_get_codes(backend: Backend) {
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
    let app = TestApp::spawn_on(storage, closed).await;
    // A stranger gets the same answer as anyone, but no message.
    let stranger = fresh_email();
    let reply = app.start_for(&stranger).await;
    let body = reply.expect_status(200);
    assert_eq!(body["email"], stranger.as_str());
    assert_eq!(body["email_verified"], false);
    assert!(
        app.outbox.last_code_for(&stranger).is_none(),
        "nothing sent"
    );
    app.token_otp_json(&stranger, "123456").await.expect_error(
        403,
        "invalid_grant",
        Some("Wrong email or verification code."),
    );
    // A member still signs in; the code arrives after the answer.
    app.start_for(&member).await.expect_status(200);
    assert!(
        app.outbox
            .wait_for_count(1, std::time::Duration::from_secs(10))
            .await,
        "the member's code never arrived"
    );
    let code = app.code_for(&member);
    app.token_otp_json(&member, &code).await.expect_status(200);
}

async fn the_configured_attempt_budget_is_what_a_code_allows(backend: Backend) {
    let options = Options {
        max_attempts: 5,
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    let who = fresh_email();
    let code = app.issue_code(&who).await;
    let wrong = if code == "000000" { "111111" } else { "000000" };
    for _ in 0..4 {
        app.token_otp_json(&who, wrong).await.expect_error(
            403,
            "invalid_grant",
            Some("Wrong email or verification code."),
        );
    }
    // After four misses of five, the right code still works.
    app.token_otp_json(&who, &code).await.expect_status(200);
}

sesame_e2e::on_every_backend!(
    the_configured_code_length_is_what_users_receive,
    with_sign_ups_closed_only_existing_users_get_codes,
    the_configured_attempt_budget_is_what_a_code_allows,
);
