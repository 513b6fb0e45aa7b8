//! A dead, silent or vanishing server is reported as
//! `StoreError::Unavailable`, never a panic or a hang.
//!
//! Every wait is wrapped in [`no_hang`], a one-minute guard that fails the
//! test instead of hanging it; no test asserts how long anything took.

// Helpers count as test code too, for the unwrap/expect/panic lints.
#![cfg(test)]

#[path = "../common/mod.rs"]
mod common;
mod proxy;

use std::time::Duration;

use sesame_domain::Challenge;
use sesame_domain::ports::{ChallengeStore, HealthCheck, StoreError};
use sesame_store_postgres::{PgConfig, PgStore};
use sesame_testkit::fixtures::{fresh_challenge, fresh_email, real_now};
use sqlx::{Connection, PgConnection};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use common::TestDb;
use proxy::Proxy;

/// Fails the test if `fut` has not finished within a minute.
async fn no_hang<T>(fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), fut)
        .await
        .expect("hung: no answer within a minute")
}

/// Short timeouts, so the failures come quickly.
fn impatient(url: String) -> PgConfig {
    let mut c = PgConfig::new(url);
    c.max_connections = 2;
    c.connect_timeout_secs = 3;
    c.acquire_timeout_secs = 2;
    c.statement_timeout_ms = 2_000;
    c.operation_timeout_ms = 3_000;
    c
}

#[track_caller]
fn assert_unavailable<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    match r {
        Err(StoreError::Unavailable(_)) => {}
        other => panic!("{what}: expected Unavailable, got {other:?}"),
    }
}

/// The `host:port` of the test server.
fn server_addr() -> String {
    let url = url::Url::parse(&common::server_url()).unwrap();
    format!(
        "{}:{}",
        url.host_str().unwrap_or("127.0.0.1"),
        url.port().unwrap_or(5432)
    )
}

/// `db`'s URL with the host and port of `proxy`.
fn through(proxy: &Proxy, db: &TestDb) -> String {
    let mut url = url::Url::parse(&db.url).unwrap();
    url.set_host(Some("127.0.0.1")).unwrap();
    url.set_port(Some(proxy.addr.port())).unwrap();
    url.to_string()
}

#[tokio::test]
async fn connecting_to_a_closed_port_is_unavailable() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let config = impatient(format!("postgres://postgres@127.0.0.1:{port}/postgres"));
    assert_unavailable(no_hang(PgStore::connect(&config)).await, "connect");
}

#[tokio::test]
async fn connecting_to_a_server_that_never_answers_is_unavailable() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    // Accept and hold every connection without a byte in reply.
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((s, _)) = listener.accept().await {
            held.push(s);
        }
    });
    let config = impatient(format!("postgres://postgres@127.0.0.1:{port}/postgres"));
    assert_unavailable(no_hang(PgStore::connect(&config)).await, "connect");
    silent.abort();
}

/// A challenge stored in `db`, its row locked by `locker` (in an open
/// transaction), and a consume of it through `store` that waits inside the server for that
/// lock.
struct Parked {
    ch: Challenge,
    locker: PgConnection,
    consume: JoinHandle<Result<bool, StoreError>>,
}

async fn park_a_consume(db: &TestDb, direct: &PgStore, store: &PgStore) -> Parked {
    let ch = fresh_challenge(fresh_email(), real_now());
    direct.put(&ch).await.unwrap();
    let mut locker = PgConnection::connect(&db.url).await.unwrap();
    sqlx::raw_sql("BEGIN").execute(&mut locker).await.unwrap();
    sqlx::query("SELECT id FROM challenges WHERE id = $1 FOR UPDATE")
        .bind(ch.id.as_str())
        .execute(&mut locker)
        .await
        .unwrap();
    let consume = {
        let (store, key, id) = (store.clone(), ch.key(), ch.id.clone());
        tokio::spawn(async move { store.consume(&key, &id, real_now()).await })
    };
    // Wait until the server shows the consume waiting on the lock.
    no_hang(async {
        loop {
            let waiting: i64 = sqlx::query_scalar(
                "SELECT count(*) FROM pg_stat_activity
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .fetch_one(direct.pool())
            .await
            .unwrap();
            if waiting > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await;
    Parked {
        ch,
        locker,
        consume,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_connection_dropped_mid_operation_is_unavailable() {
    let db = TestDb::create().await;
    let direct = db.store().await;
    let proxy = Proxy::start(server_addr()).await;
    let store = PgStore::connect(&impatient(through(&proxy, &db)))
        .await
        .unwrap();
    store.check().await.unwrap();

    let Parked {
        ch,
        locker,
        consume,
    } = park_a_consume(&db, &direct, &store).await;
    proxy.kill();
    assert_unavailable(no_hang(consume).await.unwrap(), "consume in flight");
    // Closing the socket rolls the lock holder's transaction back.
    drop(locker);

    // With the proxy gone, new connections are refused.
    assert_unavailable(no_hang(store.check()).await, "health check");
    assert_unavailable(no_hang(store.latest(&ch.key())).await, "latest");
    // Whether the parked consume ran once the lock was released is not
    // known (PostgreSQL notices a vanished client only when it replies):
    // exactly what `Unavailable` means. The row is still readable directly.
    assert!(direct.latest(&ch.key()).await.unwrap().is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_server_that_stops_answering_is_unavailable() {
    let db = TestDb::create().await;
    let direct = db.store().await;
    let proxy = Proxy::start(server_addr()).await;
    let store = PgStore::connect(&impatient(through(&proxy, &db)))
        .await
        .unwrap();
    store.check().await.unwrap();

    // An operation already running when the replies stop: only the
    // client-side operation timeout can end it.
    let Parked {
        ch,
        locker,
        consume,
    } = park_a_consume(&db, &direct, &store).await;
    proxy.freeze();
    // The consume now gets its row, but its reply never arrives.
    drop(locker);
    assert_unavailable(no_hang(consume).await.unwrap(), "consume in flight");

    // New operations: the pool's liveness check or the acquire timeout.
    assert_unavailable(no_hang(store.latest(&ch.key())).await, "latest");
    assert_unavailable(
        no_hang(store.consume(&ch.key(), &ch.id, real_now())).await,
        "consume",
    );
    assert_unavailable(no_hang(store.check()).await, "health check");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_statement_over_the_statement_timeout_is_unavailable() {
    let db = TestDb::create().await;
    let direct = db.store().await;
    let mut config = impatient(db.url.clone());
    config.statement_timeout_ms = 300;
    config.operation_timeout_ms = 30_000;
    let store = PgStore::connect(&config).await.unwrap();
    // A consume stuck behind a row lock until the server cancels it.
    let Parked {
        locker, consume, ..
    } = park_a_consume(&db, &direct, &store).await;
    assert_unavailable(
        no_hang(consume).await.unwrap(),
        "consume past the statement timeout",
    );
    drop(locker);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_closed_store_is_unavailable() {
    let db = TestDb::create().await;
    let store = db.store().await;
    store.close().await;
    assert_unavailable(no_hang(store.check()).await, "health check");
}
