//! What a receiver gets: the signed JSON event, field by field.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a failed step should fail the test loudly"
)]

use serde_json::{Value, json};
use sesame_delivery_webhook::{
    DEFAULT_TOLERANCE_SECS, SIGNATURE_HEADER, SignatureError, WebhookEvent, verify_signature,
};
use sesame_domain::ports::{EmailSender, SmsSender};

use crate::receiver::{Answer, Receiver};
use crate::support::{HANG_GUARD, SECRET, email_with_link, now, sender, sms};

/// Checks the signature the way a receiver would and returns the JSON.
fn verified(received: &crate::receiver::Received) -> Value {
    let header = received.header(SIGNATURE_HEADER).expect("signed");
    verify_signature(
        SECRET.as_bytes(),
        header,
        &received.body,
        now(),
        DEFAULT_TOLERANCE_SECS,
    )
    .expect("a valid signature");
    serde_json::from_slice(&received.body).unwrap()
}

#[tokio::test]
async fn an_email_with_a_link_arrives_signed_with_every_field() {
    let receiver = Receiver::start(Answer::Status(200, None)).await;
    let message = email_with_link();

    let receipt = tokio::time::timeout(HANG_GUARD, sender(&receiver.url).send_email(&message))
        .await
        .unwrap()
        .unwrap();

    let got = receiver.only();
    assert_eq!(got.path, "/hooks/sesame");
    assert_eq!(got.header("content-type"), Some("application/json"));
    let mut event = verified(&got);
    let id = event["id"].as_str().unwrap().to_owned();
    let created_at = event["created_at"].as_i64().unwrap();
    assert!(id.starts_with("evt_") && id.len() == 36, "{id}");
    assert!((now() - created_at).abs() < 60);
    let header = got.header(SIGNATURE_HEADER).unwrap();
    assert!(
        header.starts_with(&format!("t={created_at},v1=")),
        "{header}"
    );
    assert_eq!(receipt.provider_message_id.as_deref(), Some(id.as_str()));

    event.as_object_mut().unwrap().remove("id");
    event.as_object_mut().unwrap().remove("created_at");
    assert_eq!(
        event,
        json!({
            "type": "passwordless.message",
            "connection": "email",
            "recipient": "ana.lima@example.com",
            "client_id": "client-abc",
            "send": "link",
            "code": "424242",
            "link": message.meta.link,
            "locale": "fr-CA",
            "subject": "Votre code Sesame",
            "text": message.text,
            "html": message.html,
        })
    );
}

#[tokio::test]
async fn an_sms_arrives_with_its_body_and_without_a_link() {
    let receiver = Receiver::start(Answer::Status(202, Some("prov-77"))).await;

    let receipt = sender(&receiver.url).send_sms(&sms()).await.unwrap();

    let mut event = verified(&receiver.only());
    assert_eq!(receipt.provider_message_id.as_deref(), Some("prov-77"));
    event.as_object_mut().unwrap().remove("id");
    event.as_object_mut().unwrap().remove("created_at");
    assert_eq!(
        event,
        json!({
            "type": "passwordless.message",
            "connection": "sms",
            "recipient": "+15555550100",
            "client_id": "client-abc",
            "send": "code",
            "code": "987654",
            "locale": "en",
            "body": "Your Sesame code is 987654 ✓",
        })
    );
}

#[tokio::test]
async fn a_rust_receiver_can_parse_the_event() {
    let receiver = Receiver::start(Answer::Status(200, None)).await;
    sender(&receiver.url).send_sms(&sms()).await.unwrap();

    let event: WebhookEvent = serde_json::from_slice(&receiver.only().body).unwrap();
    assert_eq!(event.code, "987654");
    assert_eq!(event.body.as_deref(), Some("Your Sesame code is 987654 ✓"));
    assert!(event.link.is_none() && event.subject.is_none());
    let shown = format!("{event:?}");
    assert!(
        !shown.contains("987654") && !shown.contains("5550100"),
        "{shown}"
    );
}

#[tokio::test]
async fn every_event_has_its_own_id() {
    let receiver = Receiver::start(Answer::Status(200, None)).await;
    let sender = sender(&receiver.url);
    sender.send_sms(&sms()).await.unwrap();
    sender.send_sms(&sms()).await.unwrap();

    let ids: Vec<Value> = receiver
        .received()
        .iter()
        .map(|r| verified(r)["id"].clone())
        .collect();
    assert_eq!(ids.len(), 2);
    assert_ne!(ids[0], ids[1]);
}

#[tokio::test]
async fn the_wrong_secret_a_tampered_body_or_a_stale_time_fail_verification() {
    let receiver = Receiver::start(Answer::Status(200, None)).await;
    sender(&receiver.url)
        .send_email(&email_with_link())
        .await
        .unwrap();
    let got = receiver.only();
    let header = got.header(SIGNATURE_HEADER).unwrap();
    let body = &got.body;
    let tol = DEFAULT_TOLERANCE_SECS;

    assert_eq!(
        verify_signature(
            b"whsec_some_other_secret_entirely",
            header,
            body,
            now(),
            tol
        ),
        Err(SignatureError::Mismatch)
    );
    let tampered = String::from_utf8(body.to_vec())
        .unwrap()
        .replace("424242", "424243");
    assert_eq!(
        verify_signature(SECRET.as_bytes(), header, tampered.as_bytes(), now(), tol),
        Err(SignatureError::Mismatch)
    );
    assert_eq!(
        verify_signature(SECRET.as_bytes(), header, body, now() + tol + 60, tol),
        Err(SignatureError::Stale)
    );
    assert_eq!(
        verify_signature(SECRET.as_bytes(), header, body, now(), tol),
        Ok(())
    );
}
