//! Authorization codes, spent or not, go [`AUTHORIZATION_CODE_RETENTION`]
//! after they expire.

use std::time::Duration;

use sesame_domain::code::CodeMac;
use sesame_domain::ports::{AuthorizationCodeStore, Housekeeping};
use sesame_domain::retention::{AUTHORIZATION_CODE_RETENTION, cutoff};
use sesame_domain::{AuthorizationCode, Redemption, Timestamp};

use super::{PurgeWatch, ago, purge_now};
use crate::contract::support::{fail, ok};
use crate::fixtures::{fresh_authorization_code, real_now, unique_hex};

/// A fresh code that expires at `expires_at`, issued a lifetime before.
fn expiring_at(expires_at: Timestamp) -> AuthorizationCode {
    let mut code = fresh_authorization_code(ago(expires_at, Duration::from_secs(60)));
    code.expires_at = expires_at;
    code
}

async fn redeem(store: &dyn AuthorizationCodeStore, mac: &CodeMac, now: Timestamp) -> Redemption {
    ok(store.redeem(mac, now).await, "redeem")
}

/// Stores `code` and spends it at its `created_at`, so that afterwards a
/// replay answers `Reused` while the store holds it and `Invalid` once it
/// is gone.
async fn insert_spent(store: &dyn AuthorizationCodeStore, code: &AuthorizationCode) {
    ok(store.insert(code).await, "insert");
    let first = redeem(store, &code.code_mac, code.created_at).await;
    if first != Redemption::Redeemed(code.clone()) {
        fail(&format!(
            "the first redeem of a live code returned {first:?}"
        ));
    }
}

/// `purge_once(now)` keeps every code whose `expires_at` is at or after
/// `now - AUTHORIZATION_CODE_RETENTION`: spent ones still answer `Reused`
/// with their family, a live one still redeems. For every store, including
/// those whose codes expire by themselves.
pub async fn authorization_codes_within_their_retention_are_kept(
    store: &dyn AuthorizationCodeStore,
    housekeeping: &dyn Housekeeping,
) {
    let now = purge_now();
    let cutoff = cutoff(now, AUTHORIZATION_CODE_RETENTION);
    let spent = [
        expiring_at(cutoff),
        expiring_at(cutoff.plus(Duration::from_millis(1))),
        expiring_at(cutoff.plus(Duration::from_secs(60))),
    ];
    for code in &spent {
        insert_spent(store, code).await;
    }
    let family = format!("rtf_{}", unique_hex());
    assert!(
        ok(
            store.record_family(&spent[0].code_mac, &family).await,
            "record_family"
        ),
        "record_family on a spent, never replayed code returned false"
    );
    let live = fresh_authorization_code(real_now());
    ok(store.insert(&live).await, "insert");
    PurgeWatch::begin().purge(housekeeping, now).await;
    let later = real_now();
    for (i, code) in spent.iter().enumerate() {
        let family_id = (i == 0).then(|| family.clone());
        assert_eq!(
            redeem(store, &code.code_mac, later).await,
            Redemption::Reused { family_id },
            "replaying a spent code within its retention after purge_once"
        );
    }
    assert_eq!(
        redeem(store, &live.code_mac, later).await,
        Redemption::Redeemed(live.clone()),
        "redeeming a live code after purge_once"
    );
}

/// `purge_once(now)` removes the codes whose `expires_at` is before
/// `now - AUTHORIZATION_CODE_RETENTION`, spent or not (a replay of a removed
/// one is `Invalid`), counts them, and keeps the one expiring exactly at
/// the cutoff. For stores whose housekeeping purges codes (SQL, memory),
/// not those whose codes expire by themselves (Redis).
pub async fn authorization_codes_past_their_retention_are_purged(
    store: &dyn AuthorizationCodeStore,
    housekeeping: &dyn Housekeeping,
) {
    let now = purge_now();
    let watch = PurgeWatch::begin();
    let cutoff = cutoff(now, AUTHORIZATION_CODE_RETENTION);
    let gone = [
        expiring_at(ago(cutoff, Duration::from_secs(120))),
        expiring_at(ago(cutoff, Duration::from_millis(1))),
    ];
    let kept = expiring_at(cutoff);
    for code in gone.iter().chain([&kept]) {
        insert_spent(store, code).await;
    }
    let unspent = expiring_at(ago(cutoff, Duration::from_secs(1)));
    ok(store.insert(&unspent).await, "insert");
    let (report, alone) = watch.purge(housekeeping, now).await;
    assert!(
        !alone || report.authorization_codes >= 3,
        "purge_once reported {} codes removed, but 3 were past their retention",
        report.authorization_codes
    );
    let later = real_now();
    for code in &gone {
        assert_eq!(
            redeem(store, &code.code_mac, later).await,
            Redemption::Invalid,
            "a spent code past its retention survived purge_once"
        );
        assert!(
            !ok(
                store
                    .record_family(&code.code_mac, &format!("rtf_{}", unique_hex()))
                    .await,
                "record_family"
            ),
            "record_family on a purged code returned true"
        );
    }
    assert_eq!(
        redeem(
            store,
            &unspent.code_mac,
            ago(unspent.expires_at, Duration::from_secs(1))
        )
        .await,
        Redemption::Invalid,
        "an unspent code past its retention survived purge_once"
    );
    assert_eq!(
        redeem(store, &kept.code_mac, later).await,
        Redemption::Reused { family_id: None },
        "a spent code expiring exactly at the cutoff did not survive purge_once"
    );
}
