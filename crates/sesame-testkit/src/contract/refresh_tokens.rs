//! The [`RefreshTokenStore`] checks.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::code::CodeMac;
use sesame_domain::ports::RefreshTokenStore;
use sesame_domain::{Connection, RefreshTokenRecord, Rotation, Timestamp, UserId};

use super::support::{fail, ok, race, some};
use crate::fixtures::{
    fresh_mac, fresh_refresh_record, fresh_user_id, real_now, scope, unique_hex,
};

/// How many rotations race in [`concurrent_rotations_rotate_once`].
const RACERS: usize = 50;
/// The idle lifetime the checks rotate with.
const IDLE: Duration = Duration::from_secs(86_400);

async fn insert(store: &dyn RefreshTokenStore, record: &RefreshTokenRecord) {
    ok(store.insert(record).await, "insert");
}

async fn find(store: &dyn RefreshTokenStore, mac: &CodeMac) -> Option<RefreshTokenRecord> {
    ok(store.find(mac).await, "find")
}

async fn revoke_user(store: &dyn RefreshTokenStore, user: &UserId) {
    ok(store.revoke_user(user).await, "revoke_user");
}

async fn rotate(
    store: &dyn RefreshTokenStore,
    presented: &CodeMac,
    replacement: &CodeMac,
    now: Timestamp,
) -> Rotation {
    ok(
        store.rotate(presented, replacement, now, IDLE).await,
        "rotate",
    )
}

/// What the port says the replacement of `old`, rotated at `now`, is.
fn replacement_of(old: &RefreshTokenRecord, mac: &CodeMac, now: Timestamp) -> RefreshTokenRecord {
    RefreshTokenRecord {
        token_mac: mac.clone(),
        created_at: now,
        expires_at: now.plus(IDLE).min(old.family_expires_at),
        ..old.clone()
    }
}

/// `insert` then `find` returns the record with every field unchanged, with
/// and without an audience and DPoP key, and with the second-factor flag
/// set and unset.
pub async fn every_field_round_trips(store: &dyn RefreshTokenStore) {
    let mut with_audience = fresh_refresh_record(real_now());
    with_audience.mfa = true;
    let mut without = fresh_refresh_record(real_now());
    without.audience = None;
    without.jkt = None;
    without.mfa = false;
    without.scope = scope("openid offline_access email phone read:messages urn:x-odd/~!#$");
    for record in [&with_audience, &without] {
        insert(store, record).await;
        let got = find(store, &record.token_mac).await;
        assert_eq!(got.as_ref(), Some(record), "a refresh token read back");
    }
}

/// A family whose login passed a second factor keeps saying so: `find`
/// returns `mfa: true`, `rotate` returns the record with it, and the
/// replacement carries it (as it does `mfa: false`).
pub async fn the_second_factor_flag_survives_find_and_rotate(store: &dyn RefreshTokenStore) {
    let issued = real_now();
    let mut with = fresh_refresh_record(issued);
    with.mfa = true;
    let without = fresh_refresh_record(issued);
    let later = issued.plus(Duration::from_secs(5));
    for record in [&with, &without] {
        insert(store, record).await;
        assert_eq!(
            find(store, &record.token_mac).await.as_ref(),
            Some(record),
            "a refresh token read back, mfa = {}",
            record.mfa
        );
        let mac = fresh_mac();
        assert_eq!(
            rotate(store, &record.token_mac, &mac, later).await,
            Rotation::Rotated(record.clone()),
            "rotating a live token, mfa = {}",
            record.mfa
        );
        let got = some(find(store, &mac).await, "the replacement");
        assert_eq!(
            got.mfa, record.mfa,
            "the replacement must keep the family's mfa flag"
        );
        assert_eq!(got, replacement_of(record, &mac, later), "the replacement");
    }
}

/// `find` of a MAC never stored returns `None`.
pub async fn an_unknown_token_is_not_found(store: &dyn RefreshTokenStore) {
    assert!(
        find(store, &fresh_mac()).await.is_none(),
        "find of an unknown token returned a record"
    );
}

/// `rotate` of a live token returns `Rotated` with its record, and stores
/// the replacement: family, client, user, scope, audience, family expiry
/// and DPoP key copied, `created_at = now`, `expires_at = now + idle`. The spent token
/// stays findable, and the replacement rotates in turn.
pub async fn rotate_spends_the_token_and_stores_its_replacement(store: &dyn RefreshTokenStore) {
    let issued = real_now();
    let first = fresh_refresh_record(issued);
    insert(store, &first).await;
    let (mac2, mac3) = (fresh_mac(), fresh_mac());
    let t2 = issued.plus(Duration::from_secs(5));
    let rotated = rotate(store, &first.token_mac, &mac2, t2).await;
    assert_eq!(
        rotated,
        Rotation::Rotated(first.clone()),
        "rotating a live token"
    );
    let second = replacement_of(&first, &mac2, t2);
    assert_eq!(
        find(store, &mac2).await,
        Some(second.clone()),
        "the replacement"
    );
    assert_eq!(
        find(store, &first.token_mac).await,
        Some(first.clone()),
        "find must still return a spent token of a live family"
    );
    let t3 = t2.plus(Duration::from_secs(5));
    let rotated = rotate(store, &mac2, &mac3, t3).await;
    assert_eq!(
        rotated,
        Rotation::Rotated(second.clone()),
        "rotating the replacement"
    );
    assert_eq!(
        find(store, &mac3).await,
        Some(replacement_of(&second, &mac3, t3)),
        "the replacement's replacement"
    );
}

/// The replacement's `expires_at` is capped by the family's absolute expiry.
pub async fn the_family_expiry_caps_the_replacement(store: &dyn RefreshTokenStore) {
    let now = real_now();
    let mut record = fresh_refresh_record(now);
    record.family_expires_at = now.plus(Duration::from_secs(3_600));
    record.expires_at = record.family_expires_at;
    insert(store, &record).await;
    let mac = fresh_mac();
    let later = now.plus(Duration::from_secs(60));
    rotate(store, &record.token_mac, &mac, later).await;
    let got = some(find(store, &mac).await, "the replacement");
    assert_eq!(
        got.expires_at, record.family_expires_at,
        "expires_at must be min(now + idle, family_expires_at)"
    );
}

/// Presenting a spent token again returns `Reused` and revokes the family:
/// no token of it is found or rotates any more, and the second replacement
/// was not stored.
pub async fn reusing_a_spent_token_revokes_the_family(store: &dyn RefreshTokenStore) {
    let now = real_now();
    let first = fresh_refresh_record(now);
    insert(store, &first).await;
    let (mac2, mac3, mac4) = (fresh_mac(), fresh_mac(), fresh_mac());
    rotate(store, &first.token_mac, &mac2, now).await;
    let reused = rotate(store, &first.token_mac, &mac3, now).await;
    assert_eq!(
        reused,
        Rotation::Reused {
            family_id: first.family_id.clone()
        },
        "presenting a spent token"
    );
    for mac in [&first.token_mac, &mac2, &mac3] {
        assert!(
            find(store, mac).await.is_none(),
            "find returned a token of a revoked family"
        );
    }
    assert_eq!(
        rotate(store, &mac2, &mac4, now).await,
        Rotation::Invalid,
        "rotating the live token of a revoked family"
    );
}

/// Of concurrent rotations of one token exactly one is `Rotated`, every
/// other is `Reused`, and the family ends up revoked.
pub async fn concurrent_rotations_rotate_once(store: &Arc<dyn RefreshTokenStore>) {
    let now = real_now();
    let record = fresh_refresh_record(now);
    insert(store.as_ref(), &record).await;
    let replacements: Vec<CodeMac> = (0..RACERS).map(|_| fresh_mac()).collect();
    let results = race(RACERS, |i| {
        let store = Arc::clone(store);
        let (presented, replacement) = (record.token_mac.clone(), replacements[i].clone());
        async move {
            ok(
                store.rotate(&presented, &replacement, now, IDLE).await,
                "rotate",
            )
        }
    })
    .await;
    let mut rotated = 0;
    for r in &results {
        match r {
            Rotation::Rotated(old) if old == &record => rotated += 1,
            Rotation::Reused { family_id } if family_id == &record.family_id => {}
            other => fail(&format!("a concurrent rotation returned {other:?}")),
        }
    }
    assert_eq!(
        rotated, 1,
        "{RACERS} concurrent rotations: {rotated} rotated"
    );
    for mac in replacements.iter().chain([&record.token_mac]) {
        assert!(
            find(store.as_ref(), mac).await.is_none(),
            "the family must end up revoked after concurrent rotations"
        );
    }
}

/// A token past its `expires_at`, or never stored, does not rotate, and no
/// replacement is stored.
pub async fn expired_and_unknown_tokens_are_invalid(store: &dyn RefreshTokenStore) {
    let now = real_now();
    let mut expired = fresh_refresh_record(now);
    expired.created_at = Timestamp::from_unix_millis(now.unix_millis() - 86_400_000);
    expired.expires_at = Timestamp::from_unix_millis(now.unix_millis() - 60_000);
    insert(store, &expired).await;
    for presented in [expired.token_mac.clone(), fresh_mac()] {
        let replacement = fresh_mac();
        assert_eq!(
            rotate(store, &presented, &replacement, now).await,
            Rotation::Invalid,
            "rotating an expired or unknown token"
        );
        assert!(
            find(store, &replacement).await.is_none(),
            "a refused rotation stored its replacement"
        );
    }
}

/// `revoke_family` hides every token of the family from `find` and
/// `rotate`, leaves other families alone, and is idempotent.
pub async fn revoke_family_is_idempotent(store: &dyn RefreshTokenStore) {
    let now = real_now();
    let doomed = fresh_refresh_record(now);
    let bystander = fresh_refresh_record(now);
    insert(store, &doomed).await;
    insert(store, &bystander).await;
    for _ in 0..2 {
        ok(
            store.revoke_family(&doomed.family_id).await,
            "revoke_family",
        );
    }
    ok(
        store.revoke_family(&format!("rtf_{}", unique_hex())).await,
        "revoke_family of an unknown family",
    );
    assert!(
        find(store, &doomed.token_mac).await.is_none(),
        "find returned a token of a revoked family"
    );
    assert_eq!(
        rotate(store, &doomed.token_mac, &fresh_mac(), now).await,
        Rotation::Invalid,
        "rotating a token of a revoked family"
    );
    assert_eq!(
        find(store, &bystander.token_mac).await,
        Some(bystander),
        "revoking a family touched another"
    );
}

/// After `revoke_user(A)` no token of either of A's two families is found,
/// and the live ones (one of them a rotation's replacement) rotate as
/// `Invalid` without storing a replacement; user B's family is still found
/// and rotates.
pub async fn revoke_user_revokes_every_family_of_that_user_and_no_other(
    store: &dyn RefreshTokenStore,
) {
    let now = real_now();
    let first = fresh_refresh_record(now);
    let other_family = RefreshTokenRecord {
        user_id: first.user_id.clone(),
        ..fresh_refresh_record(now)
    };
    let bystander = fresh_refresh_record(now);
    for record in [&first, &other_family, &bystander] {
        insert(store, record).await;
    }
    // The first family has a spent token and its live replacement.
    let replacement = fresh_mac();
    assert_eq!(
        rotate(store, &first.token_mac, &replacement, now).await,
        Rotation::Rotated(first.clone()),
        "rotating a live token"
    );
    revoke_user(store, &first.user_id).await;
    for mac in [&first.token_mac, &replacement, &other_family.token_mac] {
        assert!(
            find(store, mac).await.is_none(),
            "find returned a token of a family of a revoked user"
        );
    }
    for live in [&replacement, &other_family.token_mac] {
        let next = fresh_mac();
        assert_eq!(
            rotate(store, live, &next, now).await,
            Rotation::Invalid,
            "rotating a token of a family of a revoked user"
        );
        assert!(
            find(store, &next).await.is_none(),
            "a refused rotation stored its replacement"
        );
    }
    assert_eq!(
        find(store, &bystander.token_mac).await.as_ref(),
        Some(&bystander),
        "revoking a user touched another user's family"
    );
    assert_eq!(
        rotate(store, &bystander.token_mac, &fresh_mac(), now).await,
        Rotation::Rotated(bystander),
        "revoking a user stopped another user's family from rotating"
    );
}

/// `revoke_user` succeeds when repeated, and for a user without any family;
/// the revoked user's token stays `Invalid`.
pub async fn revoke_user_is_idempotent_and_accepts_a_user_without_families(
    store: &dyn RefreshTokenStore,
) {
    let now = real_now();
    let record = fresh_refresh_record(now);
    insert(store, &record).await;
    for _ in 0..2 {
        revoke_user(store, &record.user_id).await;
    }
    revoke_user(store, &fresh_user_id(Connection::Email)).await;
    assert!(
        find(store, &record.token_mac).await.is_none(),
        "find returned a token of a revoked user"
    );
    assert_eq!(
        rotate(store, &record.token_mac, &fresh_mac(), now).await,
        Rotation::Invalid,
        "rotating a token of a user revoked twice"
    );
}
