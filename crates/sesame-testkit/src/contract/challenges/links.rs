//! Consuming a challenge by its magic link: wrong codes do not count
//! against it.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ChallengeId;
use sesame_domain::ports::ChallengeStore;

use super::{ago, latest_of, put};
use crate::contract::support::{ok, race, some};
use crate::fixtures::{fresh_challenge, fresh_email, random_bytes, real_now};

/// How many tasks race in [`a_code_and_its_link_racing_consume_once`].
const RACERS: usize = 50;

/// Wrong codes exhaust the code, not the link: after `record_failure` took
/// the last attempt, `consume` refuses but `consume_link` succeeds once, and
/// `latest` shows the challenge consumed.
pub async fn a_link_outlives_its_codes_attempts(store: &dyn ChallengeStore) {
    let now = real_now();
    let mut ch = fresh_challenge(fresh_email(), now);
    ch.attempts_left = 1;
    put(store, &ch).await;
    assert_eq!(
        ok(
            store.record_failure(&ch.key(), &ch.id).await,
            "record_failure"
        ),
        Some(0),
        "record_failure of the last attempt"
    );
    let got = some(latest_of(store, &ch).await, "latest after the last attempt");
    assert!(
        !got.consumed,
        "record_failure marked the challenge (and its link) used"
    );
    assert!(
        !ok(store.consume(&ch.key(), &ch.id, now).await, "consume"),
        "the code was accepted with no attempts left"
    );
    assert!(
        ok(
            store.consume_link(&ch.key(), &ch.id, now).await,
            "consume_link"
        ),
        "the link died with its code's attempts"
    );
    assert!(
        !ok(
            store.consume_link(&ch.key(), &ch.id, now).await,
            "consume_link"
        ),
        "a link was consumed twice"
    );
    let got = some(latest_of(store, &ch).await, "latest after consume_link");
    assert!(got.consumed, "consume_link did not mark it consumed");
}

/// `consume_link` refuses a challenge already consumed (by its code), one
/// at or after its expiry, and an unknown id.
pub async fn consume_link_refuses_consumed_expired_and_unknown(store: &dyn ChallengeStore) {
    let now = real_now();
    let by_code = fresh_challenge(fresh_email(), now);
    put(store, &by_code).await;
    assert!(
        ok(
            store.consume(&by_code.key(), &by_code.id, now).await,
            "consume"
        ),
        "consume of a live challenge"
    );
    assert!(
        !ok(
            store.consume_link(&by_code.key(), &by_code.id, now).await,
            "consume_link"
        ),
        "a link was consumed after its code"
    );
    let mut expired = fresh_challenge(fresh_email(), ago(now, Duration::from_secs(600)));
    expired.expires_at = ago(now, Duration::from_secs(60));
    put(store, &expired).await;
    assert!(
        !ok(
            store
                .consume_link(&expired.key(), &expired.id, expired.expires_at)
                .await,
            "consume_link"
        ),
        "consume_link accepted a challenge at exactly its expires_at"
    );
    let key = fresh_challenge(fresh_email(), now).key();
    let id = ChallengeId::from_random(random_bytes());
    assert!(
        !ok(store.consume_link(&key, &id, now).await, "consume_link"),
        "consume_link of an unknown id returned true"
    );
}

/// Of many concurrent `consume` and `consume_link` calls on one challenge,
/// exactly one returns `true`.
pub async fn a_code_and_its_link_racing_consume_once(store: &Arc<dyn ChallengeStore>) {
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    put(store.as_ref(), &ch).await;
    let wins = race(RACERS, |i| {
        let store = Arc::clone(store);
        let (key, id) = (ch.key(), ch.id.clone());
        async move {
            let won = if i % 2 == 0 {
                store.consume(&key, &id, now).await
            } else {
                store.consume_link(&key, &id, now).await
            };
            ok(won, "concurrent consume or consume_link")
        }
    })
    .await
    .into_iter()
    .filter(|&won| won)
    .count();
    assert_eq!(
        wins, 1,
        "{RACERS} concurrent consumes by code and by link: {wins} returned true"
    );
}
