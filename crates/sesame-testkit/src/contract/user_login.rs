//! The [`UserStore::record_login_or_create`] checks: a login's whole write
//! to the user store in one call.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::UserStore;
use sesame_domain::{Recipient, Timestamp, User};

use super::support::{ok, race, some};
use crate::fixtures::{fresh_email, fresh_phone, fresh_user, real_now};

/// How many logins race in [`concurrent_first_logins_make_one_user_and_count_each`].
const RACERS: usize = 50;

async fn login(
    store: &dyn UserStore,
    recipient: &Recipient,
    fresh: Option<&User>,
    at: Timestamp,
) -> Option<User> {
    ok(
        store.record_login_or_create(recipient, fresh, at).await,
        "record_login_or_create",
    )
}

/// A recipient without a user gets `fresh`, stored with the login applied;
/// a second login counts on the same user, and `find` agrees.
pub async fn a_first_login_creates_the_user_with_its_login_recorded(store: &dyn UserStore) {
    let now = real_now();
    let at = now.plus(Duration::from_secs(5));
    let recipient = fresh_email();
    let fresh = fresh_user(recipient.clone(), now);
    let first = some(
        login(store, &recipient, Some(&fresh), at).await,
        "the user of a first login",
    );
    let expected = User {
        verified: true,
        last_login: Some(at),
        logins_count: 1,
        ..fresh.clone()
    };
    assert_eq!(first, expected, "a first login's user");
    let later = at.plus(Duration::from_secs(60));
    let other = fresh_user(recipient.clone(), now);
    let second = some(
        login(store, &recipient, Some(&other), later).await,
        "the user of a second login",
    );
    assert_eq!(
        (&second.id, second.logins_count, second.last_login),
        (&fresh.id, 2, Some(later)),
        "a second login (with another candidate) counts on the first user"
    );
    assert_eq!(
        ok(store.find(&recipient).await, "find").as_ref(),
        Some(&second),
        "find after two logins"
    );
    assert!(
        ok(store.get(&other.id).await, "get").is_none(),
        "the unused candidate was stored"
    );
}

/// Without `fresh` (sign-ups disabled) an unknown recipient gets nothing
/// and nothing is stored; a known one logs in as usual.
pub async fn without_a_candidate_an_unknown_recipient_gets_nothing(store: &dyn UserStore) {
    let now = real_now();
    let stranger = fresh_phone();
    assert!(
        login(store, &stranger, None, now).await.is_none(),
        "a login of an unknown recipient without a candidate"
    );
    assert!(
        ok(store.find(&stranger).await, "find").is_none(),
        "a user was stored without a candidate"
    );
    let member = fresh_phone();
    ok(
        store.create(&fresh_user(member.clone(), now)).await,
        "create",
    );
    let user = some(login(store, &member, None, now).await, "a member's login");
    assert_eq!(user.logins_count, 1, "a member's login without a candidate");
}

/// A blocked user is returned as it is: no login recorded.
pub async fn a_blocked_users_login_is_not_recorded(store: &dyn UserStore) {
    let now = real_now();
    let recipient = fresh_email();
    let user = ok(
        store.create(&fresh_user(recipient.clone(), now)).await,
        "create",
    );
    assert!(ok(store.set_blocked(&user.id, true).await, "set_blocked"));
    let candidate = fresh_user(recipient.clone(), now);
    let got = some(
        login(store, &recipient, Some(&candidate), now).await,
        "a blocked user's login",
    );
    assert_eq!(
        (&got.id, got.blocked, got.logins_count, got.last_login),
        (&user.id, true, 0, None),
        "a blocked user's login must change nothing"
    );
}

/// Of N concurrent first logins for one recipient, each with its own
/// candidate, exactly one candidate becomes the user, and N logins count.
pub async fn concurrent_first_logins_make_one_user_and_count_each(store: &Arc<dyn UserStore>) {
    let now = real_now();
    let recipient = fresh_email();
    let candidates: Vec<User> = (0..RACERS)
        .map(|_| fresh_user(recipient.clone(), now))
        .collect();
    let users = race(RACERS, |i| {
        let store = Arc::clone(store);
        let (recipient, fresh) = (recipient.clone(), candidates[i].clone());
        async move {
            ok(
                store
                    .record_login_or_create(&recipient, Some(&fresh), now)
                    .await,
                "concurrent record_login_or_create",
            )
        }
    })
    .await;
    let ids: HashSet<_> = users
        .iter()
        .map(|u| {
            some(u.as_ref(), "a concurrent first login's user")
                .id
                .clone()
        })
        .collect();
    assert_eq!(
        ids.len(),
        1,
        "concurrent first logins made {} users",
        ids.len()
    );
    let stored = some(ok(store.find(&recipient).await, "find"), "the user");
    assert!(
        candidates.iter().any(|c| c.id == stored.id),
        "the user is none of the candidates"
    );
    assert_eq!(
        stored.logins_count, RACERS as u64,
        "{RACERS} concurrent first logins: logins counted"
    );
}
