//! Many tasks at once on one challenge: the scripts must let exactly the
//! right number through.

use std::future::Future;
use std::sync::Arc;

use sesame_domain::ports::ChallengeStore;
use sesame_store_redis::RedisStore;
use sesame_testkit::fixtures::{fresh_challenge, fresh_email, real_now};
use tokio::sync::Barrier;

use crate::scope::Scope;

const TASKS: usize = 50;

/// Runs `TASKS` spawned tasks released together, and collects their outputs.
async fn race<T, Fut>(store: &Arc<RedisStore>, task: impl Fn(Arc<RedisStore>) -> Fut) -> Vec<T>
where
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let barrier = Arc::new(Barrier::new(TASKS));
    let handles: Vec<_> = (0..TASKS)
        .map(|_| {
            let barrier = Arc::clone(&barrier);
            let fut = task(Arc::clone(store));
            tokio::spawn(async move {
                barrier.wait().await;
                fut.await
            })
        })
        .collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn of_fifty_concurrent_consumes_exactly_one_wins() {
    let scope = Scope::new();
    let store = Arc::new(scope.store().await);
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    store.put(&ch).await.unwrap();
    let wins = race(&store, |s| {
        let (key, id) = (ch.key(), ch.id.clone());
        async move { s.consume(&key, &id, now).await.unwrap() }
    })
    .await;
    assert_eq!(wins.iter().filter(|w| **w).count(), 1);
    assert!(store.latest(&ch.key()).await.unwrap().unwrap().consumed);
    scope.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn fifty_concurrent_failures_on_three_attempts_count_down_once_each() {
    let scope = Scope::new();
    let store = Arc::new(scope.store().await);
    let ch = fresh_challenge(fresh_email(), real_now());
    assert_eq!(ch.attempts_left, 3);
    store.put(&ch).await.unwrap();
    let mut results = race(&store, |s| {
        let (key, id) = (ch.key(), ch.id.clone());
        async move { s.record_failure(&key, &id).await.unwrap() }
    })
    .await;
    results.sort();
    let mut want = vec![None; TASKS - 3];
    want.extend([Some(0), Some(1), Some(2)]);
    assert_eq!(results, want);
    let after = store.latest(&ch.key()).await.unwrap().unwrap();
    assert_eq!(after.attempts_left, 0);
    assert!(!after.consumed);
    scope.cleanup().await;
}
