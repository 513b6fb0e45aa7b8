//! Opening a database migrates it once; opening it again changes nothing.

use sesame_domain::ports::UserStore;
use sqlx::Row;

use crate::common::{TempDb, email, now, user};

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
    assert_eq!(applied_migrations(&db).await.len(), 1);
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
