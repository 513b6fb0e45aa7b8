//! The [`UserStore`] checks.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use sesame_domain::ports::UserStore;
use sesame_domain::user::Metadata;
use sesame_domain::{Connection, EmailAddress, Recipient, User};

use super::support::{ok, race, some};
use crate::fixtures::{fresh_email, fresh_phone, fresh_user, fresh_user_id, real_now, unique_hex};

/// How many tasks race in the concurrency checks.
const RACERS: usize = 50;

async fn create(store: &dyn UserStore, user: &User) -> User {
    ok(store.create(user).await, "create")
}

fn metadata(v: serde_json::Value) -> Metadata {
    match v {
        serde_json::Value::Object(m) => m,
        other => super::support::fail(&format!("a test object is not an object: {other}")),
    }
}

/// `create` of a new recipient returns the user; `find` and `get` return it
/// with every field unchanged, for email (local part in mixed case) and sms,
/// in every state, metadata included.
pub async fn every_field_round_trips(store: &dyn UserStore) {
    let now = real_now();
    let mixed_case = some(
        EmailAddress::parse(&format!("Mixed.Case+tag.{}@Example.com", unique_hex())).ok(),
        "a mixed-case address",
    );
    let fresh = fresh_user(Recipient::Email(mixed_case), now);
    let mut seasoned = fresh_user(fresh_phone(), now);
    seasoned.verified = true;
    seasoned.created_at = now.plus(Duration::from_millis(1));
    seasoned.last_login = Some(now.plus(Duration::from_millis(1_234)));
    seasoned.logins_count = 41;
    seasoned.blocked = true;
    seasoned.user_metadata = metadata(json!({"lang": "en", "prefs": {"dark": true, "none": null}}));
    seasoned.app_metadata = metadata(json!({"plan": "full", "roles": ["a", "b"], "n": 1.25}));
    seasoned.profile_updated_at = Some(now.plus(Duration::from_millis(2_345)));
    for user in [&fresh, &seasoned] {
        assert_eq!(
            &create(store, user).await,
            user,
            "create of a new recipient"
        );
        let found = ok(store.find(&user.recipient).await, "find");
        assert_eq!(found.as_ref(), Some(user), "find after create");
        let got = ok(store.get(&user.id).await, "get");
        assert_eq!(got.as_ref(), Some(user), "get after create");
    }
}

/// `find` and `get` of users never created return `None`.
pub async fn unknown_users_are_not_found(store: &dyn UserStore) {
    assert!(
        ok(store.find(&fresh_email()).await, "find").is_none(),
        "find of an unknown recipient returned a user"
    );
    assert!(
        ok(store.get(&fresh_user_id(Connection::Sms)).await, "get").is_none(),
        "get of an unknown id returned a user"
    );
}

/// A second `create` for a recipient returns the first user and stores
/// nothing new.
pub async fn create_returns_the_existing_user_for_a_known_recipient(store: &dyn UserStore) {
    let now = real_now();
    let first = fresh_user(fresh_email(), now);
    create(store, &first).await;
    let mut second = fresh_user(first.recipient.clone(), now.plus(Duration::from_secs(5)));
    second.logins_count = 9;
    assert_eq!(
        create(store, &second).await,
        first,
        "create of a known recipient must return the stored user"
    );
    assert!(
        ok(store.get(&second.id).await, "get").is_none(),
        "the losing create stored a second user"
    );
    let found = ok(store.find(&first.recipient).await, "find");
    assert_eq!(found, Some(first), "find after a duplicate create");
}

/// Of concurrent `create`s for one recipient, all return the same stored
/// user and only that user exists afterwards.
pub async fn concurrent_creates_make_one_user(store: &Arc<dyn UserStore>) {
    let now = real_now();
    let recipient = fresh_phone();
    let candidates: Vec<User> = (0..RACERS)
        .map(|_| fresh_user(recipient.clone(), now))
        .collect();
    let returned = race(RACERS, |i| {
        let store = Arc::clone(store);
        let user = candidates[i].clone();
        async move { ok(store.create(&user).await, "concurrent create") }
    })
    .await;
    let ids: HashSet<_> = returned.iter().map(|u| u.id.clone()).collect();
    assert_eq!(
        ids.len(),
        1,
        "concurrent creates returned {} users",
        ids.len()
    );
    let winner = &returned[0];
    assert!(
        candidates.contains(winner),
        "concurrent creates returned a user nobody created"
    );
    let found = ok(store.find(&recipient).await, "find");
    assert_eq!(
        found.as_ref(),
        Some(winner),
        "find after concurrent creates"
    );
    for c in candidates.iter().filter(|c| c.id != winner.id) {
        assert!(
            ok(store.get(&c.id).await, "get").is_none(),
            "a losing concurrent create stored its user"
        );
    }
}

/// `record_login` marks the recipient verified, sets `last_login`, adds one
/// to `logins_count`, returns the updated user and touches no other user.
pub async fn record_login_marks_verified_and_counts(store: &dyn UserStore) {
    let now = real_now();
    let user = create(store, &fresh_user(fresh_email(), now)).await;
    let bystander = create(store, &fresh_user(fresh_email(), now)).await;
    let t1 = now.plus(Duration::from_secs(10));
    let t2 = now.plus(Duration::from_secs(20));
    let after1 = some(
        ok(store.record_login(&user.id, t1).await, "record_login"),
        "record_login of an existing user",
    );
    let mut want = user.clone();
    want.verified = true;
    want.last_login = Some(t1);
    want.logins_count = 1;
    assert_eq!(after1, want, "the user after one login");
    let after2 = some(
        ok(store.record_login(&user.id, t2).await, "record_login"),
        "record_login of an existing user",
    );
    want.last_login = Some(t2);
    want.logins_count = 2;
    assert_eq!(after2, want, "the user after two logins");
    let stored = ok(store.get(&user.id).await, "get");
    assert_eq!(stored, Some(want), "get must reflect record_login");
    let other = ok(store.get(&bystander.id).await, "get");
    assert_eq!(other, Some(bystander), "record_login changed another user");
}

/// `record_login` of an unknown id returns `None`.
pub async fn record_login_of_an_unknown_user_is_none(store: &dyn UserStore) {
    let id = fresh_user_id(Connection::Email);
    assert!(
        ok(store.record_login(&id, real_now()).await, "record_login").is_none(),
        "record_login of an unknown id returned a user"
    );
}

/// `N` concurrent `record_login` calls add exactly `N`.
pub async fn record_login_is_atomic_under_concurrency(store: &Arc<dyn UserStore>) {
    let now = real_now();
    let user = create(store.as_ref(), &fresh_user(fresh_phone(), now)).await;
    let counts = race(RACERS, |i| {
        let store = Arc::clone(store);
        let id = user.id.clone();
        let at = now.plus(Duration::from_millis(i as u64));
        async move {
            let after = ok(store.record_login(&id, at).await, "concurrent record_login");
            some(after, "concurrent record_login of an existing user").logins_count
        }
    })
    .await;
    // The port promises the total, not which count each caller sees.
    assert!(
        counts.iter().all(|c| (1..=RACERS as u64).contains(c)),
        "{RACERS} concurrent record_login returned counts outside 1..={RACERS}: {counts:?}"
    );
    let stored = some(ok(store.get(&user.id).await, "get"), "get");
    assert_eq!(
        stored.logins_count, RACERS as u64,
        "logins_count after the race"
    );
}

/// `set_blocked` blocks and unblocks an existing user, and returns `false`
/// for an unknown one.
pub async fn set_blocked_blocks_and_unblocks(store: &dyn UserStore) {
    let user = create(store, &fresh_user(fresh_email(), real_now())).await;
    for blocked in [true, true, false] {
        assert!(
            ok(store.set_blocked(&user.id, blocked).await, "set_blocked"),
            "set_blocked of an existing user returned false"
        );
        let found = some(ok(store.find(&user.recipient).await, "find"), "find");
        let mut want = user.clone();
        want.blocked = blocked;
        assert_eq!(found, want, "the user after set_blocked({blocked})");
    }
    let unknown = fresh_user_id(Connection::Sms);
    assert!(
        !ok(store.set_blocked(&unknown, true).await, "set_blocked"),
        "set_blocked of an unknown id returned true"
    );
}
