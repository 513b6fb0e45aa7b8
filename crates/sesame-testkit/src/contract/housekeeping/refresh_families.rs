//! Refresh-token families, spent tokens included, go
//! [`EXPIRED_REFRESH_FAMILY_RETENTION`] after their absolute expiry.

use std::time::Duration;

use sesame_domain::ports::{Housekeeping, RefreshTokenStore};
use sesame_domain::retention::{EXPIRED_REFRESH_FAMILY_RETENTION, cutoff};
use sesame_domain::{CodeMac, RefreshTokenRecord, Rotation, Timestamp};

use super::{PurgeWatch, ago, purge_now};
use crate::contract::support::{fail, ok};
use crate::fixtures::{fresh_mac, fresh_refresh_record};

/// How long before its absolute expiry each family of the check was issued.
const FAMILY_LIFETIME: Duration = Duration::from_secs(30 * 86_400);

/// How long each replacement token may sit idle.
const IDLE: Duration = Duration::from_secs(15 * 86_400);

/// A family whose absolute expiry is `expires_at`: its first token, spent
/// by a rotation a minute after issue, and the replacement that rotation
/// stored.
struct Family {
    first: RefreshTokenRecord,
    replacement: CodeMac,
}

async fn family_expiring_at(store: &dyn RefreshTokenStore, expires_at: Timestamp) -> Family {
    let mut first = fresh_refresh_record(ago(expires_at, FAMILY_LIFETIME));
    first.family_expires_at = expires_at;
    ok(store.insert(&first).await, "insert");
    let replacement = fresh_mac();
    let at = first.created_at.plus(Duration::from_secs(60));
    match ok(
        store.rotate(&first.token_mac, &replacement, at, IDLE).await,
        "rotate",
    ) {
        Rotation::Rotated(_) => {}
        other => fail(&format!(
            "the first rotation of a live token returned {other:?}"
        )),
    }
    Family { first, replacement }
}

/// `purge_once(now)` removes every family whose absolute expiry is before
/// `now - EXPIRED_REFRESH_FAMILY_RETENTION`, with its spent and live tokens
/// (a replay of its spent token is then `Invalid`), counts the families,
/// and keeps every other family whole: its spent token still answers
/// `Reused`.
pub async fn refresh_families_past_their_retention_are_purged(
    store: &dyn RefreshTokenStore,
    housekeeping: &dyn Housekeeping,
) {
    let now = purge_now();
    let watch = PurgeWatch::begin();
    let cutoff = cutoff(now, EXPIRED_REFRESH_FAMILY_RETENTION);
    let mut gone = Vec::new();
    for expires_at in [
        ago(cutoff, Duration::from_secs(3_600)),
        ago(cutoff, Duration::from_millis(1)),
    ] {
        gone.push(family_expiring_at(store, expires_at).await);
    }
    let mut kept = Vec::new();
    for expires_at in [
        cutoff,
        cutoff.plus(Duration::from_secs(3_600)),
        now.plus(FAMILY_LIFETIME),
    ] {
        kept.push(family_expiring_at(store, expires_at).await);
    }
    let (report, alone) = watch.purge(housekeeping, now).await;
    assert!(
        !alone || report.refresh_families >= 2,
        "purge_once reported {} families removed, but 2 were past their retention",
        report.refresh_families
    );
    for family in &gone {
        for mac in [&family.first.token_mac, &family.replacement] {
            assert!(
                ok(store.find(mac).await, "find").is_none(),
                "a token of a family past its retention survived purge_once"
            );
        }
        assert_eq!(
            ok(
                store
                    .rotate(&family.first.token_mac, &fresh_mac(), now, IDLE)
                    .await,
                "rotate"
            ),
            Rotation::Invalid,
            "replaying the spent token of a purged family"
        );
    }
    for family in &kept {
        let replacement = ok(store.find(&family.replacement).await, "find");
        assert_eq!(
            replacement.map(|r| r.family_id),
            Some(family.first.family_id.clone()),
            "the replacement token of a family within its retention after purge_once"
        );
        // Last: a replay revokes the family.
        assert_eq!(
            ok(
                store
                    .rotate(&family.first.token_mac, &fresh_mac(), now, IDLE)
                    .await,
                "rotate"
            ),
            Rotation::Reused {
                family_id: family.first.family_id.clone()
            },
            "replaying the spent token of a family within its retention after purge_once"
        );
    }
}
