//! The [`UserStore::update_profile`] checks: the verified flag and the
//! metadata objects of Auth0's `PATCH /api/v2/users/{id}`, merged at the
//! root, atomically.

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use sesame_domain::ports::UserStore;
use sesame_domain::user::{
    METADATA_MAX_BYTES, Metadata, MetadataKind, ProfileChange, ProfileUpdate,
};
use sesame_domain::{Connection, Timestamp, User, UserFilter, UserQuery};

use super::support::{fail, ok, race, some};
use crate::fixtures::{fresh_email, fresh_phone, fresh_user, fresh_user_id, real_now};

/// How many patches race in the concurrency check.
const RACERS: usize = 50;
/// How many logins race with them.
const LOGINS: usize = 10;

/// `v` as a metadata object.
#[track_caller]
fn object(v: Value) -> Metadata {
    match v {
        Value::Object(m) => m,
        other => fail(&format!("a test object is not an object: {other}")),
    }
}

/// A change at `at` touching nothing yet.
fn change(at: Timestamp) -> ProfileChange {
    ProfileChange {
        verified: None,
        user_metadata: None,
        app_metadata: None,
        at,
    }
}

async fn create(store: &dyn UserStore, user: &User) -> User {
    ok(store.create(user).await, "create")
}

/// `update_profile` that must apply; the user it returns.
async fn applied(store: &dyn UserStore, user: &User, change: &ProfileChange) -> User {
    match ok(
        store.update_profile(&user.id, change).await,
        "update_profile",
    ) {
        ProfileUpdate::Applied(u) => u,
        other => fail(&format!("update_profile of an existing user: {other:?}")),
    }
}

/// The user as `get`, `find` and `search` by id all return it; they must
/// agree.
async fn read_back(store: &dyn UserStore, user: &User) -> User {
    let got = some(ok(store.get(&user.id).await, "get"), "get of a known user");
    let found = ok(store.find(&user.recipient).await, "find");
    assert_eq!(found.as_ref(), Some(&got), "find and get disagree");
    let query = UserQuery {
        filters: vec![UserFilter::Id(user.id.clone())],
        ..UserQuery::all()
    };
    let page = ok(store.search(&query).await, "search");
    assert_eq!(
        page.users,
        vec![got.clone()],
        "search by id and get disagree"
    );
    got
}

/// A created user with metadata reads back with it from `get`, `find` and
/// `search`; an update sets the verified flag, merges both objects and
/// stamps `profile_updated_at`, returns the user as stored, and every read
/// returns that user.
pub async fn a_profile_round_trips_through_every_read(store: &dyn UserStore) {
    let now = real_now();
    let mut user = fresh_user(fresh_phone(), now);
    user.user_metadata = object(json!({"hobby": "surfing"}));
    user.app_metadata = object(json!({"plan": "free", "ids": {"crm": 17}}));
    user.profile_updated_at = Some(now);
    let user = create(store, &user).await;
    assert_eq!(read_back(store, &user).await, user, "the created user");
    let at = now.plus(Duration::from_secs(3));
    let c = ProfileChange {
        verified: Some(true),
        // Text that trips naive escaping, a NUL, numbers of every kind.
        user_metadata: Some(object(json!({
            "lang": "fr-CA", "quote": "it's \"quoted\" \\ \u{0}\u{1f600}",
            "n": [0, -1, 18_446_744_073_709_551_615_u64, 1.5, 1e300], "nested": {"deep": [{}]}
        }))),
        app_metadata: Some(object(json!({"plan": "full", "roles": ["admin"]}))),
        at,
    };
    let after = applied(store, &user, &c).await;
    let want = User {
        verified: true,
        user_metadata: object(json!({
            "hobby": "surfing", "lang": "fr-CA", "quote": "it's \"quoted\" \\ \u{0}\u{1f600}",
            "n": [0, -1, 18_446_744_073_709_551_615_u64, 1.5, 1e300], "nested": {"deep": [{}]}
        })),
        app_metadata: object(json!({"plan": "full", "ids": {"crm": 17}, "roles": ["admin"]})),
        profile_updated_at: Some(at),
        ..user.clone()
    };
    assert_eq!(after, want, "the user update_profile returns");
    assert_eq!(read_back(store, &user).await, want, "the user read back");
}

/// Top-level properties of a patch are added or replace the stored ones
/// whole: a nested object is replaced, never merged; the others stay.
pub async fn metadata_merges_at_the_root_only(store: &dyn UserStore) {
    let now = real_now();
    let user = create(store, &fresh_user(fresh_email(), now)).await;
    let mut c = change(now);
    c.user_metadata = Some(object(
        json!({"addresses": {"home": "1 Main St", "work": "2 Side St"}, "color": "red"}),
    ));
    applied(store, &user, &c).await;
    c.user_metadata = Some(object(
        json!({"addresses": {"home": "3 New St"}, "tags": ["a"]}),
    ));
    let after = applied(store, &user, &c).await;
    let want = object(json!({"addresses": {"home": "3 New St"}, "color": "red", "tags": ["a"]}));
    assert_eq!(after.user_metadata, want, "merged at the root");
    assert!(
        after.app_metadata.is_empty(),
        "app_metadata was not touched"
    );
    assert_eq!(read_back(store, &user).await.user_metadata, want, "stored");
}

/// A top-level `null` removes the property (a missing one is no error); a
/// `null` inside a nested object is a value, stored as sent (unlike JSON
/// Merge Patch); an empty object removes every property.
pub async fn null_removes_a_property_and_an_empty_object_clears(store: &dyn UserStore) {
    let now = real_now();
    let user = create(store, &fresh_user(fresh_phone(), now)).await;
    let mut c = change(now);
    c.app_metadata = Some(object(json!({"a": 1, "b": {"c": 1, "d": 2}, "e": true})));
    applied(store, &user, &c).await;
    c.app_metadata = Some(object(json!({"a": null, "b": {"c": null}, "zz": null})));
    let after = applied(store, &user, &c).await;
    let want = object(json!({"b": {"c": null}, "e": true}));
    assert_eq!(after.app_metadata, want, "after nulls");
    assert_eq!(read_back(store, &user).await.app_metadata, want, "stored");
    c.app_metadata = Some(Metadata::new());
    let after = applied(store, &user, &c).await;
    assert!(after.app_metadata.is_empty(), "{{}} clears app_metadata");
    assert!(
        read_back(store, &user).await.app_metadata.is_empty(),
        "{{}} clears app_metadata, stored"
    );
}

/// The verified flag is set and cleared as given and kept when not given;
/// logins, blocking and other writes keep the metadata, and the profile
/// update keeps what they wrote.
pub async fn the_verified_flag_changes_and_other_writes_keep_the_profile(store: &dyn UserStore) {
    let now = real_now();
    let user = create(store, &fresh_user(fresh_email(), now)).await;
    let login = now.plus(Duration::from_secs(1));
    ok(store.record_login(&user.id, login).await, "record_login");
    ok(store.set_blocked(&user.id, true).await, "set_blocked");
    let at = now.plus(Duration::from_secs(2));
    let mut c = change(at);
    c.verified = Some(false);
    c.user_metadata = Some(object(json!({"k": "v"})));
    let after = applied(store, &user, &c).await;
    let mut want = User {
        verified: false,
        last_login: Some(login),
        logins_count: 1,
        blocked: true,
        user_metadata: object(json!({"k": "v"})),
        profile_updated_at: Some(at),
        ..user.clone()
    };
    assert_eq!(after, want, "verified cleared, logins and block kept");
    c.verified = None;
    c.user_metadata = Some(object(json!({"k2": "v2"})));
    let after = applied(store, &user, &c).await;
    want.user_metadata = object(json!({"k": "v", "k2": "v2"}));
    assert_eq!(after, want, "verified kept when not given");
    c.verified = Some(true);
    c.user_metadata = None;
    want.verified = true;
    assert_eq!(applied(store, &user, &c).await, want, "verified set");
    ok(store.set_blocked(&user.id, false).await, "set_blocked");
    want.blocked = false;
    let second = now.plus(Duration::from_secs(5));
    let logged = some(
        ok(store.record_login(&user.id, second).await, "record_login"),
        "record_login of a known user",
    );
    want.last_login = Some(second);
    want.logins_count = 2;
    assert_eq!(logged, want, "record_login returns the profile");
    let third = now.plus(Duration::from_secs(6));
    let logged = some(
        ok(
            store
                .record_login_or_create(&user.recipient, None, third)
                .await,
            "record_login_or_create",
        ),
        "record_login_or_create of a known user",
    );
    want.last_login = Some(third);
    want.logins_count = 3;
    assert_eq!(logged, want, "record_login_or_create returns the profile");
    assert_eq!(read_back(store, &user).await, want, "stored");
}

/// `update_profile` of an unknown id is `NoSuchUser` and creates nothing.
pub async fn an_unknown_user_is_no_such_user(store: &dyn UserStore) {
    let id = fresh_user_id(Connection::Sms);
    let mut c = change(real_now());
    c.verified = Some(true);
    c.user_metadata = Some(object(json!({"a": 1})));
    let got = ok(store.update_profile(&id, &c).await, "update_profile");
    assert_eq!(
        got,
        ProfileUpdate::NoSuchUser,
        "update_profile of an unknown id"
    );
    assert!(
        ok(store.get(&id).await, "get").is_none(),
        "update_profile of an unknown id created a user"
    );
}

/// A merged object over 16 KB is `TooLarge`, naming it, and nothing of the
/// change is stored (neither the flag nor the other object); one at the
/// limit is stored.
pub async fn an_object_over_the_limit_changes_nothing(store: &dyn UserStore) {
    let now = real_now();
    let user = create(store, &fresh_user(fresh_email(), now)).await;
    let mut c = change(now);
    // {"big":"…"}: 10 bytes around the string.
    c.app_metadata = Some(object(json!({"big": "x".repeat(METADATA_MAX_BYTES - 10)})));
    let at_limit = applied(store, &user, &c).await;
    let mut over = change(now.plus(Duration::from_secs(1)));
    over.verified = Some(true);
    over.user_metadata = Some(object(json!({"fits": 1})));
    over.app_metadata = Some(object(json!({"one_more": 1})));
    let got = ok(
        store.update_profile(&user.id, &over).await,
        "update_profile",
    );
    assert_eq!(
        got,
        ProfileUpdate::TooLarge(MetadataKind::App),
        "an app_metadata over the limit once merged"
    );
    assert_eq!(
        read_back(store, &user).await,
        at_limit,
        "a refused change stored something"
    );
}

/// Of concurrent updates each setting its own property of both objects,
/// racing with logins, every property survives and every login counts:
/// no update starts from a read another one has since replaced.
pub async fn concurrent_updates_of_different_keys_all_survive(store: &Arc<dyn UserStore>) {
    let now = real_now();
    let user = create(store.as_ref(), &fresh_user(fresh_phone(), now)).await;
    race(RACERS + LOGINS, |i| {
        let store = Arc::clone(store);
        let user = user.clone();
        let at = now.plus(Duration::from_millis(i as u64));
        async move {
            if i < RACERS {
                let mut c = change(at);
                c.user_metadata = Some(object(json!({format!("u{i}"): i})));
                c.app_metadata = Some(object(json!({format!("a{i}"): {"n": i}})));
                applied(store.as_ref(), &user, &c).await;
            } else {
                let after = ok(store.record_login(&user.id, at).await, "record_login");
                some(after, "record_login of a known user");
            }
        }
    })
    .await;
    let stored = read_back(store.as_ref(), &user).await;
    let lost: Vec<usize> = (0..RACERS)
        .filter(|i| {
            !stored.user_metadata.contains_key(&format!("u{i}"))
                || !stored.app_metadata.contains_key(&format!("a{i}"))
        })
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {RACERS} concurrent updates lost their property: {lost:?}",
        lost.len()
    );
    assert_eq!(stored.user_metadata.len(), RACERS, "user_metadata keys");
    assert_eq!(stored.app_metadata.len(), RACERS, "app_metadata keys");
    assert_eq!(
        stored.logins_count, LOGINS as u64,
        "logins racing with profile updates"
    );
}
