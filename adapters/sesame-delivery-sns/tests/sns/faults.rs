//! Failures: dead or silent endpoints and error answers from SNS.
#![expect(
    clippy::expect_used,
    reason = "test helpers: a failed step should fail the test loudly"
)]

use sesame_delivery_sns::SnsConfig;
use sesame_domain::ports::{DeliveryError, SmsSender};

use crate::capture::{Capture, error_response};
use crate::support::{
    CODE, HANG_GUARD, closed_endpoint, config, sender, silent_endpoint, sms, unique_number,
};

/// Sends one message to a sender for `cfg` and returns the error.
async fn failure(cfg: &SnsConfig, body: &str) -> (DeliveryError, String) {
    let sender = sender(cfg).await;
    let to = unique_number();
    let err = tokio::time::timeout(HANG_GUARD, sender.send_sms(&sms(&to, body)))
        .await
        .expect("the send hung past its timeout")
        .expect_err("the send should fail");
    (err, to.as_str().to_owned())
}

#[tokio::test]
async fn an_emulator_that_is_down_is_unavailable() {
    let (err, _) = failure(&config(&closed_endpoint().await), "Code: 424242").await;
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn an_endpoint_that_never_answers_is_unavailable_within_the_timeout() {
    let cfg = SnsConfig {
        timeout_secs: 1,
        ..config(&silent_endpoint().await)
    };
    let (err, _) = failure(&cfg, "Code: 424242").await;
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn a_refusal_is_rejected_once_without_the_number_or_the_body() {
    // SNS quotes the offending number; make the fake quote the body too.
    let to = unique_number();
    let message = format!(
        "Invalid parameter: PhoneNumber Reason: {} is not valid (body: Code: {CODE})",
        to.as_str()
    );
    let fake = Capture::start(400, &error_response("Sender", "InvalidParameter", &message)).await;
    let sender = sender(&config(&fake.endpoint)).await;

    let err = sender
        .send_sms(&sms(&to, &format!("Code: {CODE}")))
        .await
        .unwrap_err();

    let DeliveryError::Rejected(detail) = &err else {
        panic!("expected Rejected, got {err:?}");
    };
    assert!(detail.contains("InvalidParameter"), "{detail}");
    assert!(!detail.contains(to.as_str()), "{detail}");
    assert!(!detail.contains(&to.as_str()[1..]), "{detail}");
    assert!(!detail.contains(CODE), "{detail}");
    assert!(!err.to_string().contains(to.as_str()));
    assert_eq!(fake.requests().len(), 1, "a refusal is not retried");
}

#[tokio::test]
async fn an_opted_out_number_is_rejected() {
    let xml = error_response("Sender", "OptedOut", "Phone number is opted out");
    let fake = Capture::start(400, &xml).await;
    let (err, _) = failure(&config(&fake.endpoint), "Code: 424242").await;
    let DeliveryError::Rejected(detail) = &err else {
        panic!("expected Rejected, got {err:?}");
    };
    assert_eq!(detail, "SNS OptedOut: Phone number is opted out");
}

#[tokio::test]
async fn throttling_is_retried_once_then_rejected() {
    let xml = error_response("Sender", "Throttling", "Rate exceeded");
    let fake = Capture::start(400, &xml).await;
    let (err, _) = failure(&config(&fake.endpoint), "Code: 424242").await;
    assert!(matches!(err, DeliveryError::Rejected(_)), "{err:?}");
    assert_eq!(fake.requests().len(), 2, "two attempts at most");
}

#[tokio::test]
async fn a_server_error_from_sns_is_unavailable() {
    let xml = error_response("Receiver", "InternalError", "Internal failure");
    let fake = Capture::start(500, &xml).await;
    let (err, to) = failure(&config(&fake.endpoint), "Code: 424242").await;
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
    assert!(!format!("{err:#}").contains(&to));
    assert_eq!(fake.requests().len(), 2, "two attempts at most");
}

#[tokio::test]
async fn an_unreadable_gateway_page_is_unavailable() {
    let fake = Capture::start(502, "<html>Bad Gateway</html>").await;
    let (err, _) = failure(&config(&fake.endpoint), "Code: 424242").await;
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
}
