//! Opening a database migrates it once; opening it again changes nothing.

use sesame_domain::MagicLinkSettings;
use sesame_domain::ports::UserStore;
use sqlx::Row;

use crate::common::{TempDb, email, now, user};

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
    let pool = sqlx::SqlitePool::connect_with(db.config().connect_options().unwrap())
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
async fn a_client_written_before_magic_link_settings_existed_reads_back_with_the_defaults() {
    let db = TempDb::new();
    // The file as the first release left it: only the initial migration.
    let first = tempfile::tempdir().unwrap();
    let initial = &migration_files()[0];
    std::fs::copy(initial, first.path().join(initial.file_name().unwrap())).unwrap();
    let options = db.config().connect_options().unwrap();
    let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
    sqlx::migrate::Migrator::new(first.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    sqlx::query(
        "INSERT INTO clients (id, name, secret_hash, callbacks, grant_types, connections, \
         trust_forwarded_for, web_origins) VALUES ('old-app', 'Old', NULL, '[]', '[]', '[]', 0, '[]')",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    let store = db.open().await;
    assert_eq!(applied_migrations(&db).await.len(), migration_files().len());
    let client =
        sesame_domain::ports::ClientRegistry::get(&store, &sesame_domain::ClientId::new("old-app"))
            .await
            .unwrap()
            .unwrap();
    assert_eq!(client.magic_link, MagicLinkSettings::default());
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
