use super::*;
use crate::recipient::Connection;

fn user(n: u8, recipient: &str, created: i64, blocked: bool) -> StoredEmailUser {
    StoredEmailUser {
        id: UserId::from_random(Connection::Email, [n; 12]),
        recipient: recipient.to_owned(),
        created_at: Timestamp::from_unix_millis(created),
        blocked,
    }
}

fn id(n: u8) -> UserId {
    UserId::from_random(Connection::Email, [n; 12])
}

fn aside(n: u8) -> String {
    format!("{}@{MOVED_ASIDE_DOMAIN}", hex::encode([n; 12]))
}

#[test]
fn users_already_normalised_and_alone_change_nothing() {
    let plan = plan(&[
        user(1, "alice@example.com", 1, false),
        user(2, "bob@example.com", 2, true),
    ]);
    assert!(plan.folds.is_empty());
}

#[test]
fn a_lone_mixed_case_address_is_renamed_and_keeps_its_user() {
    let plan = plan(&[user(1, "Alice@example.com", 1, false)]);
    assert_eq!(plan.folds.len(), 1);
    let f = &plan.folds[0];
    assert_eq!(f.id, id(1));
    assert_eq!(f.recipient.as_str(), "alice@example.com");
    assert!(!f.blocked && !f.moved_aside && f.merged_into.is_none());
}

#[test]
fn the_earliest_spelling_keeps_the_mailbox_and_the_later_ones_are_blocked_and_moved_aside() {
    let plan = plan(&[
        user(3, "ALICE@example.com", 30, false),
        user(1, "Alice@example.com", 10, false),
        user(2, "alice@example.com", 20, false),
    ]);
    // Moves aside come first, so renaming the keeper never meets a row
    // still holding its address.
    let shown: Vec<(UserId, &str, bool, Option<UserId>)> = plan
        .folds
        .iter()
        .map(|f| {
            (
                f.id.clone(),
                f.recipient.as_str(),
                f.blocked,
                f.merged_into.clone(),
            )
        })
        .collect();
    assert_eq!(
        shown,
        vec![
            (id(2), aside(2).as_str(), true, Some(id(1))),
            (id(3), aside(3).as_str(), true, Some(id(1))),
            (id(1), "alice@example.com", false, None),
        ]
    );
}

#[test]
fn a_block_on_any_spelling_stays_on_the_mailbox() {
    let plan = plan(&[
        user(1, "victim@corp.com", 1, false),
        user(2, "Victim@corp.com", 2, true),
    ]);
    let keeper = plan.folds.iter().find(|f| f.id == id(1)).unwrap();
    assert!(keeper.blocked);
    assert_eq!(keeper.recipient.as_str(), "victim@corp.com");
}

#[test]
fn a_later_unblocked_spelling_of_a_blocked_user_is_moved_aside_blocked() {
    let plan = plan(&[
        user(1, "victim@corp.com", 1, true),
        user(2, "VICTIM@corp.com", 2, false),
    ]);
    assert_eq!(plan.folds.len(), 1);
    assert_eq!(plan.folds[0].id, id(2));
    assert!(plan.folds[0].blocked && plan.folds[0].moved_aside);
}

#[test]
fn an_address_that_no_longer_parses_is_blocked_and_moved_aside() {
    let plan = plan(&[user(1, "a\u{ff20}b@example.com", 1, false)]);
    assert_eq!(plan.folds.len(), 1);
    assert_eq!(plan.folds[0].recipient.as_str(), aside(1));
    assert!(plan.folds[0].blocked && plan.folds[0].merged_into.is_none());
}

#[test]
fn equal_creation_times_are_broken_by_id_so_every_instance_folds_alike() {
    let a = plan(&[user(2, "X@e.com", 5, false), user(1, "x@e.com", 5, false)]);
    let b = plan(&[user(1, "x@e.com", 5, false), user(2, "X@e.com", 5, false)]);
    assert_eq!(a.folds, b.folds);
    assert_eq!(a.folds[0].merged_into, Some(id(1)));
}
