//! Floods that cost the store: a request over any limit writes nothing.
//!
//! One IP sends 60 starts, over its start limit, then 500 token requests
//! with fresh usernames. Every table of the store (SQLite, or PostgreSQL)
//! and every key of the cache (Redis) is counted before and after: they
//! grow by no more than what the requests that were let through can have
//! written. The flood guard, the per-IP token failure budget and the start
//! limit each refuse before anything is written.
#![expect(
    clippy::expect_used,
    clippy::panic,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use std::sync::Arc;

use sesame_e2e::{Backend, Options, Storage, TestApp, fresh_email};
use sqlx::{Connection as _, PgConnection, Row as _, SqliteConnection};

/// Rows in every table, plus keys in the cache.
async fn stored_items(storage: &Storage) -> i64 {
    let mut total = 0;
    if let Some(path) = storage.sqlite_path() {
        let opts = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .read_only(true);
        let mut db = SqliteConnection::connect_with(&opts)
            .await
            .expect("opening the SQLite store");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .fetch_all(&mut db)
        .await
        .expect("listing tables");
        for t in tables {
            let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM \"{t}\""))
                .fetch_one(&mut db)
                .await
                .expect("counting")
                .get(0);
            total += n;
        }
    }
    if let Some(url) = storage.postgres_url() {
        let mut db = PgConnection::connect(url).await.expect("connecting");
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
        )
        .fetch_all(&mut db)
        .await
        .expect("listing tables");
        for t in tables {
            let n: i64 = sqlx::query(&format!("SELECT COUNT(*) FROM \"{t}\""))
                .fetch_one(&mut db)
                .await
                .expect("counting")
                .get(0);
            total += n;
        }
    }
    if let Some((url, prefix)) = storage.redis() {
        let client = redis::Client::open(url).expect("the Redis URL");
        let mut conn = client
            .get_multiplexed_async_connection()
            .await
            .expect("connecting to Redis");
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{prefix}*"))
            .query_async(&mut conn)
            .await
            .expect("listing keys");
        total += i64::try_from(keys.len()).expect("fits");
    }
    total
}

async fn a_flood_from_one_ip_leaves_the_store_as_the_allowed_requests_left_it(backend: Backend) {
    let storage = Arc::new(Storage::create(backend).await);
    let options = Options {
        start_per_ip_per_hour: 5,
        failures_per_ip_per_hour: 10,
        requests_per_ip_per_second: 1,
        requests_per_ip_burst: 80,
        ..Options::default()
    };
    let app = TestApp::spawn_on(Arc::clone(&storage), options).await;
    // A real login first, so every table the flow uses exists and is in use.
    app.login(&fresh_email()).await;
    let before = stored_items(&storage).await;

    let (mut started, mut refused) = (0, 0);
    for _ in 0..60 {
        let reply = app.start_for(&fresh_email()).await;
        match reply.status.as_u16() {
            200 => started += 1,
            429 => refused += 1,
            other => panic!("unexpected status {other}"),
        }
    }
    // One start went to the login above.
    assert_eq!((started, refused), (4, 56));
    assert_eq!(app.outbox.count(), 5);

    let (mut wrong, mut suspicious, mut flooded) = (0, 0, 0);
    for _ in 0..500 {
        let reply = app.token_otp_json(&fresh_email(), "000000").await;
        match (reply.status.as_u16(), reply.str("error")) {
            (403, Some("invalid_grant")) => wrong += 1,
            (429, Some("too_many_attempts")) => suspicious += 1,
            (429, Some("too_many_requests")) => flooded += 1,
            other => panic!("unexpected answer {other:?}"),
        }
    }
    assert_eq!(wrong, 10, "the IP's failure budget lets ten through");
    assert!(suspicious > 0 && flooded > 0, "{suspicious} {flooded}");

    let after = stored_items(&storage).await;
    // A wrong code writes at most the username's two failure counters (per
    // IP and from every IP) and the IP's, and its log event; a start at most
    // the IP's, the address-and-IP's and the address's counters, the
    // challenge and its log event. Refused requests write nothing but one
    // log event per limit and window (`limit_wc` for the starts, `limit_mu`
    // for the token endpoint), however many they are; the login's two
    // events may land after `before` was counted (they are written in the
    // background).
    let allowed_writes = 4 * wrong + 5 * started + 2 + 2;
    assert!(
        after - before <= allowed_writes,
        "{before} items before, {after} after: more than the {allowed_writes} the allowed requests may write"
    );
}

sesame_e2e::on_every_backend!(a_flood_from_one_ip_leaves_the_store_as_the_allowed_requests_left_it);
