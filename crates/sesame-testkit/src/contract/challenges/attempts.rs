//! Consuming challenges and counting wrong guesses.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ChallengeId;
use sesame_domain::ports::ChallengeStore;

use super::{ago, assert_same, latest_of, put};
use crate::contract::support::{ok, race, some};
use crate::fixtures::{fresh_challenge, fresh_email, fresh_phone, random_bytes, real_now};

/// How many tasks race in the concurrency checks.
const RACERS: usize = 50;

/// The first `consume` of a live challenge returns `true`, the next
/// `false`, and `latest` shows it consumed with nothing else changed.
pub async fn consume_succeeds_exactly_once(store: &dyn ChallengeStore) {
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    put(store, &ch).await;
    assert!(
        ok(store.consume(&ch.key(), &ch.id, now).await, "consume"),
        "consume of a live challenge returned false"
    );
    assert!(
        !ok(
            store.consume(&ch.key(), &ch.id, now).await,
            "second consume"
        ),
        "a challenge was consumed twice"
    );
    let got = some(latest_of(store, &ch).await, "latest after consume");
    let mut want = ch.clone();
    want.consumed = true;
    assert_same(&got, &want, "latest after consume");
}

/// Of many concurrent `consume` calls on one challenge, exactly one
/// returns `true`.
pub async fn consume_is_atomic_under_concurrency(store: &Arc<dyn ChallengeStore>) {
    let now = real_now();
    let ch = fresh_challenge(fresh_phone(), now);
    put(store.as_ref(), &ch).await;
    let wins = race(RACERS, |_| {
        let store = Arc::clone(store);
        let (key, id) = (ch.key(), ch.id.clone());
        async move { ok(store.consume(&key, &id, now).await, "concurrent consume") }
    })
    .await
    .into_iter()
    .filter(|&won| won)
    .count();
    assert_eq!(
        wins, 1,
        "{RACERS} concurrent consumes: {wins} returned true"
    );
}

/// `consume` refuses a challenge at or after its `expires_at`, and accepts
/// one a millisecond before it.
pub async fn consume_refuses_an_expired_challenge(store: &dyn ChallengeStore) {
    let now = real_now();
    let mut long_gone = fresh_challenge(fresh_email(), ago(now, Duration::from_secs(240)));
    long_gone.expires_at = ago(now, Duration::from_secs(60));
    let at_expiry = fresh_challenge(fresh_email(), now);
    let just_before = fresh_challenge(fresh_email(), now);
    for ch in [&long_gone, &at_expiry, &just_before] {
        put(store, ch).await;
    }
    assert!(
        !ok(
            store.consume(&long_gone.key(), &long_gone.id, now).await,
            "consume"
        ),
        "consume accepted a challenge that expired a minute ago"
    );
    assert!(
        !ok(
            store
                .consume(&at_expiry.key(), &at_expiry.id, at_expiry.expires_at)
                .await,
            "consume"
        ),
        "consume accepted a challenge at exactly its expires_at (expiry is exclusive)"
    );
    let moment_before = ago(just_before.expires_at, Duration::from_millis(1));
    assert!(
        ok(
            store
                .consume(&just_before.key(), &just_before.id, moment_before)
                .await,
            "consume"
        ),
        "consume refused a challenge one millisecond before its expiry"
    );
    let got = some(latest_of(store, &long_gone).await, "latest of the expired");
    assert!(
        !got.consumed,
        "a refused consume marked the challenge consumed"
    );
}

/// `consume` refuses a challenge with no attempts left, whether stored so or
/// brought there by `record_failure`.
pub async fn consume_refuses_an_exhausted_challenge(store: &dyn ChallengeStore) {
    let now = real_now();
    let mut stored_dead = fresh_challenge(fresh_email(), now);
    stored_dead.attempts_left = 0;
    let mut last_try = fresh_challenge(fresh_phone(), now);
    last_try.attempts_left = 1;
    put(store, &stored_dead).await;
    put(store, &last_try).await;
    assert_eq!(
        ok(
            store.record_failure(&last_try.key(), &last_try.id).await,
            "record_failure"
        ),
        Some(0),
        "record_failure of the last attempt"
    );
    for ch in [&stored_dead, &last_try] {
        assert!(
            !ok(store.consume(&ch.key(), &ch.id, now).await, "consume"),
            "consume accepted a challenge with no attempts left"
        );
    }
}

/// `consume` of an id never stored returns `false`.
pub async fn consume_refuses_an_unknown_id(store: &dyn ChallengeStore) {
    let key = fresh_challenge(fresh_email(), real_now()).key();
    let id = ChallengeId::from_random(random_bytes());
    assert!(
        !ok(store.consume(&key, &id, real_now()).await, "consume"),
        "consume of an unknown id returned true"
    );
}

/// `record_failure` counts down one at a time to zero, then returns `None`
/// and changes nothing; `latest` reflects every count.
pub async fn record_failure_counts_down_to_zero_then_refuses(store: &dyn ChallengeStore) {
    let ch = fresh_challenge(fresh_email(), real_now());
    put(store, &ch).await;
    for left in (0..ch.attempts_left).rev() {
        assert_eq!(
            ok(
                store.record_failure(&ch.key(), &ch.id).await,
                "record_failure"
            ),
            Some(left),
            "attempts left after a wrong guess"
        );
        let got = some(latest_of(store, &ch).await, "latest after record_failure");
        assert_eq!(
            got.attempts_left, left,
            "latest must reflect record_failure"
        );
    }
    for _ in 0..2 {
        assert_eq!(
            ok(
                store.record_failure(&ch.key(), &ch.id).await,
                "record_failure at zero"
            ),
            None,
            "record_failure of an exhausted challenge"
        );
    }
    let got = some(latest_of(store, &ch).await, "latest at zero");
    assert_eq!(got.attempts_left, 0, "attempts went below zero");
}

/// Concurrent `record_failure` calls decrement by exactly `min(N, k)`: each
/// remaining count is reported once, and the rest get `None`.
pub async fn record_failure_is_atomic_under_concurrency(store: &Arc<dyn ChallengeStore>) {
    for attempts in [10_u32, 80] {
        let mut ch = fresh_challenge(fresh_email(), real_now());
        ch.attempts_left = attempts;
        put(store.as_ref(), &ch).await;
        let results = race(RACERS, |_| {
            let store = Arc::clone(store);
            let (key, id) = (ch.key(), ch.id.clone());
            async move {
                ok(
                    store.record_failure(&key, &id).await,
                    "concurrent record_failure",
                )
            }
        })
        .await;
        let decremented = attempts.min(RACERS as u32);
        let mut counts: Vec<u32> = results.iter().filter_map(|r| *r).collect();
        counts.sort_unstable();
        let want: Vec<u32> = (attempts - decremented..attempts).collect();
        assert_eq!(
            counts, want,
            "{RACERS} concurrent record_failure on {attempts} attempts: reported counts"
        );
        let got = some(latest_of(store.as_ref(), &ch).await, "latest");
        assert_eq!(
            got.attempts_left,
            attempts - decremented,
            "{RACERS} concurrent record_failure on {attempts} attempts: attempts left"
        );
    }
}

/// `record_failure` of a consumed challenge or an unknown id returns `None`
/// and changes nothing.
pub async fn record_failure_refuses_consumed_and_unknown(store: &dyn ChallengeStore) {
    let now = real_now();
    let ch = fresh_challenge(fresh_phone(), now);
    put(store, &ch).await;
    assert!(
        ok(store.consume(&ch.key(), &ch.id, now).await, "consume"),
        "consume"
    );
    assert_eq!(
        ok(
            store.record_failure(&ch.key(), &ch.id).await,
            "record_failure"
        ),
        None,
        "record_failure of a consumed challenge"
    );
    let got = some(latest_of(store, &ch).await, "latest");
    assert_eq!(
        got.attempts_left, ch.attempts_left,
        "record_failure of a consumed challenge changed its attempts"
    );
    let unknown = ChallengeId::from_random(random_bytes());
    assert_eq!(
        ok(
            store.record_failure(&ch.key(), &unknown).await,
            "record_failure"
        ),
        None,
        "record_failure of an unknown id"
    );
}
