//! Upgrading a file an older release wrote, when addresses kept the local
//! part's case: migration 0005 folds every spelling of a mailbox onto one
//! user, keeps every row, and does it once.

use sesame_domain::ports::UserStore;
use sesame_domain::{Connection, Recipient, UserId};
use sqlx::Row as _;

use crate::common::TempDb;

/// Migrates `db` with every migration before 0005, as the last release
/// with case-keeping addresses left it.
async fn older_file(db: &TempDb) -> sqlx::SqlitePool {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations");
    let earlier = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_owned();
        if name.ends_with(".sql") && name.as_str() < "0005" {
            std::fs::copy(&path, earlier.path().join(name)).unwrap();
        }
    }
    let pool = sqlx::SqlitePool::connect_with(db.sqlx_options())
        .await
        .unwrap();
    sqlx::migrate::Migrator::new(earlier.path())
        .await
        .unwrap()
        .run(&pool)
        .await
        .unwrap();
    pool
}

fn id(n: u8) -> UserId {
    UserId::from_random(Connection::Email, [n; 12])
}

async fn old_user(pool: &sqlx::SqlitePool, n: u8, recipient: &str, created: i64, blocked: bool) {
    sqlx::query(
        "INSERT INTO users (id, connection, recipient, verified, created_at, last_login, \
         logins_count, blocked) VALUES (?1, 'email', ?2, 1, ?3, NULL, 4, ?4)",
    )
    .bind(id(n).as_str())
    .bind(recipient)
    .bind(created)
    .bind(blocked)
    .execute(pool)
    .await
    .unwrap();
}

fn email(raw: &str) -> Recipient {
    Recipient::parse(Connection::Email, raw).unwrap()
}

#[tokio::test]
async fn upgrading_folds_every_spelling_of_a_mailbox_onto_its_earliest_user_and_keeps_every_row() {
    let db = TempDb::new();
    let pool = older_file(&db).await;
    old_user(&pool, 2, "alice@example.com", 2_000, false).await;
    old_user(&pool, 1, "Alice@Example.com", 1_000, false).await;
    old_user(&pool, 3, "ALICE@example.com", 3_000, false).await;
    old_user(&pool, 4, "Bob@example.com", 4_000, false).await;
    // A blocked user, and the fresh unblocked user its owner made by
    // changing case.
    old_user(&pool, 5, "victim@corp.com", 5_000, true).await;
    old_user(&pool, 6, "VICTIM@corp.com", 6_000, false).await;
    pool.close().await;

    let store = db.open().await;
    let alice = store
        .find(&email("alice@example.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(alice.id, id(1));
    assert!(!alice.blocked);
    assert_eq!(alice.logins_count, 4);
    let bob = store
        .find(&email("bob@example.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((bob.id, bob.blocked), (id(4), false));
    let victim = store
        .find(&email("Victim@Corp.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!((victim.id.clone(), victim.blocked), (id(5), true));

    // Nothing is deleted: the later spellings are still there, blocked,
    // at an address no mailbox has, with what they were and who kept it.
    for (n, original, kept) in [
        (2, "alice@example.com", 1),
        (3, "ALICE@example.com", 1),
        (6, "VICTIM@corp.com", 5),
    ] {
        let moved = store.get(&id(n)).await.unwrap().unwrap();
        assert!(moved.blocked, "user {n}");
        assert!(
            moved.recipient.as_str().ends_with("@moved-aside.invalid"),
            "user {n}"
        );
        let (was, into) = recorded(&db, n).await;
        assert_eq!(was.as_deref(), Some(original));
        assert_eq!(into, Some(id(kept).as_str().to_owned()));
    }
    assert_eq!(
        recorded(&db, 1).await.0.as_deref(),
        Some("Alice@Example.com")
    );
    assert_eq!(recorded(&db, 5).await, (None, None));
    assert_eq!(user_count(&db).await, 6);
}

#[tokio::test]
async fn the_fold_runs_once_so_a_reopen_changes_nothing() {
    let db = TempDb::new();
    let pool = older_file(&db).await;
    old_user(&pool, 1, "carol@example.com", 1_000, false).await;
    pool.close().await;
    let first = db.open().await;
    drop(first);
    // A row written after the fold, in a form the fold would have changed,
    // shows the fold is not run again at the next start.
    let pool = sqlx::SqlitePool::connect_with(db.sqlx_options())
        .await
        .unwrap();
    old_user(&pool, 2, "Carol@example.com", 2_000, false).await;
    pool.close().await;
    let _second = db.open().await;
    assert_eq!(recorded(&db, 2).await, (None, None));
}

/// `original_recipient` and `merged_into` of user `n`.
async fn recorded(db: &TempDb, n: u8) -> (Option<String>, Option<String>) {
    let pool = sqlx::SqlitePool::connect_with(db.sqlx_options())
        .await
        .unwrap();
    let row = sqlx::query("SELECT original_recipient, merged_into FROM users WHERE id = ?1")
        .bind(id(n).as_str())
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    (row.get("original_recipient"), row.get("merged_into"))
}

async fn user_count(db: &TempDb) -> i64 {
    let pool = sqlx::SqlitePool::connect_with(db.sqlx_options())
        .await
        .unwrap();
    let n = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    pool.close().await;
    n
}
