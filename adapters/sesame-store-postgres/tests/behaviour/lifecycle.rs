//! Migrations, housekeeping, health and what a corrupt row reads as.

use std::time::Duration;

use sesame_domain::ports::{
    AuthorizationCodeStore, ChallengeStore, HealthCheck, Housekeeping, PurgeReport, RateLimiter,
    RefreshTokenStore, StoreError, UserStore,
};
use sesame_domain::retention::{
    AUTHORIZATION_CODE_RETENTION, EXPIRED_CHALLENGE_RETENTION, EXPIRED_REFRESH_FAMILY_RETENTION,
};
use sesame_domain::{RateLimit, Redemption, Timestamp};
use sesame_store_postgres::PgStore;
use sesame_testkit::fixtures::{
    fresh_authorization_code, fresh_challenge, fresh_email, fresh_phone, fresh_refresh_record,
    fresh_user, real_now, unique_hex,
};

use crate::common::TestDb;
use crate::earlier::migrated_before;

async fn migrations_applied(store: &PgStore) -> i64 {
    sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(store.pool())
        .await
        .unwrap()
}

fn ago(now: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_unix_millis(now.unix_millis() - i64::try_from(d.as_millis()).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn running_the_migrations_again_changes_nothing() {
    let db = TestDb::create().await;
    let (a, b) = tokio::join!(db.store(), db.store());
    let applied = migrations_applied(&a).await;
    assert!(applied >= 1);
    let user = fresh_user(fresh_email(), real_now());
    a.create(&user).await.unwrap();
    a.migrate().await.unwrap();
    b.migrate().await.unwrap();
    let c = db.store().await;
    assert_eq!(migrations_applied(&c).await, applied);
    assert_eq!(UserStore::get(&c, &user.id).await.unwrap(), Some(user));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_from_before_mfa_migrates_and_its_refresh_families_passed_no_second_factor() {
    let db = TestDb::create().await;
    // The database as the last release without MFA left it, holding one
    // refresh token.
    let pool = migrated_before(&db, "0008").await;
    let record = fresh_refresh_record(real_now());
    sqlx::query("INSERT INTO refresh_families (family_id, expires_at) VALUES ($1, $2)")
        .bind(&record.family_id)
        .bind(record.family_expires_at.unix_millis())
        .execute(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO refresh_tokens (token_mac, family_id, client_id, user_id, scope, \
         audience, created_at, expires_at, family_expires_at, jkt) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(record.token_mac.as_bytes().as_slice())
    .bind(&record.family_id)
    .bind(record.client_id.as_str())
    .bind(record.user_id.as_str())
    .bind(record.scope.as_str())
    .bind(record.audience.as_deref())
    .bind(record.created_at.unix_millis())
    .bind(record.expires_at.unix_millis())
    .bind(record.family_expires_at.unix_millis())
    .bind(record.jkt.as_ref().map(sesame_domain::Jkt::as_str))
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let store = db.store().await;
    assert!(!record.mfa);
    assert_eq!(
        RefreshTokenStore::find(&store, &record.token_mac)
            .await
            .unwrap(),
        Some(record)
    );
    for table in ["authenticators", "mfa_tickets"] {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(table)
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert!(exists, "{table} was not created");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_database_an_earlier_release_left_migrates_and_drops_the_unread_registry_tables() {
    let db = TestDb::create().await;
    // The database as the last release with registry tables left it: every
    // migration before the one that drops them, a client and an API.
    let pool = migrated_before(&db, "0004").await;
    sqlx::query(
        "INSERT INTO clients (id, name, secret_hash, callbacks, grant_types, connections, \
         trust_forwarded_for, web_origins, magic_link) VALUES ('old-app', 'Old', NULL, '{}', \
         '{}', '{}', false, '{}', '{}')",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO apis (identifier, token_lifetime_secs, token_lifetime_nanos, signing_alg) \
         VALUES ('https://api.example.com/', 86400, 0, 'RS256')",
    )
    .execute(&pool)
    .await
    .unwrap();

    let store = db.store().await;
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = std::fs::read_dir(manifest.join("migrations"))
        .unwrap()
        .count();
    assert_eq!(
        migrations_applied(&store).await,
        i64::try_from(files).unwrap()
    );
    for table in ["clients", "apis"] {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(table)
            .fetch_one(&pool)
            .await
            .unwrap();
        assert!(!exists, "the table {table} survived the migrations");
    }
    pool.close().await;
    let user = fresh_user(fresh_email(), real_now());
    store.create(&user).await.unwrap();
    assert_eq!(UserStore::get(&store, &user.id).await.unwrap(), Some(user));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn purge_once_removes_only_what_outlived_its_retention() {
    let db = TestDb::create().await;
    let store = db.store().await;
    let now = real_now();
    let long_ago = ago(now, EXPIRED_CHALLENGE_RETENTION + Duration::from_secs(60));
    let mut dead = fresh_challenge(fresh_email(), long_ago);
    dead.expires_at = long_ago;
    let mut recently_expired = fresh_challenge(fresh_phone(), now);
    recently_expired.expires_at = ago(now, Duration::from_secs(60));
    store.put(&dead).await.unwrap();
    store.put(&recently_expired).await.unwrap();

    let rule = RateLimit::new(5, Duration::from_secs(60));
    let key = format!("test:{}", unique_hex());
    store
        .hit(&key, rule, ago(now, Duration::from_secs(3600)))
        .await
        .unwrap();
    store.hit(&key, rule, now).await.unwrap();

    let mut old_family = fresh_refresh_record(long_ago);
    old_family.family_expires_at = ago(
        now,
        EXPIRED_REFRESH_FAMILY_RETENTION + Duration::from_secs(1),
    );
    let live_family = fresh_refresh_record(now);
    RefreshTokenStore::insert(&store, &old_family)
        .await
        .unwrap();
    RefreshTokenStore::insert(&store, &live_family)
        .await
        .unwrap();

    let mut dead_code = fresh_authorization_code(ago(
        now,
        AUTHORIZATION_CODE_RETENTION + Duration::from_secs(120),
    ));
    dead_code.expires_at = ago(now, AUTHORIZATION_CODE_RETENTION + Duration::from_secs(60));
    let mut replayable_code = fresh_authorization_code(ago(now, Duration::from_secs(120)));
    replayable_code.expires_at = ago(now, Duration::from_secs(60));
    for code in [&dead_code, &replayable_code] {
        AuthorizationCodeStore::insert(&store, code).await.unwrap();
        store.redeem(&code.code_mac, code.created_at).await.unwrap();
    }

    let report = store.purge_once(now).await.unwrap();
    assert_eq!(
        report,
        PurgeReport {
            challenges: 1,
            authorization_codes: 1,
            refresh_families: 1,
            rate_limit_windows: 1,
            dpop_jtis: 0,
            mfa_tickets: 0,
            log_events: 0,
        }
    );
    assert_eq!(
        store.redeem(&dead_code.code_mac, now).await.unwrap(),
        Redemption::Invalid
    );
    assert_eq!(
        store.redeem(&replayable_code.code_mac, now).await.unwrap(),
        Redemption::Reused { family_id: None }
    );
    assert!(store.latest(&dead.key()).await.unwrap().is_none());
    assert!(
        store
            .latest(&recently_expired.key())
            .await
            .unwrap()
            .is_some()
    );
    assert_eq!(store.peek(&key, rule, now).await.unwrap().remaining, 4);
    assert!(
        RefreshTokenStore::find(&store, &old_family.token_mac)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        RefreshTokenStore::find(&store, &live_family.token_mac)
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_health_check_answers_for_a_live_server() {
    let db = TestDb::create().await;
    let store = db.store().await;
    assert_eq!(HealthCheck::name(&store), "postgres");
    store.check().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_that_do_not_decode_are_reported_as_corrupt() {
    let db = TestDb::create().await;
    let store = db.store().await;
    let now = real_now();
    let user = fresh_user(fresh_email(), now);
    store.create(&user).await.unwrap();
    sqlx::query("UPDATE users SET id = 'not-a-user-id' WHERE id = $1")
        .bind(user.id.as_str())
        .execute(store.pool())
        .await
        .unwrap();
    assert!(matches!(
        UserStore::find(&store, &user.recipient).await,
        Err(StoreError::Corrupt(_))
    ));

    let ch = fresh_challenge(fresh_phone(), now);
    store.put(&ch).await.unwrap();
    sqlx::query("UPDATE challenges SET code_mac = '\\x0102' WHERE id = $1")
        .bind(ch.id.as_str())
        .execute(store.pool())
        .await
        .unwrap();
    let err = store.latest(&ch.key()).await.unwrap_err();
    assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_connection_carries_the_configured_statement_timeout() {
    let db = TestDb::create().await;
    let mut config = db.config();
    config.statement_timeout_ms = 1234;
    let store = PgStore::connect(&config).await.unwrap();
    let shown: String = sqlx::query_scalar("SHOW statement_timeout")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(shown, "1234ms");
    let app: String = sqlx::query_scalar("SHOW application_name")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(app, "sesame");
}
