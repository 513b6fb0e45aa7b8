//! The [`DpopReplayStore`] checks.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::Timestamp;
use sesame_domain::ports::{DpopReplayStore, Housekeeping};

use super::housekeeping::{PurgeWatch, purge_now};
use super::support::{ok, race};
use crate::fixtures::{real_now, unique_hex};

/// How many claims race in [`concurrent_claims_elect_exactly_one`].
const RACERS: usize = 50;

fn fresh_key() -> String {
    format!("dpop:contract:{}", unique_hex())
}

async fn claim(s: &dyn DpopReplayStore, key: &str, expires_at: Timestamp, now: Timestamp) -> bool {
    ok(s.claim(key, expires_at, now).await, "claim")
}

/// The first claim of a key is new; claiming it again while held is not;
/// another key is independent.
pub async fn a_key_is_new_once_then_held(store: &dyn DpopReplayStore) {
    let now = real_now();
    let until = now.plus(Duration::from_secs(120));
    let key = fresh_key();
    assert!(
        claim(store, &key, until, now).await,
        "the first claim of a key was not new"
    );
    assert!(
        !claim(store, &key, until, now).await,
        "a held key was claimed again"
    );
    let later = now.plus(Duration::from_secs(119));
    assert!(
        !claim(store, &key, until, later).await,
        "a key was claimed again before its expiry"
    );
    assert!(
        claim(store, &fresh_key(), until, now).await,
        "keys are not independent"
    );
}

/// A key whose entry expired (`expires_at <= now`) counts as new again,
/// and is then held until its new expiry.
pub async fn an_expired_key_is_new_again(store: &dyn DpopReplayStore) {
    let now = real_now();
    let key = fresh_key();
    let first = now.plus(Duration::from_secs(2));
    assert!(
        claim(store, &key, first, now).await,
        "the first claim was not new"
    );
    let renewed = first.plus(Duration::from_secs(120));
    assert!(
        claim(store, &key, renewed, first).await,
        "a key was refused at its expiry"
    );
    assert!(
        !claim(store, &key, renewed, first.plus(Duration::from_secs(1))).await,
        "a key claimed again after expiry was not held"
    );
}

/// Of N concurrent claims of one key, exactly one is new.
pub async fn concurrent_claims_elect_exactly_one(store: &Arc<dyn DpopReplayStore>) {
    let key = fresh_key();
    let now = real_now();
    let until = now.plus(Duration::from_secs(120));
    let new = race(RACERS, |_| {
        let store = Arc::clone(store);
        let key = key.clone();
        async move { ok(store.claim(&key, until, now).await, "claim") }
    })
    .await
    .into_iter()
    .filter(|&n| n)
    .count();
    assert_eq!(new, 1, "{RACERS} concurrent claims of one key: new");
}

/// `purge_once` removes entries past their retention and keeps the
/// others held. For stores whose housekeeping purges proof ids.
pub async fn dpop_jtis_past_their_retention_are_purged(
    store: &dyn DpopReplayStore,
    housekeeping: &dyn Housekeeping,
) {
    let now = purge_now();
    let watch = PurgeWatch::begin();
    let gone = fresh_key();
    let gone_until = Timestamp::from_unix_millis(now.unix_millis() - 600_000);
    let gone_at = Timestamp::from_unix_millis(gone_until.unix_millis() - 60_000);
    assert!(
        claim(store, &gone, gone_until, gone_at).await,
        "the first claim was not new"
    );
    let kept = fresh_key();
    let kept_until = now.plus(Duration::from_secs(600));
    assert!(
        claim(store, &kept, kept_until, now).await,
        "the first claim was not new"
    );
    let (report, alone) = watch.purge(housekeeping, now).await;
    assert!(
        !alone || report.dpop_jtis >= 1,
        "purge_once reported {} proof ids removed, but one had expired",
        report.dpop_jtis
    );
    assert!(
        !claim(store, &kept, kept_until, now).await,
        "purge_once removed a proof id that was still held"
    );
}
