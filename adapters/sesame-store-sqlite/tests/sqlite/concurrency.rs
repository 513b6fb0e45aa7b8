//! Many tasks on one store at once: atomic flips, and no "database is
//! locked" when writers pile up.

use std::sync::Arc;

use sesame_domain::RateLimit;
use sesame_domain::ports::{ChallengeStore, RateLimiter, UserStore};

use crate::common::{TempDb, challenge, email, minutes, now, phone, user};

const TASKS: usize = 50;

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn fifty_tasks_consuming_one_challenge_have_exactly_one_winner() {
    let db = TempDb::new();
    let store = Arc::new(db.open().await);
    let t = now();
    let ch = challenge(email(), t);
    store.put(&ch).await.unwrap();

    let tasks: Vec<_> = (0..TASKS)
        .map(|_| {
            let store = Arc::clone(&store);
            let (key, id) = (ch.key(), ch.id.clone());
            tokio::spawn(async move { store.consume(&key, &id, t).await })
        })
        .collect();
    let mut winners = 0;
    for task in tasks {
        if task.await.unwrap().unwrap() {
            winners += 1;
        }
    }
    assert_eq!(winners, 1);
    assert!(store.latest(&ch.key()).await.unwrap().unwrap().consumed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn fifty_mixed_writers_at_once_all_succeed() {
    let db = TempDb::new();
    let store = Arc::new(db.open().await);
    let t = now();
    let rule = RateLimit::new(1_000, minutes(1));
    let tasks: Vec<_> = (0..TASKS)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let recipient = if i % 2 == 0 { email() } else { phone() };
                store.put(&challenge(recipient.clone(), t)).await?;
                store.create(&user(recipient, t)).await?;
                store.hit("shared-key", rule, t).await
            })
        })
        .collect();
    let mut counts = Vec::new();
    for task in tasks {
        let decision = task.await.unwrap().unwrap();
        counts.push(decision.remaining);
    }
    counts.sort_unstable();
    counts.dedup();
    assert_eq!(counts.len(), TASKS, "every hit saw its own count");
}
