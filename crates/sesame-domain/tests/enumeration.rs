//! Enumeration (issue 15 §3): no answer tells a known address from an
//! unknown or blocked one. Such a recipient gets a decoy challenge that
//! nobody knows the code of, so wrong codes, "maximum attempts" and expiry
//! answer alike; with sign-ups disabled delivery happens after the answer,
//! through the delivery queue, for every recipient alike.
#![expect(
    clippy::unwrap_used,
    reason = "tests: a failed step should fail loudly"
)]

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::DeliveryError;
use sesame_domain::service::StartError;
use sesame_domain::{Recipient, Timestamp, User};
use sesame_testkit::{Harness, QueuedDeliveries, fixtures};

async fn known_user(h: &Harness, blocked: bool) -> Recipient {
    let who = fixtures::fresh_email();
    let user = User {
        id: fixtures::fresh_user_id(who.connection()),
        recipient: who.clone(),
        verified: true,
        created_at: Timestamp::from_unix_seconds(1_700_000_000),
        last_login: None,
        logins_count: 0,
        blocked,
        user_metadata: serde_json::Map::new(),
        app_metadata: serde_json::Map::new(),
        profile_updated_at: None,
    };
    let users = &h.service.ports().users;
    let created = users.create(&user).await.unwrap();
    if blocked {
        users.set_blocked(&created.id, true).await.unwrap();
    }
    who
}

/// What a client sees for: a start, five wrong codes, then (after the
/// code's lifetime) one more wrong code: each answer's text, with the
/// start's answer reduced to its shape.
async fn answers(h: &Harness, who: &Recipient) -> Vec<String> {
    let mut seen = Vec::new();
    let started = h.start(who).await;
    seen.push(match started {
        Ok(s) => format!("started as {}", s.recipient.as_str() == who.as_str()),
        Err(e) => format!("start refused: {e}"),
    });
    let code = h.code_for(who);
    let wrong = if code.as_deref() == Some("000000") {
        "111111"
    } else {
        "000000"
    };
    for _ in 0..5 {
        seen.push(h.redeem(who, wrong).await.unwrap_err().to_string());
    }
    h.clock.advance(Duration::from_secs(181));
    seen.push(h.redeem(who, wrong).await.unwrap_err().to_string());
    h.clock.advance(Duration::from_secs(3600));
    seen
}

#[tokio::test]
async fn with_sign_ups_disabled_a_known_and_an_unknown_address_get_the_same_answers() {
    let h = Harness::builder()
        .configure(|c| c.disable_signup = true)
        .build()
        .await
        .unwrap();
    let known = known_user(&h, false).await;
    let known_answers = answers(&h, &known).await;
    let unknown_answers = answers(&h, &fixtures::fresh_email()).await;
    assert_eq!(known_answers, unknown_answers);
    assert!(
        known_answers[3].contains("maximum number of attempts"),
        "the third wrong code exhausts the challenge: {known_answers:?}"
    );
    assert_eq!(h.outbox.count(), 1, "only the known address got a message");
}

#[tokio::test]
async fn a_blocked_user_gets_the_answers_a_known_one_gets_and_no_message() {
    let h = Harness::new().await.unwrap();
    let known = known_user(&h, false).await;
    let blocked = known_user(&h, true).await;
    assert_eq!(answers(&h, &known).await, answers(&h, &blocked).await);
    assert_eq!(h.outbox.count(), 1, "the blocked user got nothing");
}

#[tokio::test]
async fn a_decoy_challenge_is_stored_like_a_real_one_and_its_code_is_known_to_nobody() {
    let h = Harness::builder()
        .configure(|c| c.disable_signup = true)
        .build()
        .await
        .unwrap();
    let unknown = fixtures::fresh_email();
    h.codes.push("737373");
    h.start(&unknown).await.unwrap();
    assert!(h.code_for(&unknown).is_none(), "nothing was sent");
    let key = sesame_domain::ChallengeKey {
        client_id: Harness::confidential().client_id,
        recipient: unknown.clone(),
    };
    let decoy = h.challenges().latest(&key).await.unwrap();
    assert!(decoy.is_some(), "no decoy challenge was stored");
    // Even the code the generator produced for it signs nobody in.
    assert!(h.redeem(&unknown, "737373").await.is_err());
}

#[tokio::test]
async fn with_sign_ups_disabled_the_answer_comes_before_any_delivery_for_every_recipient() {
    let queue = Arc::new(QueuedDeliveries::new(10));
    let h = Harness::builder()
        .configure(|c| c.disable_signup = true)
        .with_delivery_queue(queue.clone())
        .build()
        .await
        .unwrap();
    let known = known_user(&h, false).await;
    h.start(&known).await.unwrap();
    h.start(&fixtures::fresh_email()).await.unwrap();
    assert_eq!(h.outbox.count(), 0, "something was sent before the answer");
    assert_eq!((queue.pending(), queue.decoys()), (2, 1));
    let sent = queue.deliver_all(&h.outbox, &h.outbox).await.unwrap();
    assert_eq!(sent, 1, "the decoy's job sends nothing");
    assert!(h.code_for(&known).is_some());
}

#[tokio::test]
async fn a_full_delivery_queue_refuses_known_and_unknown_alike_and_leaves_no_code() {
    let queue = Arc::new(QueuedDeliveries::new(1));
    let h = Harness::builder()
        .configure(|c| c.disable_signup = true)
        .with_delivery_queue(queue.clone())
        .build()
        .await
        .unwrap();
    let known = known_user(&h, false).await;
    h.start(&fixtures::fresh_email()).await.unwrap();
    let unknown = h.start(&fixtures::fresh_email()).await.unwrap_err();
    let known_err = h.start(&known).await.unwrap_err();
    assert!(matches!(known_err, StartError::QueueFull), "{known_err:?}");
    assert_eq!(unknown.to_string(), known_err.to_string());
    let key = sesame_domain::ChallengeKey {
        client_id: Harness::confidential().client_id,
        recipient: known,
    };
    assert!(
        h.challenges().latest(&key).await.unwrap().is_none(),
        "a refused start left a challenge"
    );
}

#[tokio::test]
async fn with_sign_ups_enabled_delivery_stays_in_the_request_and_its_error_is_answered() {
    let queue = Arc::new(QueuedDeliveries::new(10));
    let h = Harness::builder()
        .with_delivery_queue(queue.clone())
        .build()
        .await
        .unwrap();
    h.outbox
        .fail_next(DeliveryError::Rejected("refused".to_owned()));
    let err = h.start(&fixtures::fresh_email()).await.unwrap_err();
    assert!(matches!(err, StartError::Delivery { .. }), "{err:?}");
    assert_eq!(queue.pending(), 0, "nothing went to the queue");
}
