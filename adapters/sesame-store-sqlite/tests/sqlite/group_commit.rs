//! Group commit through the ports: many writers at once share batches, and
//! a write that fails in a batch takes no other write of it down.

use std::sync::Arc;

use sesame_domain::ports::{AuthorizationCodeStore, UserStore};
use sesame_domain::{Redemption, UserQuery};
use sesame_testkit::fixtures::fresh_authorization_code;

use crate::common::{TempDb, email, now, user};

const TASKS: usize = 200;

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn many_concurrent_writes_all_succeed_and_are_all_there_afterwards() {
    let db = TempDb::new();
    let store = Arc::new(db.open().await);
    let t = now();
    let users: Vec<_> = (0..TASKS).map(|_| user(email(), t)).collect();
    let tasks: Vec<_> = users
        .iter()
        .cloned()
        .map(|u| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { store.create(&u).await })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    // Seen by another store on the file: committed, not just written.
    let other = db.open().await;
    for u in &users {
        assert_eq!(other.get(&u.id).await.unwrap().as_ref(), Some(u));
    }
    assert_eq!(
        other.search(&UserQuery::all()).await.unwrap().total,
        TASKS as u64
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 8)]
async fn a_conflicting_insert_fails_alone_and_the_writes_beside_it_are_kept() {
    let db = TempDb::new();
    let store = Arc::new(db.open().await);
    let t = now();
    let taken = fresh_authorization_code(t);
    AuthorizationCodeStore::insert(&*store, &taken)
        .await
        .unwrap();
    // Every tenth insert reuses a MAC that is taken: a plain INSERT refuses
    // it (unique key), in the middle of the other inserts' batches.
    let codes: Vec<_> = (0..TASKS)
        .map(|i| {
            if i % 10 == 5 {
                taken.clone()
            } else {
                fresh_authorization_code(t)
            }
        })
        .collect();
    let tasks: Vec<_> = codes
        .iter()
        .cloned()
        .map(|code| {
            let store = Arc::clone(&store);
            tokio::spawn(async move { AuthorizationCodeStore::insert(&*store, &code).await })
        })
        .collect();
    let mut refused = 0;
    for task in tasks {
        refused += usize::from(task.await.unwrap().is_err());
    }
    assert_eq!(refused, TASKS / 10);
    let other = db.open().await;
    for code in codes.iter().chain([&taken]) {
        let redeemed = other.redeem(&code.code_mac, t).await.unwrap();
        // The conflicting ones share the taken code: it is redeemed once,
        // then a replay.
        assert!(
            matches!(
                redeemed,
                Redemption::Redeemed(_) | Redemption::Reused { .. }
            ),
            "{redeemed:?}"
        );
    }
    for code in codes.iter().filter(|c| c.code_mac != taken.code_mac) {
        assert_eq!(
            other.redeem(&code.code_mac, t).await.unwrap(),
            Redemption::Reused { family_id: None }
        );
    }
}
