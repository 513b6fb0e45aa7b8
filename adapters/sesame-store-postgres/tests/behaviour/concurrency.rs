//! Races on one store, through a pool wide enough that the racers really
//! run on separate server sessions.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::RateLimit;
use sesame_domain::ports::{ChallengeStore, RateLimiter};
use sesame_testkit::fixtures::{fresh_challenge, fresh_email, real_now, unique_hex};

use crate::common::TestDb;

const RACERS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn fifty_tasks_consuming_one_challenge_yield_exactly_one_winner() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    store.put(&ch).await.unwrap();
    let barrier = Arc::new(tokio::sync::Barrier::new(RACERS));
    let tasks: Vec<_> = (0..RACERS)
        .map(|_| {
            let (store, key, id, barrier) =
                (store.clone(), ch.key(), ch.id.clone(), barrier.clone());
            tokio::spawn(async move {
                barrier.wait().await;
                store.consume(&key, &id, now).await.unwrap()
            })
        })
        .collect();
    let mut winners = 0;
    for t in tasks {
        if t.await.unwrap() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1, "{RACERS} concurrent consumes");
    let stored = store.latest(&ch.key()).await.unwrap().unwrap();
    assert!(stored.consumed);
    assert_eq!(stored.attempts_left, ch.attempts_left);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn a_replacement_racing_redemptions_of_the_old_code_never_lets_both_live() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    let now = real_now();
    let old = fresh_challenge(fresh_email(), now);
    store.put(&old).await.unwrap();
    let mut new = fresh_challenge(old.recipient.clone(), now);
    new.client_id = old.client_id.clone();

    let consumers: Vec<_> = (0..RACERS)
        .map(|_| {
            let (store, key, id) = (store.clone(), old.key(), old.id.clone());
            tokio::spawn(async move { store.consume(&key, &id, now).await.unwrap() })
        })
        .collect();
    store.put(&new).await.unwrap();
    let old_wins = futures::future::join_all(consumers)
        .await
        .into_iter()
        .filter(|r| *r.as_ref().unwrap())
        .count();
    assert!(old_wins <= 1, "the old code was redeemed {old_wins} times");
    // Whatever the interleaving, the replacement is intact and redeemable
    // once, and the old id is dead.
    let latest = store.latest(&new.key()).await.unwrap().unwrap();
    assert_eq!(latest.id, new.id);
    assert!(!latest.consumed);
    assert!(!store.consume(&old.key(), &old.id, now).await.unwrap());
    assert_eq!(
        store.record_failure(&old.key(), &old.id).await.unwrap(),
        None
    );
    assert!(store.consume(&new.key(), &new.id, now).await.unwrap());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn fifty_wrong_guesses_at_once_use_up_exactly_the_attempts_left() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    let mut ch = fresh_challenge(fresh_email(), real_now());
    ch.attempts_left = 5;
    store.put(&ch).await.unwrap();
    let tasks: Vec<_> = (0..RACERS)
        .map(|_| {
            let (store, key, id) = (store.clone(), ch.key(), ch.id.clone());
            tokio::spawn(async move { store.record_failure(&key, &id).await.unwrap() })
        })
        .collect();
    let mut left: Vec<u32> = futures::future::join_all(tasks)
        .await
        .into_iter()
        .filter_map(|r| r.unwrap())
        .collect();
    left.sort_unstable();
    assert_eq!(left, vec![0, 1, 2, 3, 4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn rate_limit_windows_of_different_lengths_count_separately() {
    let db = TestDb::create().await;
    let store = db.store().await;
    let key = format!("test:{}", unique_hex());
    let now = real_now();
    let minute = RateLimit::new(2, Duration::from_secs(60));
    let hour = RateLimit::new(2, Duration::from_secs(3600));
    for _ in 0..2 {
        assert!(store.hit(&key, minute, now).await.unwrap().allowed);
    }
    assert!(!store.hit(&key, minute, now).await.unwrap().allowed);
    assert!(store.peek(&key, hour, now).await.unwrap().allowed);
    assert_eq!(store.hit(&key, hour, now).await.unwrap().remaining, 1);
}
