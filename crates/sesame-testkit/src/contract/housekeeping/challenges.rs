//! Challenges go [`EXPIRED_CHALLENGE_RETENTION`] after they expire.

use std::time::Duration;

use sesame_domain::ports::{ChallengeStore, Housekeeping};
use sesame_domain::retention::{EXPIRED_CHALLENGE_RETENTION, cutoff};
use sesame_domain::{Challenge, Timestamp};

use super::{PurgeWatch, ago, purge_now};
use crate::contract::support::{fail, ok};
use crate::fixtures::{fresh_challenge, fresh_email, real_now};

/// A fresh challenge expiring at `expires_at`, issued three minutes before.
fn expiring_at(expires_at: Timestamp) -> Challenge {
    let mut ch = fresh_challenge(fresh_email(), ago(expires_at, Duration::from_secs(180)));
    ch.expires_at = expires_at;
    ch
}

/// `purge_once(now)` removes the challenges whose `expires_at` is before
/// `now - EXPIRED_CHALLENGE_RETENTION`, counts them, and keeps every other
/// one (expired within the retention, or live) unchanged.
pub async fn challenges_past_their_retention_are_purged(
    store: &dyn ChallengeStore,
    housekeeping: &dyn Housekeeping,
) {
    let now = purge_now();
    let watch = PurgeWatch::begin();
    let cutoff = cutoff(now, EXPIRED_CHALLENGE_RETENTION);
    let gone = [
        expiring_at(ago(cutoff, Duration::from_secs(120))),
        expiring_at(ago(cutoff, Duration::from_millis(1))),
    ];
    let kept = [
        expiring_at(cutoff),
        expiring_at(cutoff.plus(Duration::from_secs(60))),
        fresh_challenge(fresh_email(), real_now()),
    ];
    for ch in gone.iter().chain(&kept) {
        ok(store.put(ch).await, "put");
    }
    let (report, alone) = watch.purge(housekeeping, now).await;
    assert!(
        !alone || report.challenges >= 2,
        "purge_once reported {} challenges removed, but 2 were past their retention",
        report.challenges
    );
    for ch in &gone {
        assert!(
            ok(store.latest(&ch.key()).await, "latest").is_none(),
            "a challenge past its retention survived purge_once"
        );
    }
    for ch in &kept {
        match ok(store.latest(&ch.key()).await, "latest") {
            Some(got) if got == *ch => {}
            Some(_) => fail("purge_once changed a challenge it had to keep"),
            None => fail("purge_once removed a challenge within its retention"),
        }
    }
}
