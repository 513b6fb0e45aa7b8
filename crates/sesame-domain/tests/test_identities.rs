//! Test identities (`[[test_identities]]`): a fixed code for an app-store
//! reviewer's address or number, sent nowhere, good until its date.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a broken step should fail the test loudly"
)]

use std::time::Duration;

use sesame_domain::ports::Clock as _;
use sesame_domain::service::TestIdentity;
use sesame_domain::{Otp, Recipient};
use sesame_testkit::{Harness, StepClock, fixtures};

async fn harness(who: &Recipient, code: &str, valid_for: Duration) -> Harness {
    let (who, code) = (who.clone(), code.to_owned());
    let clock = StepClock::default();
    let expires_at = clock.now().plus(valid_for);
    Harness::builder()
        .with_clock(clock)
        .configure(move |c| {
            c.test_identities = vec![TestIdentity {
                recipient: who,
                code: Otp::new(code),
                expires_at,
            }];
        })
        .build()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_test_identity_gets_its_fixed_code_and_nothing_is_sent() {
    let reviewer = fixtures::fresh_phone();
    let h = harness(&reviewer, "424242", Duration::from_secs(86_400)).await;
    h.start(&reviewer).await.unwrap();
    assert_eq!(h.code_for(&reviewer), None, "nothing was sent");
    assert!(h.redeem(&reviewer, "424242").await.is_ok());
    // Each use is a log event that says so, and never holds the code.
    let sent = h.events.of_type(sesame_domain::EventType::CodeSent);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].details["test_identity"], "true");
    let said = format!("{} {:?}", sent[0].description, sent[0].details);
    assert!(!said.contains("424242"), "{said}");
    // Every start gets the same code.
    h.start(&reviewer).await.unwrap();
    assert!(h.redeem(&reviewer, "424242").await.is_ok());
    assert!(
        h.redeem(&reviewer, "424242").await.is_err(),
        "still single use"
    );
}

#[tokio::test]
async fn other_recipients_are_untouched() {
    let reviewer = fixtures::fresh_email();
    let h = harness(&reviewer, "424242", Duration::from_secs(86_400)).await;
    let someone = fixtures::fresh_email();
    h.start(&someone).await.unwrap();
    let sent = h.code_for(&someone).unwrap();
    assert!(h.redeem(&someone, &sent).await.is_ok());
}

#[tokio::test]
async fn after_its_date_a_test_identity_is_an_ordinary_recipient() {
    let reviewer = fixtures::fresh_email();
    let h = harness(&reviewer, "424242", Duration::from_secs(60)).await;
    h.clock.advance(Duration::from_secs(60));
    h.start(&reviewer).await.unwrap();
    let sent = h.code_for(&reviewer).unwrap();
    assert!(h.redeem(&reviewer, &sent).await.is_ok());
}
