//! Two stores, each with its own pools, on one file agree with each other,
//! as two server processes on one machine would.

use std::sync::Arc;

use sesame_domain::RateLimit;
use sesame_domain::ports::{ChallengeStore, KeyStore, RateLimiter, UserStore};
use sesame_domain::{SigningAlg, Timestamp};

use crate::common::{TempDb, challenge, email, minutes, now, signing_key, user};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_challenge_put_through_one_store_is_consumed_once_across_both() {
    let db = TempDb::new();
    let (a, b) = (db.open().await, db.open().await);
    let t = now();
    let ch = challenge(email(), t);
    a.put(&ch).await.unwrap();

    assert_eq!(b.latest(&ch.key()).await.unwrap(), Some(ch.clone()));
    assert!(b.consume(&ch.key(), &ch.id, t).await.unwrap());
    assert!(!a.consume(&ch.key(), &ch.id, t).await.unwrap());
    assert!(a.latest(&ch.key()).await.unwrap().unwrap().consumed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limit_counts_are_shared() {
    let db = TempDb::new();
    let (a, b) = (db.open().await, db.open().await);
    let rule = RateLimit::new(3, minutes(1));
    let t = now();
    let mut seen = Vec::new();
    for store in [&a, &b, &a, &b] {
        seen.push(store.hit("k", rule, t).await.unwrap().allowed);
    }
    assert_eq!(seen, [true, true, true, false]);
    assert!(!a.peek("k", rule, t).await.unwrap().allowed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_consumes_through_two_stores_have_one_winner() {
    let db = TempDb::new();
    let stores = [Arc::new(db.open().await), Arc::new(db.open().await)];
    let t = now();
    let ch = challenge(email(), t);
    stores[0].put(&ch).await.unwrap();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = Arc::clone(&stores[i % 2]);
            let (key, id) = (ch.key(), ch.id.clone());
            tokio::spawn(async move { store.consume(&key, &id, t).await })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        winners += usize::from(task.await.unwrap().unwrap());
    }
    assert_eq!(winners, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn concurrent_writers_in_two_stores_do_not_see_a_locked_database() {
    let db = TempDb::new();
    let stores = [Arc::new(db.open().await), Arc::new(db.open().await)];
    let t = now();
    let tasks: Vec<_> = (0..50)
        .map(|i| {
            let store = Arc::clone(&stores[i % 2]);
            tokio::spawn(async move {
                let recipient = email();
                store.put(&challenge(recipient.clone(), t)).await?;
                let u = store.create(&user(recipient, t)).await?;
                store.record_login(&u.id, t).await
            })
        })
        .collect();
    for task in tasks {
        assert!(task.await.unwrap().unwrap().is_some());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_key_rotation_through_one_store_is_seen_by_the_other() {
    let db = TempDb::new();
    let (a, b) = (db.open().await, db.open().await);
    let first = signing_key(SigningAlg::RS256, Timestamp::from_unix_millis(1));
    assert!(a.rotate(&first, None).await.unwrap());
    // B's compare-and-set sees A's key: expecting none is now wrong.
    assert!(
        !b.rotate(&signing_key(SigningAlg::RS256, now()), None)
            .await
            .unwrap()
    );
    assert_eq!(b.active().await.unwrap(), vec![first]);
}
