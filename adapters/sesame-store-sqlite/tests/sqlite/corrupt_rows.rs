//! Rows that do not decode into domain values are `Corrupt`, and the error
//! names the column, never the value.

use sesame_domain::ports::{ChallengeStore, KeyStore, StoreError, UserStore};
use sesame_domain::{SigningAlg, UserId};

use crate::common::{TempDb, challenge, email, now, signing_key, user};

async fn raw(db: &TempDb, sql: &str) {
    let options = db.sqlx_options();
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::query(sql).execute(&pool).await.unwrap();
    pool.close().await;
}

fn corrupt_naming<T: std::fmt::Debug>(r: Result<T, StoreError>, column: &str) -> String {
    match r {
        Err(StoreError::Corrupt(msg)) => {
            assert!(msg.contains(column), "{msg:?} does not name {column}");
            msg
        }
        other => panic!("expected Corrupt naming {column}, got {other:?}"),
    }
}

#[tokio::test]
async fn a_short_mac_is_corrupt() {
    let db = TempDb::new();
    let store = db.open().await;
    let ch = challenge(email(), now());
    store.put(&ch).await.unwrap();
    raw(&db, "UPDATE challenges SET code_mac = x'010203'").await;
    corrupt_naming(store.latest(&ch.key()).await, "code_mac");
}

#[tokio::test]
async fn unparseable_auth_params_are_corrupt_and_not_quoted() {
    let db = TempDb::new();
    let store = db.open().await;
    let ch = challenge(email(), now());
    store.put(&ch).await.unwrap();
    raw(
        &db,
        "UPDATE challenges SET auth_params = '{\"state\": secret-state'",
    )
    .await;
    let msg = corrupt_naming(store.latest(&ch.key()).await, "auth_params");
    assert!(!msg.contains("secret"), "{msg:?} quotes the stored value");
}

#[tokio::test]
async fn an_invalid_recipient_is_corrupt_and_not_quoted() {
    let db = TempDb::new();
    let store = db.open().await;
    let u = user(email(), now());
    store.create(&u).await.unwrap();
    raw(&db, "UPDATE users SET recipient = 'private-but-broken'").await;
    let msg = corrupt_naming(UserStore::get(&store, &u.id).await, "recipient");
    assert!(!msg.contains("private"), "{msg:?} quotes the stored value");
    raw(
        &db,
        "UPDATE users SET recipient = 'a@b.example', id = 'nope'",
    )
    .await;
    let id = UserId::parse("email|000000000000000000000000").unwrap();
    assert_eq!(UserStore::get(&store, &id).await.unwrap(), None);
    corrupt_naming(store.find(&email_of("a@b.example")).await, "id");
}

#[tokio::test]
async fn metadata_that_is_not_a_json_object_is_corrupt_and_not_quoted() {
    let db = TempDb::new();
    let store = db.open().await;
    let u = user(email(), now());
    store.create(&u).await.unwrap();
    raw(
        &db,
        "UPDATE users SET user_metadata = '[\"private-value\"]'",
    )
    .await;
    let msg = corrupt_naming(UserStore::get(&store, &u.id).await, "user_metadata");
    assert!(!msg.contains("private"), "{msg:?} quotes the stored value");
    raw(
        &db,
        "UPDATE users SET user_metadata = '{}', app_metadata = '{\"private\": '",
    )
    .await;
    let msg = corrupt_naming(store.find(&u.recipient).await, "app_metadata");
    assert!(!msg.contains("private"), "{msg:?} quotes the stored value");
}

fn email_of(s: &str) -> sesame_domain::Recipient {
    sesame_domain::Recipient::Email(sesame_domain::EmailAddress::parse(s).unwrap())
}

#[tokio::test]
async fn an_unknown_key_algorithm_is_corrupt() {
    let db = TempDb::new();
    let store = db.open().await;
    assert!(
        store
            .rotate(&signing_key(SigningAlg::RS256, now()), None)
            .await
            .unwrap()
    );
    raw(&db, "UPDATE signing_keys SET alg = 'none'").await;
    corrupt_naming(store.active().await, "alg");
}
