//! Receivers that refuse, fail, redirect, hang or are not there.
#![expect(
    clippy::expect_used,
    reason = "test helpers: a failed step should fail the test loudly"
)]

use sesame_domain::ports::{DeliveryError, EmailSender, SmsSender};

use crate::receiver::{Answer, Receiver};
use crate::support::{HANG_GUARD, email_with_link, sender, sms};

async fn sms_error(url: &str) -> DeliveryError {
    tokio::time::timeout(HANG_GUARD, sender(url).send_sms(&sms()))
        .await
        .expect("the send hung past its timeout")
        .expect_err("the send should fail")
}

#[tokio::test]
async fn a_422_is_rejected_without_the_recipient_or_the_code() {
    let receiver = Receiver::start(Answer::Status(422, None)).await;
    let err = sms_error(&receiver.url).await;
    let DeliveryError::Rejected(text) = &err else {
        panic!("expected Rejected, got {err:?}");
    };
    assert_eq!(text, "webhook answered 422");
    assert_eq!(receiver.received().len(), 1, "no retry");
}

#[tokio::test]
async fn a_500_is_unavailable() {
    let receiver = Receiver::start(Answer::Status(500, None)).await;
    let err = sms_error(&receiver.url).await;
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
    assert_eq!(receiver.received().len(), 1, "no retry");
}

#[tokio::test]
async fn a_receiver_that_hangs_is_unavailable_within_the_timeout() {
    let receiver = Receiver::start(Answer::Hang).await;
    let err = tokio::time::timeout(
        HANG_GUARD,
        sender(&receiver.url).send_email(&email_with_link()),
    )
    .await
    .expect("the send hung past its timeout")
    .expect_err("the send should fail");
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn a_closed_port_is_unavailable_and_the_error_hides_the_url() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/hooks?token=s3cr3t-t0ken",
        listener.local_addr().unwrap()
    );
    drop(listener);
    let err = sms_error(&url).await;
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
    let debug = format!("{err:?}");
    let shown = format!("{debug} {:#}", anyhow::Error::from(err));
    assert!(!shown.contains("s3cr3t-t0ken"), "{shown}");
}

#[tokio::test]
async fn a_redirect_is_not_followed() {
    let receiver = Receiver::start(Answer::Redirect).await;
    let err = sms_error(&receiver.url).await;
    assert!(matches!(err, DeliveryError::Unknown(_)), "{err:?}");
    let paths: Vec<String> = receiver.received().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/hooks/sesame"]);
}
