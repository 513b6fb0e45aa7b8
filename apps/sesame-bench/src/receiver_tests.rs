use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sesame_delivery_webhook::signature_header;

use super::*;

const SECRET: &[u8] = b"receiver-test-secret-0123456789";

fn event(recipient: &str, code: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "type": "passwordless.message", "id": "evt_0123456789abcdef0123456789abcdef",
        "created_at": 1_767_225_600, "connection": "email", "recipient": recipient,
        "client_id": "sesame-bench", "send": "code", "code": code, "locale": "en",
        "subject": "Your code", "text": format!("Your code is {code}"),
    }))
    .unwrap()
}

fn now() -> i64 {
    i64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs(),
    )
    .unwrap()
}

async fn post(r: &Receiver, signature: Option<String>, body: Vec<u8>) -> u16 {
    let mut req = reqwest::Client::new()
        .post(r.url())
        .header("content-type", "application/json")
        .body(body);
    if let Some(s) = signature {
        req = req.header(SIGNATURE_HEADER, s);
    }
    req.send().await.unwrap().status().as_u16()
}

async fn receiver() -> Receiver {
    Receiver::spawn("127.0.0.1:0".parse().unwrap(), SECRET)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_signed_event_hands_its_code_to_the_user_waiting_for_that_recipient() {
    let r = receiver().await;
    let mut alice = r.mailbox.expect("alice@bench.test");
    let mut bob = r.mailbox.expect("Bob@Bench.test");
    let body = event("bob@bench.test", "424242");
    let status = post(&r, Some(signature_header(SECRET, now(), &body)), body).await;
    assert_eq!(status, 200);
    assert_eq!(bob.code().await.as_deref(), Some("424242"));
    let nothing = tokio::time::timeout(Duration::from_millis(50), alice.code()).await;
    assert!(nothing.is_err(), "alice got bob's code");
    assert_eq!(
        r.mailbox.counts(),
        MailboxCounts {
            accepted: 1,
            refused: 0,
            unclaimed: 0
        }
    );
}

#[tokio::test]
async fn a_bad_missing_or_stale_signature_is_refused_and_hands_over_nothing() {
    let r = receiver().await;
    let mut carol = r.mailbox.expect("carol@bench.test");
    let body = event("carol@bench.test", "111111");
    let wrong_secret = signature_header(b"another-secret-0123456789", now(), &body);
    let stale = signature_header(SECRET, now() - 3600, &body);
    let tampered = signature_header(SECRET, now(), &event("carol@bench.test", "222222"));
    for signature in [Some(wrong_secret), Some(stale), Some(tampered), None] {
        assert_eq!(post(&r, signature, body.clone()).await, 401);
    }
    let signed_garbage = b"not json".to_vec();
    let sig = signature_header(SECRET, now(), &signed_garbage);
    assert_eq!(post(&r, Some(sig), signed_garbage).await, 400);

    let nothing = tokio::time::timeout(Duration::from_millis(50), carol.code()).await;
    assert!(nothing.is_err(), "a refused event delivered a code");
    assert_eq!(r.mailbox.counts().refused, 5);
    assert_eq!(r.mailbox.counts().accepted, 0);
}

#[tokio::test]
async fn an_event_nobody_waits_for_is_acknowledged_and_counted_as_unclaimed() {
    let r = receiver().await;
    let body = event("dave@bench.test", "333333");
    let status = post(&r, Some(signature_header(SECRET, now(), &body)), body).await;
    assert_eq!(status, 200);
    assert_eq!(r.mailbox.counts().unclaimed, 1);
}

#[test]
fn an_abandoned_wait_is_unregistered() {
    let mailbox = Mailbox::default();
    drop(mailbox.expect("erin@bench.test"));
    assert!(!mailbox.deliver("erin@bench.test", "444444".into()));
    assert_eq!(mailbox.counts().unclaimed, 1);
}
