//! The migration history stays sqlx's: a file that releases before this
//! one migrated with `sqlx::migrate!()` opens without re-running anything,
//! a file this release migrated passes sqlx's own migrator untouched, and a
//! history from a newer Sesame is refused.

use sesame_domain::ports::{StoreError, UserStore};
use sqlx::migrate::Migrator;
use sqlx::{Row as _, SqlitePool};

use crate::common::{TempDb, email, now, user};

/// The `migrations/` directory, which `sqlx::migrate!()` embedded.
fn migrations_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations")
}

/// Every row of `_sqlx_migrations`, each column as text (the checksum in
/// hex): equal lists mean nothing was applied, re-applied or rewritten.
async fn history(db: &TempDb) -> Vec<String> {
    let pool = SqlitePool::connect_with(db.sqlx_options()).await.unwrap();
    let rows = sqlx::query(
        "SELECT version, description, installed_on, success, hex(checksum) AS checksum, \
         execution_time FROM _sqlx_migrations ORDER BY version",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    pool.close().await;
    rows.iter()
        .map(|r| {
            format!(
                "{} {} {} {} {} {}",
                r.get::<i64, _>("version"),
                r.get::<String, _>("description"),
                r.get::<String, _>("installed_on"),
                r.get::<bool, _>("success"),
                r.get::<String, _>("checksum"),
                r.get::<i64, _>("execution_time"),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_file_sqlx_migrated_opens_without_rerunning_a_migration_and_keeps_its_rows() {
    let db = TempDb::new();
    // The file as the previous release left it: sqlx's migrator over the
    // same files, and a user written straight into it.
    let pool = SqlitePool::connect_with(db.sqlx_options()).await.unwrap();
    Migrator::new(migrations_dir())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    let u = user(email(), now());
    sqlx::query(
        "INSERT INTO users (id, connection, recipient, verified, created_at, last_login, \
         logins_count, blocked, user_metadata, app_metadata) \
         VALUES (?1, 'email', ?2, 0, ?3, NULL, 0, 0, '{}', '{}')",
    )
    .bind(u.id.as_str())
    .bind(u.recipient.as_str())
    .bind(u.created_at.unix_millis())
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let before = history(&db).await;
    assert_eq!(before.len(), 12);

    let store = db.open().await;
    assert_eq!(history(&db).await, before);
    assert_eq!(store.get(&u.id).await.unwrap(), Some(u.clone()));
    // And it goes on working.
    let logged_in = store.record_login(&u.id, now()).await.unwrap().unwrap();
    assert_eq!(logged_in.logins_count, 1);
}

#[tokio::test]
async fn a_file_this_release_migrated_is_up_to_date_for_sqlx() {
    let db = TempDb::new();
    let store = db.open().await;
    let u = user(email(), now());
    store.create(&u).await.unwrap();
    store.close().await;
    let before = history(&db).await;
    assert_eq!(before.len(), 12);
    // Descriptions as sqlx derives them from the file names.
    assert!(
        before[4].starts_with("5 fold email addresses "),
        "{}",
        before[4]
    );

    // sqlx checks every version and checksum, and applies what is missing.
    let pool = SqlitePool::connect_with(db.sqlx_options()).await.unwrap();
    Migrator::new(migrations_dir())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool.close().await;
    assert_eq!(history(&db).await, before);
    assert_eq!(db.open().await.get(&u.id).await.unwrap(), Some(u));
}

#[tokio::test]
async fn a_file_a_newer_sesame_migrated_is_refused() {
    let db = TempDb::new();
    db.open().await.close().await;
    let pool = SqlitePool::connect_with(db.sqlx_options()).await.unwrap();
    sqlx::query(
        "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) \
         VALUES (9999, 'from the future', TRUE, x'00', 1)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    let refused = sesame_store_sqlite::SqliteStore::connect(&db.config()).await;
    assert!(
        matches!(refused, Err(StoreError::Unknown(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn a_changed_migration_is_refused() {
    let db = TempDb::new();
    db.open().await.close().await;
    let pool = SqlitePool::connect_with(db.sqlx_options()).await.unwrap();
    sqlx::query("UPDATE _sqlx_migrations SET checksum = x'00' WHERE version = 3")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let refused = sesame_store_sqlite::SqliteStore::connect(&db.config()).await;
    assert!(
        matches!(refused, Err(StoreError::Unknown(_))),
        "{refused:?}"
    );
}
