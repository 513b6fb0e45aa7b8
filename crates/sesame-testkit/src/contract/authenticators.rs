//! The [`AuthenticatorStore`] checks.
//!
//! Every check works on fresh users, and most give two users an
//! authenticator of the same id, so a store that finds authenticators by id
//! alone (and so reaches another user's) fails them.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::mfa::{Authenticator, AuthenticatorId, AuthenticatorSecret, Factor};
use sesame_domain::ports::AuthenticatorStore;
use sesame_domain::{Connection, Timestamp, UserId};

use super::support::{ok, race, some};
use crate::fixtures::{fresh_user_id, random_bytes, real_now};

/// How many calls race in the concurrency checks.
const RACERS: usize = 50;

/// A fresh, inactive, never used `factor` authenticator of `user`, enrolled
/// at `created_at`, whose secret holds bytes that trip text encodings.
#[must_use]
pub fn fresh_authenticator(user: &UserId, factor: Factor, created_at: Timestamp) -> Authenticator {
    Authenticator {
        id: AuthenticatorId::new(factor, random_bytes()),
        user_id: user.clone(),
        factor,
        name: None,
        secret: fresh_secret(),
        active: false,
        created_at,
        last_used: None,
        last_step: None,
    }
}

/// 32 random bytes, then NUL, a quote, a backslash and invalid UTF-8.
fn fresh_secret() -> AuthenticatorSecret {
    let mut bytes = random_bytes::<32>().to_vec();
    bytes.extend_from_slice(&[0x00, b'"', b'\\', 0xc3, 0x28, 0xff]);
    AuthenticatorSecret(bytes)
}

/// A fresh user id.
fn fresh_user() -> UserId {
    fresh_user_id(Connection::Email)
}

/// `a` for another user: same id, factor and secret.
fn same_for(user: &UserId, a: &Authenticator) -> Authenticator {
    Authenticator {
        user_id: user.clone(),
        ..a.clone()
    }
}

async fn insert(store: &dyn AuthenticatorStore, a: &Authenticator) {
    ok(store.insert(a).await, "insert");
}

async fn list(store: &dyn AuthenticatorStore, user: &UserId) -> Vec<Authenticator> {
    ok(store.list(user).await, "list")
}

/// `user`'s authenticator `id`, as `list` returns it.
async fn one(store: &dyn AuthenticatorStore, user: &UserId, id: &AuthenticatorId) -> Authenticator {
    some(
        list(store, user).await.into_iter().find(|a| &a.id == id),
        "the authenticator in list",
    )
}

async fn record_use(
    store: &dyn AuthenticatorStore,
    a: &Authenticator,
    step: Option<i64>,
    at: Timestamp,
) -> bool {
    ok(
        store.record_use(&a.user_id, &a.id, step, at).await,
        "record_use",
    )
}

async fn replace(
    store: &dyn AuthenticatorStore,
    a: &Authenticator,
    current: &AuthenticatorSecret,
    next: &AuthenticatorSecret,
    at: Timestamp,
) -> bool {
    ok(
        store
            .replace_secret(&a.user_id, &a.id, current, next, at)
            .await,
        "replace_secret",
    )
}

/// `insert` then `list` returns every field unchanged, oldest first: an
/// enrollment never confirmed (no name, never used, no step), an active
/// SMS factor with a masked name and a last use, a TOTP factor with a
/// large last step, and an email factor whose name is not ASCII.
pub async fn every_field_round_trips_oldest_first(store: &dyn AuthenticatorStore) {
    let user = fresh_user();
    let t = real_now();
    let pending = fresh_authenticator(&user, Factor::Otp, t);
    let mut sms = fresh_authenticator(&user, Factor::Sms, t.plus(Duration::from_millis(1)));
    sms.name = Some("+X XXXX1234".to_owned());
    sms.active = true;
    sms.last_used = Some(t.plus(Duration::from_millis(1_234)));
    let mut totp = fresh_authenticator(&user, Factor::Otp, t.plus(Duration::from_secs(2)));
    totp.active = true;
    totp.last_used = Some(t.plus(Duration::from_secs(3)));
    totp.last_step = Some(i64::from(u32::MAX) * 7);
    let mut email = fresh_authenticator(&user, Factor::Email, t.plus(Duration::from_secs(60)));
    email.name = Some("j***@exämple.com \"✓\"".to_owned());
    let mut recovery =
        fresh_authenticator(&user, Factor::RecoveryCode, t.plus(Duration::from_secs(61)));
    recovery.active = true;
    let all = vec![pending, sms, totp, email, recovery];
    for a in &all {
        insert(store, a).await;
    }
    assert_eq!(
        list(store, &user).await,
        all,
        "list after insert: every field unchanged, oldest first"
    );
}

/// `list` returns only the user's own authenticators, and nothing for a
/// user who has none.
pub async fn list_is_per_user(store: &dyn AuthenticatorStore) {
    let (alice, bob) = (fresh_user(), fresh_user());
    let t = real_now();
    let hers = fresh_authenticator(&alice, Factor::Otp, t);
    let his = fresh_authenticator(&bob, Factor::Sms, t);
    let his_copy = same_for(&bob, &hers);
    for a in [&hers, &his, &his_copy] {
        insert(store, a).await;
    }
    assert_eq!(list(store, &alice).await, vec![hers], "list of one user");
    assert_eq!(
        list(store, &bob).await,
        vec![his, his_copy],
        "list of another user"
    );
    assert!(
        list(store, &fresh_user()).await.is_empty(),
        "list of a user without authenticators"
    );
}

/// `delete_inactive` removes the user's inactive authenticators and counts
/// them; it keeps the active ones and every other user's, and removes
/// nothing when called again.
pub async fn delete_inactive_keeps_active_and_other_users_authenticators(
    store: &dyn AuthenticatorStore,
) {
    let (alice, bob) = (fresh_user(), fresh_user());
    let t = real_now();
    let mut active = fresh_authenticator(&alice, Factor::Otp, t);
    active.active = true;
    let pending_otp = fresh_authenticator(&alice, Factor::Otp, t.plus(Duration::from_millis(1)));
    let pending_sms = fresh_authenticator(&alice, Factor::Sms, t.plus(Duration::from_millis(2)));
    let his_pending = same_for(&bob, &pending_otp);
    for a in [&active, &pending_otp, &pending_sms, &his_pending] {
        insert(store, a).await;
    }
    assert_eq!(
        ok(store.delete_inactive(&alice).await, "delete_inactive"),
        2,
        "delete_inactive of a user with two inactive authenticators"
    );
    assert_eq!(
        list(store, &alice).await,
        vec![active],
        "delete_inactive must keep the active authenticator"
    );
    assert_eq!(
        list(store, &bob).await,
        vec![his_pending],
        "delete_inactive removed another user's authenticator"
    );
    assert_eq!(
        ok(store.delete_inactive(&alice).await, "delete_inactive"),
        0,
        "a second delete_inactive"
    );
}

/// `delete` removes the user's authenticator and says so once; another
/// user's authenticator of the same id stays, and an unknown id is
/// `false`.
pub async fn delete_removes_only_that_users_authenticator(store: &dyn AuthenticatorStore) {
    let (alice, bob) = (fresh_user(), fresh_user());
    let t = real_now();
    let mut hers = fresh_authenticator(&alice, Factor::Otp, t);
    hers.active = true;
    let his = same_for(&bob, &hers);
    let kept = fresh_authenticator(&alice, Factor::Sms, t.plus(Duration::from_millis(1)));
    for a in [&hers, &his, &kept] {
        insert(store, a).await;
    }
    assert!(
        ok(store.delete(&alice, &hers.id).await, "delete"),
        "delete of an existing authenticator returned false"
    );
    assert_eq!(
        list(store, &alice).await,
        vec![kept],
        "delete removed the wrong authenticators"
    );
    assert_eq!(
        list(store, &bob).await,
        vec![his],
        "delete removed another user's authenticator of the same id"
    );
    assert!(
        !ok(store.delete(&alice, &hers.id).await, "delete"),
        "a second delete returned true"
    );
    let unknown = AuthenticatorId::new(Factor::Otp, random_bytes());
    assert!(
        !ok(store.delete(&alice, &unknown).await, "delete"),
        "delete of an unknown id returned true"
    );
}

/// `activate` makes the authenticator active without recording a use, and
/// leaves another user's authenticator of the same id inactive; an unknown
/// id is `false`.
pub async fn activate_changes_only_that_users_authenticator(store: &dyn AuthenticatorStore) {
    let (alice, bob) = (fresh_user(), fresh_user());
    let hers = fresh_authenticator(&alice, Factor::RecoveryCode, real_now());
    let his = same_for(&bob, &hers);
    insert(store, &hers).await;
    insert(store, &his).await;
    assert!(
        ok(store.activate(&alice, &hers.id).await, "activate"),
        "activate of an existing authenticator returned false"
    );
    let want = Authenticator {
        active: true,
        ..hers.clone()
    };
    assert_eq!(
        one(store, &alice, &hers.id).await,
        want,
        "activate must set active and nothing else"
    );
    assert_eq!(
        one(store, &bob, &his.id).await,
        his,
        "activate changed another user's authenticator of the same id"
    );
    let unknown = AuthenticatorId::new(Factor::Otp, random_bytes());
    assert!(
        !ok(store.activate(&alice, &unknown).await, "activate"),
        "activate of an unknown id returned true"
    );
    assert!(
        !ok(store.activate(&fresh_user(), &hers.id).await, "activate"),
        "activate of an id under a user who does not own it returned true"
    );
}

/// `record_use` without a step makes the authenticator active and sets
/// `last_used`, every time, and changes neither `last_step` nor another
/// user's authenticator of the same id; an unknown one is `false`.
pub async fn record_use_without_a_step_activates_and_sets_last_used(
    store: &dyn AuthenticatorStore,
) {
    let (alice, bob) = (fresh_user(), fresh_user());
    let t = real_now();
    let mut hers = fresh_authenticator(&alice, Factor::Sms, t);
    hers.last_step = Some(12);
    let his = same_for(&bob, &hers);
    insert(store, &hers).await;
    insert(store, &his).await;
    for at in [
        t.plus(Duration::from_secs(5)),
        t.plus(Duration::from_secs(9)),
    ] {
        assert!(
            record_use(store, &hers, None, at).await,
            "record_use without a step returned false"
        );
        let want = Authenticator {
            active: true,
            last_used: Some(at),
            ..hers.clone()
        };
        assert_eq!(
            one(store, &alice, &hers.id).await,
            want,
            "record_use without a step"
        );
    }
    assert_eq!(
        one(store, &bob, &his.id).await,
        his,
        "record_use changed another user's authenticator of the same id"
    );
    let stranger = fresh_authenticator(&fresh_user(), Factor::Sms, t);
    assert!(
        !record_use(store, &stranger, None, t).await,
        "record_use of an unknown authenticator returned true"
    );
}

/// `record_use` with a step accepts a step above the last one and records
/// it, and refuses the same step or an earlier one, changing nothing; the
/// steps of another user's authenticator of the same id are its own.
pub async fn record_use_with_a_step_accepts_only_a_later_step(store: &dyn AuthenticatorStore) {
    let (alice, bob) = (fresh_user(), fresh_user());
    let t = real_now();
    let hers = fresh_authenticator(&alice, Factor::Otp, t);
    let his = same_for(&bob, &hers);
    insert(store, &hers).await;
    insert(store, &his).await;
    let step = 58_000_000;
    let first = t.plus(Duration::from_secs(1));
    assert!(
        record_use(store, &hers, Some(step), first).await,
        "the first use of a step returned false"
    );
    let used = Authenticator {
        active: true,
        last_used: Some(first),
        last_step: Some(step),
        ..hers.clone()
    };
    assert_eq!(one(store, &alice, &hers.id).await, used, "after a step");
    let later = t.plus(Duration::from_secs(2));
    for (again, what) in [(step, "the same step"), (step - 1, "an earlier step")] {
        assert!(
            !record_use(store, &hers, Some(again), later).await,
            "record_use accepted {what}"
        );
        assert_eq!(
            one(store, &alice, &hers.id).await,
            used,
            "a refused record_use changed the authenticator"
        );
    }
    assert_eq!(
        one(store, &bob, &his.id).await,
        his,
        "record_use changed another user's authenticator of the same id"
    );
    assert!(
        record_use(store, &his, Some(step), later).await,
        "another user's authenticator of the same id refused a step only the first used"
    );
    assert!(
        record_use(store, &hers, Some(step + 1), later).await,
        "record_use refused a later step"
    );
    assert_eq!(
        one(store, &alice, &hers.id).await,
        Authenticator {
            last_used: Some(later),
            last_step: Some(step + 1),
            ..used
        },
        "after a later step"
    );
}

/// A refused step leaves an inactive authenticator inactive.
pub async fn a_refused_step_does_not_activate(store: &dyn AuthenticatorStore) {
    let user = fresh_user();
    let mut a = fresh_authenticator(&user, Factor::Otp, real_now());
    a.last_step = Some(41);
    insert(store, &a).await;
    assert!(
        !record_use(store, &a, Some(41), real_now()).await,
        "record_use accepted the step already used"
    );
    assert_eq!(
        one(store, &user, &a.id).await,
        a,
        "a refused record_use changed the authenticator"
    );
}

/// Of concurrent `record_use`s with one step, exactly one returns `true`.
pub async fn concurrent_uses_of_one_step_pass_once(store: &Arc<dyn AuthenticatorStore>) {
    let user = fresh_user();
    let a = fresh_authenticator(&user, Factor::Otp, real_now());
    insert(store.as_ref(), &a).await;
    let step = 58_000_123;
    let at = real_now();
    let passed = race(RACERS, |_| {
        let store = Arc::clone(store);
        let (user, id) = (a.user_id.clone(), a.id.clone());
        async move {
            ok(
                store.record_use(&user, &id, Some(step), at).await,
                "record_use",
            )
        }
    })
    .await
    .into_iter()
    .filter(|&p| p)
    .count();
    assert_eq!(
        passed, 1,
        "{RACERS} concurrent record_use calls with one step: passed"
    );
    assert_eq!(
        one(store.as_ref(), &user, &a.id).await.last_step,
        Some(step),
        "last_step after concurrent uses"
    );
}

/// `replace_secret` with the wrong current secret is `false` and changes
/// nothing; with the right one it stores the next secret and records the
/// use (active, `last_used`, `last_step` kept), after which the old secret
/// is wrong. Another user's authenticator of the same id and secret keeps
/// its secret, and an unknown id is `false`.
pub async fn replace_secret_is_a_compare_and_swap(store: &dyn AuthenticatorStore) {
    let (alice, bob) = (fresh_user(), fresh_user());
    let t = real_now();
    let mut hers = fresh_authenticator(&alice, Factor::RecoveryCode, t);
    hers.last_step = Some(7);
    let his = same_for(&bob, &hers);
    insert(store, &hers).await;
    insert(store, &his).await;
    let next = fresh_secret();
    let at = t.plus(Duration::from_secs(30));
    assert!(
        !replace(store, &hers, &fresh_secret(), &next, at).await,
        "replace_secret with a wrong current secret returned true"
    );
    assert_eq!(
        one(store, &alice, &hers.id).await,
        hers,
        "a refused replace_secret changed the authenticator"
    );
    assert!(
        replace(store, &hers, &hers.secret, &next, at).await,
        "replace_secret with the current secret returned false"
    );
    let replaced = Authenticator {
        secret: next.clone(),
        active: true,
        last_used: Some(at),
        ..hers.clone()
    };
    assert_eq!(
        one(store, &alice, &hers.id).await,
        replaced,
        "after replace_secret"
    );
    assert!(
        !replace(store, &hers, &hers.secret, &next, at).await,
        "replace_secret with the replaced secret returned true"
    );
    assert_eq!(
        one(store, &bob, &his.id).await,
        his,
        "replace_secret changed another user's authenticator of the same id"
    );
    let unknown = AuthenticatorId::new(Factor::RecoveryCode, random_bytes());
    assert!(
        !ok(
            store
                .replace_secret(&alice, &unknown, &hers.secret, &next, at)
                .await,
            "replace_secret"
        ),
        "replace_secret of an unknown id returned true"
    );
}

/// Of concurrent `replace_secret`s from one current secret, exactly one
/// returns `true`, and its next secret is the one stored.
pub async fn concurrent_replacements_of_one_secret_pass_once(store: &Arc<dyn AuthenticatorStore>) {
    let user = fresh_user();
    let a = fresh_authenticator(&user, Factor::RecoveryCode, real_now());
    insert(store.as_ref(), &a).await;
    let nexts: Vec<AuthenticatorSecret> = (0..RACERS).map(|_| fresh_secret()).collect();
    let at = real_now();
    let results = race(RACERS, |i| {
        let store = Arc::clone(store);
        let (user, id, current) = (a.user_id.clone(), a.id.clone(), a.secret.clone());
        let next = nexts[i].clone();
        async move {
            ok(
                store.replace_secret(&user, &id, &current, &next, at).await,
                "replace_secret",
            )
        }
    })
    .await;
    let winners: Vec<usize> = (0..RACERS).filter(|&i| results[i]).collect();
    assert_eq!(
        winners.len(),
        1,
        "{RACERS} concurrent replace_secret calls from one secret: passed"
    );
    assert_eq!(
        one(store.as_ref(), &user, &a.id).await.secret,
        nexts[winners[0]],
        "the stored secret is not the winner's"
    );
}
