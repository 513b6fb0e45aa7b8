//! The in-memory adapters do not keep dead data forever: what
//! `purge_once` and the limiter's own sweeps remove, at a fixed instant.

use std::time::Duration;

use sesame_domain::ports::{
    ChallengeStore, Housekeeping, PurgeReport, RateLimiter, RefreshTokenStore,
};
use sesame_domain::retention::{EXPIRED_CHALLENGE_RETENTION, EXPIRED_REFRESH_FAMILY_RETENTION};
use sesame_domain::{RateLimit, Timestamp};
use sesame_store_memory::{MemoryChallengeStore, MemoryRateLimiter, MemoryRefreshTokenStore};
use sesame_testkit::fixtures;

const T0: Timestamp = Timestamp::from_unix_seconds(1_800_000_000);

#[tokio::test]
async fn purging_challenges_frees_their_memory() {
    let store = MemoryChallengeStore::new();
    let old = fixtures::fresh_challenge(fixtures::fresh_email(), T0);
    let new = fixtures::fresh_challenge(fixtures::fresh_email(), T0.plus(Duration::from_secs(600)));
    store.put(&old).await.unwrap();
    store.put(&new).await.unwrap();
    let report = store
        .purge_once(new.expires_at.plus(EXPIRED_CHALLENGE_RETENTION))
        .await
        .unwrap();
    assert_eq!(
        report,
        PurgeReport {
            challenges: 1,
            ..PurgeReport::default()
        }
    );
    assert_eq!(store.len(), 1);
    assert!(store.latest(&new.key()).await.unwrap().is_some());
}

#[tokio::test]
async fn a_replaced_challenge_is_forgotten_at_once() {
    let store = MemoryChallengeStore::new();
    let old = fixtures::fresh_challenge(fixtures::fresh_email(), T0);
    let mut new = fixtures::fresh_challenge(old.recipient.clone(), T0);
    new.client_id = old.client_id.clone();
    store.put(&old).await.unwrap();
    store.put(&new).await.unwrap();
    assert_eq!(store.len(), 1);
}

#[tokio::test]
async fn rate_limit_windows_that_ended_are_dropped() {
    let limiter = MemoryRateLimiter::new();
    let rule = RateLimit::new(5, Duration::from_secs(60));
    for i in 0..100 {
        limiter.hit(&format!("k{i}"), rule, T0).await.unwrap();
    }
    assert_eq!(limiter.len(), 100);
    let at = |secs| T0.plus(Duration::from_secs(secs));
    let early = limiter.purge_once(at(59)).await.unwrap();
    assert_eq!(early.rate_limit_windows, 0);
    let at_the_end = limiter.purge_once(at(60)).await.unwrap();
    assert_eq!(at_the_end.rate_limit_windows, 100);
    assert!(limiter.is_empty());
}

#[tokio::test]
async fn hits_sweep_ended_windows_by_themselves() {
    let limiter = MemoryRateLimiter::new();
    let rule = RateLimit::new(5, Duration::from_secs(1));
    for i in 0..5_000_i64 {
        let now = T0.plus(Duration::from_millis(u64::try_from(i).unwrap() * 10));
        limiter.hit(&format!("k{i}"), rule, now).await.unwrap();
    }
    assert!(limiter.len() < 2_000, "{} counters kept", limiter.len());
}

#[tokio::test]
async fn purging_refresh_tokens_drops_whole_dead_families() {
    let store = MemoryRefreshTokenStore::new();
    let dead = fixtures::fresh_refresh_record(T0);
    let alive = fixtures::fresh_refresh_record(T0.plus(Duration::from_secs(86_400)));
    store.insert(&dead).await.unwrap();
    store.insert(&alive).await.unwrap();
    let replacement = fixtures::fresh_mac();
    store
        .rotate(&dead.token_mac, &replacement, T0, Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(store.len(), 3);
    let once_past = |t: Timestamp| t.plus(EXPIRED_REFRESH_FAMILY_RETENTION);
    let at_the_edge = store
        .purge_once(once_past(dead.family_expires_at))
        .await
        .unwrap();
    assert_eq!(at_the_edge.refresh_families, 0);
    let later = store
        .purge_once(once_past(alive.family_expires_at))
        .await
        .unwrap();
    assert_eq!(later.refresh_families, 1);
    assert_eq!(store.len(), 1);
    assert!(store.find(&alive.token_mac).await.unwrap().is_some());
    assert!(store.find(&replacement).await.unwrap().is_none());
}
