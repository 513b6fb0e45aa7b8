//! Counter keys, their expiry, and instants far from Redis's clock.

use std::time::Duration;

use sesame_domain::ports::RateLimiter;
use sesame_domain::rate_limit::RateLimit;
use sesame_domain::time::Timestamp;

use crate::scope::Scope;
use crate::support::{cmd, keys_under};

#[tokio::test]
async fn a_hit_writes_one_counter_that_expires_with_its_window() {
    let scope = Scope::new();
    let store = scope.store().await;
    let rule = RateLimit::new(5, Duration::from_secs(60));
    // 45 s into window 28_333_333 of 60 s.
    let now = Timestamp::from_unix_millis(28_333_333 * 60_000 + 45_000);
    store.hit("start:rcpt:email:abc", rule, now).await.unwrap();
    let counter = format!(
        "{}rl:60000:28333333:start:rcpt:email:abc",
        scope.config.key_prefix
    );
    assert_eq!(
        keys_under(&scope.config.key_prefix).await,
        vec![counter.clone()]
    );
    assert_eq!(cmd::<String>(&["GET", &counter]).await, "1");
    // 15 s left in the window, plus the clock-skew grace.
    let ttl: i64 = cmd(&["PTTL", &counter]).await;
    assert!(ttl > 0 && ttl <= 20_000, "PTTL {ttl}");
    scope.cleanup().await;
}

#[tokio::test]
async fn peeking_a_fresh_key_writes_nothing() {
    let scope = Scope::new();
    let store = scope.store().await;
    let rule = RateLimit::new(1, Duration::from_secs(60));
    let d = store
        .peek("k", rule, Timestamp::from_unix_millis(90_000))
        .await
        .unwrap();
    assert_eq!((d.allowed, d.remaining, d.limit), (true, 1, 1));
    assert_eq!(d.reset_at, Timestamp::from_unix_millis(120_000));
    assert!(keys_under(&scope.config.key_prefix).await.is_empty());
    scope.cleanup().await;
}

#[tokio::test]
async fn counting_works_for_instants_long_past_as_a_test_clock_gives_them() {
    let scope = Scope::new();
    let store = scope.store().await;
    let rule = RateLimit::new(2, Duration::from_secs(60));
    let long_ago = Timestamp::from_unix_seconds(1_000);
    let d: Vec<_> = [
        store.hit("k", rule, long_ago).await.unwrap(),
        store.hit("k", rule, long_ago).await.unwrap(),
        store.hit("k", rule, long_ago).await.unwrap(),
    ]
    .iter()
    .map(|d| (d.allowed, d.remaining))
    .collect();
    assert_eq!(d, [(true, 1), (true, 0), (false, 0)]);
    assert!(!store.peek("k", rule, long_ago).await.unwrap().allowed);
    scope.cleanup().await;
}

#[tokio::test]
async fn a_limit_of_zero_refuses_every_hit() {
    let scope = Scope::new();
    let store = scope.store().await;
    let rule = RateLimit::new(0, Duration::from_secs(60));
    let now = Timestamp::from_unix_seconds(1_800_000_000);
    assert!(!store.peek("k", rule, now).await.unwrap().allowed);
    let d = store.hit("k", rule, now).await.unwrap();
    assert_eq!((d.allowed, d.remaining), (false, 0));
    scope.cleanup().await;
}
