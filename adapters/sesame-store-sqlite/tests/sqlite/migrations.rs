//! Opening a database migrates it once; opening it again changes nothing.

use sesame_domain::ports::{RefreshTokenStore, UserStore};
use sqlx::Row;

use crate::common::{TempDb, email, now, refresh_record, user};

/// The migrations this build embeds: the `.sql` files in `migrations/`.
fn migration_files() -> Vec<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
}

async fn applied_migrations(db: &TempDb) -> Vec<i64> {
    let pool = sqlx::SqlitePool::connect_with(db.sqlx_options())
        .await
        .unwrap();
    let rows = sqlx::query("SELECT version FROM _sqlx_migrations ORDER BY version")
        .fetch_all(&pool)
        .await
        .unwrap();
    pool.close().await;
    rows.iter().map(|r| r.get::<i64, _>("version")).collect()
}

#[tokio::test]
async fn connecting_twice_migrates_once_and_keeps_the_data() {
    let db = TempDb::new();
    let u = user(email(), now());
    let first = db.open().await;
    first.create(&u).await.unwrap();
    let before = applied_migrations(&db).await;
    assert!(!before.is_empty());

    let second = db.open().await;
    assert_eq!(applied_migrations(&db).await, before);
    assert_eq!(second.get(&u.id).await.unwrap(), Some(u));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn stores_opening_a_fresh_file_at_once_all_succeed() {
    let db = TempDb::new();
    let config = db.config();
    let opens: Vec<_> = (0..4)
        .map(|_| {
            let config = config.clone();
            tokio::spawn(async move { sesame_store_sqlite::SqliteStore::connect(&config).await })
        })
        .collect();
    for open in opens {
        open.await.unwrap().unwrap();
    }
    assert_eq!(applied_migrations(&db).await.len(), migration_files().len());
}

#[tokio::test]
async fn a_file_an_earlier_release_left_migrates_and_drops_the_unread_registry_tables() {
    let db = TempDb::new();
    // The file as the last release with registry tables left it: every
    // migration before the one that drops them, a client and an API.
    let earlier = tempfile::tempdir().unwrap();
    let files = migration_files();
    let older = files
        .iter()
        .take_while(|f| !f.ends_with("0004_drop_registries.sql"));
    for file in older {
        std::fs::copy(file, earlier.path().join(file.file_name().unwrap())).unwrap();
    }
    let options = db.sqlx_options();
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(earlier.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO clients (id, name, secret_hash, callbacks, grant_types, connections, \
         trust_forwarded_for, web_origins, magic_link) \
         VALUES ('old-app', 'Old', NULL, '[]', '[]', '[]', 0, '[]', '{}')",
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
    pool.close().await;

    let store = db.open().await;
    assert_eq!(applied_migrations(&db).await.len(), files.len());
    assert_eq!(
        tables_named(&db, &["clients", "apis"]).await,
        Vec::<String>::new()
    );
    let u = user(email(), now());
    store.create(&u).await.unwrap();
    assert_eq!(store.get(&u.id).await.unwrap(), Some(u));
}

#[tokio::test]
async fn a_file_from_before_mfa_migrates_and_its_refresh_families_passed_no_second_factor() {
    let db = TempDb::new();
    // The file as the last release without MFA left it, holding one
    // refresh token.
    let earlier = tempfile::tempdir().unwrap();
    let files = migration_files();
    for file in files.iter().take_while(|f| !f.ends_with("0009_mfa.sql")) {
        std::fs::copy(file, earlier.path().join(file.file_name().unwrap())).unwrap();
    }
    let options = db.sqlx_options();
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(earlier.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let record = refresh_record(now());
    sqlx::query(
        "INSERT INTO refresh_tokens (token_mac, family_id, client_id, user_id, scope, \
         audience, created_at, expires_at, family_expires_at, jkt) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL)",
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
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let store = db.open().await;
    assert_eq!(applied_migrations(&db).await.len(), files.len());
    let found = RefreshTokenStore::find(&store, &record.token_mac)
        .await
        .unwrap();
    assert_eq!(found, Some(record));
    assert_eq!(
        tables_named(&db, &["authenticators", "mfa_tickets"]).await,
        ["authenticators", "mfa_tickets"]
    );
}

/// Which of `names` are tables in the file.
async fn tables_named(db: &TempDb, names: &[&str]) -> Vec<String> {
    let pool = sqlx::SqlitePool::connect_with(db.sqlx_options())
        .await
        .unwrap();
    let mut found = Vec::new();
    for name in names {
        let n: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
        )
        .bind(name)
        .fetch_one(&pool)
        .await
        .unwrap();
        if n > 0 {
            found.push((*name).to_owned());
        }
    }
    pool.close().await;
    found
}

#[tokio::test]
async fn the_file_is_left_in_wal_mode() {
    let db = TempDb::new();
    let store = db.open().await;
    drop(store);
    // Plain options: the mode read back is the one stored in the file.
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&db.path);
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(mode, "wal");
}
