//! An unusable database gives a typed error, in bounded time, never a panic.

use std::time::Duration;

use sesame_domain::ports::{
    AuthorizationCodeStore, ChallengeStore, HealthCheck, KeyStore, RateLimiter, RefreshTokenStore,
    StoreError, UserStore,
};
use sesame_domain::{RateLimit, SigningAlg, UserQuery};
use sesame_store_sqlite::{SqliteConfig, SqliteStore};

use crate::common::{
    TempDb, challenge, email, mac, minutes, now, refresh_record, signing_key, user,
};

/// Far longer than any timeout configured here: reaching it means a hang.
const HANG: Duration = Duration::from_secs(60);

async fn connect(config: &SqliteConfig) -> Result<SqliteStore, StoreError> {
    tokio::time::timeout(HANG, SqliteStore::connect(config))
        .await
        .unwrap()
}

fn quick(config: SqliteConfig) -> SqliteConfig {
    SqliteConfig {
        busy_timeout_ms: 200,
        acquire_timeout_ms: 1_000,
        ..config
    }
}

#[tokio::test]
async fn a_file_in_a_missing_directory_is_unavailable() {
    let db = TempDb::new();
    let config = quick(SqliteConfig::file(db.dir.path().join("no/such/dir/s.db")));
    assert!(matches!(
        connect(&config).await,
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_directory_in_place_of_the_file_is_unavailable() {
    let db = TempDb::new();
    std::fs::create_dir(&db.path).unwrap();
    assert!(matches!(
        connect(&quick(db.config())).await,
        Err(StoreError::Unavailable(_))
    ));
}

#[tokio::test]
async fn a_file_that_is_not_a_database_is_corrupt() {
    let db = TempDb::new();
    std::fs::write(&db.path, "this is not a SQLite database\n".repeat(400)).unwrap();
    assert!(matches!(
        connect(&quick(db.config())).await,
        Err(StoreError::Corrupt(_))
    ));
}

#[tokio::test]
async fn a_malformed_url_is_refused_without_a_panic() {
    let config = SqliteConfig {
        url: "sqlite://x.db?mode=nonsense".to_owned(),
        ..SqliteConfig::default()
    };
    assert!(matches!(
        connect(&config).await,
        Err(StoreError::Unknown(_))
    ));
}

#[tokio::test]
async fn a_healthy_store_passes_its_health_check() {
    let db = TempDb::new();
    let store = db.open().await;
    assert_eq!(store.name(), "sqlite");
    store.check().await.unwrap();
}

fn unavailable<T: std::fmt::Debug>(what: &str, r: Result<T, StoreError>) {
    assert!(
        matches!(r, Err(StoreError::Unavailable(_))),
        "{what} on a closed store gave {r:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_port_of_a_closed_store_is_unavailable() {
    let db = TempDb::new();
    let store = db.open().await;
    let other = store.clone();
    // Closed through a clone while the original is still in use.
    other.close().await;
    let t = now();
    let ch = challenge(email(), t);
    let u = user(email(), t);
    let rule = RateLimit::new(1, minutes(1));
    unavailable("check", store.check().await);
    unavailable("put", store.put(&ch).await);
    unavailable("latest", store.latest(&ch.key()).await);
    unavailable("consume", store.consume(&ch.key(), &ch.id, t).await);
    unavailable(
        "record_failure",
        store.record_failure(&ch.key(), &ch.id).await,
    );
    unavailable(
        "delete",
        ChallengeStore::delete(&store, &ch.key(), &ch.id).await,
    );
    unavailable("create", store.create(&u).await);
    unavailable("find", UserStore::find(&store, &u.recipient).await);
    unavailable("record_login", store.record_login(&u.id, t).await);
    unavailable("set_blocked", store.set_blocked(&u.id, true).await);
    unavailable("search", store.search(&UserQuery::all()).await);
    unavailable("delete user", UserStore::delete(&store, &u.id).await);
    unavailable("active", store.active().await);
    let key = signing_key(SigningAlg::EdDSA, t);
    unavailable("rotate key", KeyStore::rotate(&store, &key, None).await);
    let rt = refresh_record(t);
    unavailable("insert", RefreshTokenStore::insert(&store, &rt).await);
    unavailable(
        "rotate token",
        RefreshTokenStore::rotate(&store, &rt.token_mac, &mac(), t, minutes(1)).await,
    );
    let code = sesame_testkit::fixtures::fresh_authorization_code(t);
    unavailable(
        "insert code",
        AuthorizationCodeStore::insert(&store, &code).await,
    );
    unavailable("redeem", store.redeem(&code.code_mac, t).await);
    unavailable(
        "record_family",
        store.record_family(&code.code_mac, "rtf_x").await,
    );
    unavailable("hit", store.hit("k", rule, t).await);
    unavailable("peek", store.peek("k", rule, t).await);
    unavailable(
        "purge_once",
        sesame_domain::ports::Housekeeping::purge_once(&store, t).await,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_write_lock_held_past_the_busy_timeout_is_unavailable_but_reads_go_on() {
    let db = TempDb::new();
    let store = SqliteStore::connect(&quick(db.config())).await.unwrap();
    let t = now();
    let ch = challenge(email(), t);
    store.put(&ch).await.unwrap();

    // Another process holds the write lock and does not let go.
    let options = db.sqlx_options();
    let intruder = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let mut held = intruder.begin_with("BEGIN IMMEDIATE").await.unwrap();
    sqlx::query("DELETE FROM rate_limits WHERE 0")
        .execute(&mut *held)
        .await
        .unwrap();

    let write = tokio::time::timeout(HANG, store.consume(&ch.key(), &ch.id, t))
        .await
        .unwrap();
    assert!(
        matches!(write, Err(StoreError::Unavailable(_))),
        "{write:?}"
    );
    // WAL lets readers go on beside a writer.
    assert_eq!(store.latest(&ch.key()).await.unwrap(), Some(ch.clone()));

    held.rollback().await.unwrap();
    assert!(store.consume(&ch.key(), &ch.id, t).await.unwrap());
}
