//! When the email or SMS provider fails: Auth0's documented errors, and no
//! code that never arrived can be redeemed.

use sesame_domain::Recipient;
use sesame_domain::ports::DeliveryError;
use sesame_e2e::{Backend, TestApp, fresh_email, fresh_phone};

const WRONG_EMAIL: &str = "Wrong email or verification code.";
const WRONG_PHONE: &str = "Wrong phone number or verification code.";

/// With no challenge stored, every guess is just "wrong": were the undelivered
/// challenge still there, the third guess would exhaust it and say so.
async fn assert_no_challenge_for(app: &TestApp, who: &Recipient, wrong: &str) {
    for guess in ["000000", "123456", "999999"] {
        app.token_otp_json(who, guess)
            .await
            .expect_error(403, "invalid_grant", Some(wrong));
    }
}

async fn an_email_provider_that_is_down_is_a_503_and_leaves_no_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.outbox
        .go_down(|| DeliveryError::Unavailable(anyhow::anyhow!("connection refused")));
    let who = fresh_email();
    let reply = app.start_for(&who).await;
    assert_eq!(reply.status.as_u16(), 503, "{}", reply.text);
    assert_eq!(reply.str("error"), Some("email_provider_error"));
    assert!(
        reply
            .str("error_description")
            .is_some_and(|d| d.starts_with("Unexpected response while calling the email provider")),
        "{}",
        reply.text
    );
    assert!(
        !reply.text.contains("connection refused"),
        "the provider's internals leak: {}",
        reply.text
    );
    assert_eq!((app.outbox.count(), app.outbox.refused()), (0, 1));
    assert_no_challenge_for(&app, &who, WRONG_EMAIL).await;

    app.outbox.recover();
    let code = app.issue_code(&who).await;
    app.token_otp_json(&who, &code).await.expect_status(200);
}

async fn an_sms_gateway_that_rejects_is_a_400_sms_provider_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.outbox
        .go_down(|| DeliveryError::Rejected("Invalid destination".to_owned()));
    let who = fresh_phone();
    app.start_for(&who).await.expect_error(
        400,
        "sms_provider_error",
        Some("Unexpected response while calling the SMS gateway: Invalid destination"),
    );
    assert_no_challenge_for(&app, &who, WRONG_PHONE).await;

    app.outbox.recover();
    app.outbox
        .fail_next(DeliveryError::Unavailable(anyhow::anyhow!("timeout")));
    let reply = app.start_for(&who).await;
    assert_eq!(
        (reply.status.as_u16(), reply.str("error")),
        (400, Some("sms_provider_error")),
        "{}",
        reply.text
    );
    assert!(
        reply
            .str("error_description")
            .is_some_and(|d| d.starts_with("Unexpected response while calling the SMS gateway: ")),
        "{}",
        reply.text
    );

    // The failure was one-off: the next start delivers a code that works.
    let code = app.issue_code(&who).await;
    app.token_otp_json(&who, &code).await.expect_status(200);
}

sesame_e2e::on_every_backend!(
    an_email_provider_that_is_down_is_a_503_and_leaves_no_code,
    an_sms_gateway_that_rejects_is_a_400_sms_provider_error,
);
