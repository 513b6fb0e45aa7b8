//! Upgrading a database an older release wrote, when addresses kept the
//! local part's case: migration 0005 folds every spelling of a mailbox onto
//! one user, keeps every row, and does it once even when several instances
//! start together.

use sesame_domain::ports::UserStore;
use sesame_domain::recipient::{Connection, Recipient};
use sesame_domain::user::UserId;
use sqlx::Row as _;

use crate::common::TestDb;
use crate::earlier::migrated_before;

fn id(n: u8) -> UserId {
    UserId::from_random(Connection::Email, [n; 12])
}

async fn old_user(pool: &sqlx::PgPool, n: u8, recipient: &str, created: i64, blocked: bool) {
    sqlx::query(
        "INSERT INTO users (id, connection, recipient, verified, created_at, last_login, \
         logins_count, blocked) VALUES ($1, 'email', $2, TRUE, $3, NULL, 4, $4)",
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

/// `original_recipient` and `merged_into` of user `n`.
async fn recorded(pool: &sqlx::PgPool, n: u8) -> (Option<String>, Option<String>) {
    let row = sqlx::query("SELECT original_recipient, merged_into FROM users WHERE id = $1")
        .bind(id(n).as_str())
        .fetch_one(pool)
        .await
        .unwrap();
    (row.get("original_recipient"), row.get("merged_into"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn upgrading_folds_every_spelling_of_a_mailbox_onto_its_earliest_user_and_keeps_every_row() {
    let db = TestDb::create().await;
    let pool = migrated_before(&db, "0005").await;
    old_user(&pool, 2, "alice@example.com", 2_000, false).await;
    old_user(&pool, 1, "Alice@Example.com", 1_000, false).await;
    old_user(&pool, 3, "ALICE@example.com", 3_000, false).await;
    old_user(&pool, 4, "Bob@example.com", 4_000, false).await;
    // A blocked user, and the fresh unblocked user its owner made by
    // changing case.
    old_user(&pool, 5, "victim@corp.com", 5_000, true).await;
    old_user(&pool, 6, "VICTIM@corp.com", 6_000, false).await;

    // Three instances of the new release start at once.
    let (store, _b, _c) = tokio::join!(db.store(), db.store(), db.store());
    let alice = store
        .find(&email("alice@example.com"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (alice.id, alice.blocked, alice.logins_count),
        (id(1), false, 4)
    );
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
    assert_eq!((victim.id, victim.blocked), (id(5), true));

    // Nothing is deleted: the later spellings are still there, blocked, at
    // an address no mailbox has, with what they were and who kept it.
    for (n, original, kept) in [
        (2, "alice@example.com", 1),
        (3, "ALICE@example.com", 1),
        (6, "VICTIM@corp.com", 5),
    ] {
        let moved = UserStore::get(&store, &id(n)).await.unwrap().unwrap();
        assert!(moved.blocked, "user {n}");
        assert!(
            moved.recipient.as_str().ends_with("@moved-aside.invalid"),
            "user {n}"
        );
        let (was, into) = recorded(&pool, n).await;
        assert_eq!(was.as_deref(), Some(original));
        assert_eq!(into, Some(id(kept).as_str().to_owned()));
    }
    assert_eq!(
        recorded(&pool, 1).await.0.as_deref(),
        Some("Alice@Example.com")
    );
    assert_eq!(recorded(&pool, 5).await, (None, None));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM users")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(count, 6);

    // Once done, a restart does not fold again.
    old_user(&pool, 7, "Carol@example.com", 7_000, false).await;
    store.migrate().await.unwrap();
    assert_eq!(recorded(&pool, 7).await, (None, None));
    pool.close().await;
}
