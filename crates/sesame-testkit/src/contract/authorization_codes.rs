//! The [`AuthorizationCodeStore`] checks.
//!
//! Every code is fresh (random MAC, client and user), issued at the real
//! current time, so checks running in parallel on one backend leave each
//! other alone. Retention and purging are checked in
//! [`super::housekeeping`].

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::code::CodeMac;
use sesame_domain::ports::AuthorizationCodeStore;
use sesame_domain::{AuthorizationCode, Redemption, Timestamp};

use super::support::{fail, ok, race};
use crate::fixtures::{fresh_authorization_code, fresh_mac, real_now, redirect_uri, unique_hex};
use sesame_domain::Scope;

/// How many redeems race in [`concurrent_redeems_spend_the_code_once`].
const RACERS: usize = 16;
/// How many codes [`record_family_and_a_replay_never_miss_each_other`]
/// races a `record_family` and a replay on.
const ROUNDS: usize = 16;
/// `d` before `t`.
fn ago(t: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_unix_millis(
        t.unix_millis()
            .saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
    )
}

async fn insert(store: &dyn AuthorizationCodeStore, code: &AuthorizationCode) {
    ok(store.insert(code).await, "insert");
}

async fn redeem(store: &dyn AuthorizationCodeStore, mac: &CodeMac, now: Timestamp) -> Redemption {
    ok(store.redeem(mac, now).await, "redeem")
}

async fn record_family(store: &dyn AuthorizationCodeStore, mac: &CodeMac, family: &str) -> bool {
    ok(store.record_family(mac, family).await, "record_family")
}

/// A fresh refresh-family id.
fn fresh_family() -> String {
    format!("rtf_{}", unique_hex())
}

/// Stores `code` and spends it at its `created_at`, so that afterwards a
/// replay answers `Reused` while the store still holds it and `Invalid`
/// once it is gone.
async fn insert_spent(store: &dyn AuthorizationCodeStore, code: &AuthorizationCode) {
    insert(store, code).await;
    let first = redeem(store, &code.code_mac, code.created_at).await;
    if first != Redemption::Redeemed(code.clone()) {
        fail(&format!(
            "the first redeem of a live code returned {first:?}"
        ));
    }
}

/// `insert` then `redeem` returns the code with every field unchanged:
/// one with audience, nonce, PKCE challenge and a required `redirect_uri` (the nonce, which a client
/// chooses freely, with a NUL and a quote in it), one with empty text,
/// none of the optional fields and a `redirect_uri` the exchange may omit, and one whose optional fields are all
/// present but empty.
pub async fn insert_then_redeem_returns_every_field_unchanged(store: &dyn AuthorizationCodeStore) {
    let now = real_now();
    let mut full = fresh_authorization_code(now);
    full.nonce = Some(format!("n\0{}\"\\ ✓", unique_hex()));
    let mut bare = fresh_authorization_code(now);
    bare.audience = None;
    bare.nonce = None;
    bare.code_challenge = None;
    bare.scope = Scope::default();
    bare.redirect_uri = redirect_uri("myapp://login");
    bare.redirect_uri_required = false;
    let mut empty = fresh_authorization_code(now);
    empty.audience = Some(String::new());
    empty.nonce = Some(String::new());
    for code in [&full, &bare, &empty] {
        insert(store, code).await;
        assert_eq!(
            redeem(store, &code.code_mac, now).await,
            Redemption::Redeemed(code.clone()),
            "redeeming a freshly inserted code"
        );
    }
}

/// A second `redeem` of a spent code is `Reused`, with no family when none
/// was recorded, and so is every one after it.
pub async fn a_second_redeem_is_reused_without_a_family(store: &dyn AuthorizationCodeStore) {
    let now = real_now();
    let code = fresh_authorization_code(now);
    insert_spent(store, &code).await;
    for _ in 0..2 {
        assert_eq!(
            redeem(store, &code.code_mac, now).await,
            Redemption::Reused { family_id: None },
            "redeeming a spent code with no family recorded"
        );
    }
}

/// After `record_family(mac, family)` returned `true`, a replay is `Reused`
/// naming that family.
pub async fn a_replay_names_the_recorded_family(store: &dyn AuthorizationCodeStore) {
    let now = real_now();
    let code = fresh_authorization_code(now);
    let family = fresh_family();
    insert_spent(store, &code).await;
    assert!(
        record_family(store, &code.code_mac, &family).await,
        "record_family on a spent, never replayed code returned false"
    );
    assert_eq!(
        redeem(store, &code.code_mac, now).await,
        Redemption::Reused {
            family_id: Some(family)
        },
        "replaying a code whose family was recorded"
    );
}

/// Once a code was replayed, `record_family` returns `false` and records
/// nothing: later replays still name no family.
pub async fn record_family_after_a_replay_returns_false(store: &dyn AuthorizationCodeStore) {
    let now = real_now();
    let code = fresh_authorization_code(now);
    insert_spent(store, &code).await;
    assert_eq!(
        redeem(store, &code.code_mac, now).await,
        Redemption::Reused { family_id: None },
        "replaying a spent code"
    );
    assert!(
        !record_family(store, &code.code_mac, &fresh_family()).await,
        "record_family after a replay returned true"
    );
    assert_eq!(
        redeem(store, &code.code_mac, now).await,
        Redemption::Reused { family_id: None },
        "a refused record_family stored its family"
    );
}

/// `record_family` of a MAC never stored returns `false`, and does not
/// make the MAC known.
pub async fn record_family_of_an_unknown_code_returns_false(store: &dyn AuthorizationCodeStore) {
    let mac = fresh_mac();
    assert!(
        !record_family(store, &mac, &fresh_family()).await,
        "record_family of an unknown code returned true"
    );
    assert_eq!(
        redeem(store, &mac, real_now()).await,
        Redemption::Invalid,
        "record_family of an unknown code made it redeemable"
    );
}

/// `redeem` of a MAC never stored is `Invalid`.
pub async fn an_unknown_code_is_invalid(store: &dyn AuthorizationCodeStore) {
    assert_eq!(
        redeem(store, &fresh_mac(), real_now()).await,
        Redemption::Invalid,
        "redeeming an unknown code"
    );
}

/// An unspent code is `Invalid` at `now == expires_at` and after, and being
/// refused spends nothing: one millisecond before its expiry it still
/// redeems, once.
pub async fn a_code_is_invalid_from_its_expiry_on(store: &dyn AuthorizationCodeStore) {
    let code = fresh_authorization_code(real_now());
    insert(store, &code).await;
    let expiry = code.expires_at;
    for at in [
        expiry,
        expiry.plus(Duration::from_millis(1)),
        expiry.plus(Duration::from_secs(3_600)),
    ] {
        assert_eq!(
            redeem(store, &code.code_mac, at).await,
            Redemption::Invalid,
            "redeeming an unspent code at or after its expires_at"
        );
    }
    let just_before = ago(expiry, Duration::from_millis(1));
    assert_eq!(
        redeem(store, &code.code_mac, just_before).await,
        Redemption::Redeemed(code.clone()),
        "redeeming a code 1 ms before its expiry, after refusals at and past it"
    );
    assert_eq!(
        redeem(store, &code.code_mac, expiry).await,
        Redemption::Reused { family_id: None },
        "a spent code is reused, not invalid, once past its expiry"
    );
}

/// Of concurrent redeems of one code exactly one is `Redeemed` and every
/// other `Reused` without a family; after those replays `record_family`
/// returns `false`.
pub async fn concurrent_redeems_spend_the_code_once(store: &Arc<dyn AuthorizationCodeStore>) {
    let now = real_now();
    let code = fresh_authorization_code(now);
    insert(store.as_ref(), &code).await;
    let results = race(RACERS, |_| {
        let store = Arc::clone(store);
        let mac = code.code_mac.clone();
        async move { ok(store.redeem(&mac, now).await, "redeem") }
    })
    .await;
    let mut redeemed = 0;
    for r in &results {
        match r {
            Redemption::Redeemed(got) if got == &code => redeemed += 1,
            Redemption::Reused { family_id: None } => {}
            other => fail(&format!("a concurrent redeem returned {other:?}")),
        }
    }
    assert_eq!(
        redeemed, 1,
        "{RACERS} concurrent redeems of one code: {redeemed} redeemed it"
    );
    assert!(
        !record_family(store.as_ref(), &code.code_mac, &fresh_family()).await,
        "record_family after concurrent replays returned true"
    );
}

/// A `record_family` racing a replay of the same spent code: either the
/// family was recorded and the replay names it, or the replay came first
/// and `record_family` returns `false`; never neither, never both.
pub async fn record_family_and_a_replay_never_miss_each_other(
    store: &Arc<dyn AuthorizationCodeStore>,
) {
    let now = real_now();
    for _ in 0..ROUNDS {
        let code = fresh_authorization_code(now);
        let family = fresh_family();
        insert_spent(store.as_ref(), &code).await;
        let results = race(2, |i| {
            let store = Arc::clone(store);
            let (mac, family) = (code.code_mac.clone(), family.clone());
            async move {
                if i == 0 {
                    let recorded = ok(store.record_family(&mac, &family).await, "record_family");
                    (Some(recorded), None)
                } else {
                    (None, Some(ok(store.redeem(&mac, now).await, "redeem")))
                }
            }
        })
        .await;
        let (recorded, replay) = match results.as_slice() {
            [(Some(recorded), None), (None, Some(replay))] => (*recorded, replay.clone()),
            _ => fail("the race returned its results out of order"),
        };
        let want = Redemption::Reused {
            family_id: recorded.then(|| family.clone()),
        };
        assert_eq!(
            replay, want,
            "a replay racing record_family (which returned {recorded})"
        );
    }
}
