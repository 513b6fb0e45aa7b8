//! Two server instances: two stores, each with its own connection, on one
//! Redis.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::{ChallengeStore, RateLimiter};
use sesame_domain::rate_limit::RateLimit;
use sesame_domain::time::Timestamp;
use sesame_testkit::fixtures::{fresh_challenge, fresh_phone, real_now};

use crate::scope::Scope;

#[tokio::test]
async fn a_challenge_put_by_one_instance_is_consumed_once_across_both() {
    let scope = Scope::new();
    let (a, b) = (scope.store().await, scope.store().await);
    let now = real_now();
    let ch = fresh_challenge(fresh_phone(), now);
    a.put(&ch).await.unwrap();
    assert_eq!(b.latest(&ch.key()).await.unwrap().as_ref(), Some(&ch));
    assert_eq!(b.record_failure(&ch.key(), &ch.id).await.unwrap(), Some(2));
    assert!(b.consume(&ch.key(), &ch.id, now).await.unwrap());
    assert!(!a.consume(&ch.key(), &ch.id, now).await.unwrap());
    assert_eq!(a.record_failure(&ch.key(), &ch.id).await.unwrap(), None);
    let seen = a.latest(&ch.key()).await.unwrap().unwrap();
    assert!(seen.consumed);
    assert_eq!(seen.attempts_left, 2);
    scope.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn racing_consumes_from_two_instances_have_one_winner() {
    let scope = Scope::new();
    let (a, b) = (Arc::new(scope.store().await), Arc::new(scope.store().await));
    let now = real_now();
    let ch = fresh_challenge(fresh_phone(), now);
    a.put(&ch).await.unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = if i % 2 == 0 {
                Arc::clone(&a)
            } else {
                Arc::clone(&b)
            };
            let (key, id) = (ch.key(), ch.id.clone());
            tokio::spawn(async move { store.consume(&key, &id, now).await.unwrap() })
        })
        .collect();
    let mut wins = 0;
    for t in tasks {
        wins += usize::from(t.await.unwrap());
    }
    assert_eq!(wins, 1);
    scope.cleanup().await;
}

#[tokio::test]
async fn rate_limit_counts_are_shared_even_when_clocks_differ_within_a_window() {
    let scope = Scope::new();
    let (a, b) = (scope.store().await, scope.store().await);
    let rule = RateLimit::new(3, Duration::from_secs(60));
    // Two instances whose clocks are 20 s apart, inside one aligned window.
    let window_start = (real_now().unix_millis() / 60_000) * 60_000;
    let on_a = Timestamp::from_unix_millis(window_start + 30_000);
    let on_b = Timestamp::from_unix_millis(window_start + 50_000);
    assert!(a.hit("start:ip:x", rule, on_a).await.unwrap().allowed);
    assert!(b.hit("start:ip:x", rule, on_b).await.unwrap().allowed);
    let peek = a.peek("start:ip:x", rule, on_a).await.unwrap();
    assert_eq!((peek.allowed, peek.remaining), (true, 1));
    let last = b.hit("start:ip:x", rule, on_b).await.unwrap();
    assert_eq!((last.allowed, last.remaining), (true, 0));
    let refused = a.hit("start:ip:x", rule, on_a).await.unwrap();
    assert!(!refused.allowed);
    assert_eq!(
        refused.reset_at,
        Timestamp::from_unix_millis(window_start + 60_000)
    );
    scope.cleanup().await;
}
