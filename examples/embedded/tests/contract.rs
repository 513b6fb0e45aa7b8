//! The example's own adapter keeps its port's contract: the same suites the
//! shipped stores run, from the test kit, unchanged.

use std::sync::Arc;

use embedded::users::JsonFileUserStore;
use sesame_domain::UserQuery;
use sesame_domain::ports::{StoreError, UserStore};
use sesame_domain::user::{ProfileChange, ProfileUpdate};
use sesame_testkit::fixtures::{fresh_email, fresh_user, real_now};
use sesame_testkit::{MemoryChallengeStore, contract};

#[expect(
    clippy::expect_used,
    reason = "test setup: a store that does not open must fail the test"
)]
fn store_in(dir: &tempfile::TempDir) -> Arc<JsonFileUserStore> {
    Arc::new(JsonFileUserStore::open(dir.path().join("users.json")).expect("the store opens"))
}

// Multi-threaded, so the suite's concurrency checks really race.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_json_file_user_store_keeps_the_user_store_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = store_in(&dir);
    contract::user_store(store.clone()).await;
    contract::user_search(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_code_redeemed_concurrently_over_the_json_file_user_store_yields_one_token_set() {
    let dir = tempfile::tempdir().unwrap();
    contract::concurrent_redemption(Arc::new(MemoryChallengeStore::new()), store_in(&dir)).await;
}

#[tokio::test]
async fn users_are_read_back_from_the_file_after_reopening_it() {
    let dir = tempfile::tempdir().unwrap();
    let user = fresh_user(fresh_email(), real_now());
    let first = store_in(&dir);
    first.create(&user).await.unwrap();
    let logged_in = first
        .record_login(&user.id, real_now())
        .await
        .unwrap()
        .unwrap();
    first.set_blocked(&user.id, true).await.unwrap();
    let change = ProfileChange {
        verified: Some(false),
        user_metadata: Some(object(
            serde_json::json!({"lang": "fr", "prefs": {"x": null}}),
        )),
        app_metadata: Some(object(serde_json::json!({"plan": "full"}))),
        at: real_now(),
    };
    let ProfileUpdate::Applied(patched) = first.update_profile(&user.id, &change).await.unwrap()
    else {
        panic!("update_profile of an existing user")
    };
    drop(first);

    let reopened = store_in(&dir);
    let mut want = change.apply(&logged_in).unwrap();
    want.blocked = true;
    assert_eq!(patched, want);
    assert_eq!(reopened.get(&user.id).await.unwrap(), Some(want.clone()));
    assert_eq!(reopened.find(&user.recipient).await.unwrap(), Some(want));
}

#[expect(
    clippy::unwrap_used,
    reason = "test helper: the tests pass it object literals"
)]
fn object(v: serde_json::Value) -> sesame_domain::user::Metadata {
    v.as_object().cloned().unwrap()
}

#[tokio::test]
async fn a_deleted_user_stays_deleted_after_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let doomed = fresh_user(fresh_email(), real_now());
    let kept = fresh_user(fresh_email(), real_now());
    let first = store_in(&dir);
    first.create(&doomed).await.unwrap();
    first.create(&kept).await.unwrap();
    assert!(first.delete(&doomed.id).await.unwrap());
    drop(first);

    let reopened = store_in(&dir);
    assert_eq!(reopened.get(&doomed.id).await.unwrap(), None);
    assert_eq!(reopened.find(&doomed.recipient).await.unwrap(), None);
    assert_eq!(reopened.get(&kept.id).await.unwrap(), Some(kept.clone()));
    let everyone = reopened.search(&UserQuery::all()).await.unwrap();
    assert_eq!(everyone.users, vec![kept]);
    assert_eq!(everyone.total, 1);
}

#[test]
fn a_file_that_does_not_parse_is_reported_corrupt_not_read_as_empty() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.json");
    std::fs::write(&path, "[{\"id\": 42}]").unwrap();
    assert!(matches!(
        JsonFileUserStore::open(&path),
        Err(StoreError::Corrupt(_))
    ));
}

#[test]
fn a_row_with_an_invalid_address_is_reported_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.json");
    let row = serde_json::json!([{
        "id": "email|0123456789abcdef01234567",
        "connection": "email",
        "address": "not an address",
        "verified": false,
        "created_at_ms": 0,
        "last_login_ms": null,
        "logins": 0,
        "blocked": false,
    }]);
    std::fs::write(&path, row.to_string()).unwrap();
    assert!(matches!(
        JsonFileUserStore::open(&path),
        Err(StoreError::Corrupt(_))
    ));
}
