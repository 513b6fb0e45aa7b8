//! Rate-limit counters go [`RATE_LIMIT_WINDOW_RETENTION`] after their
//! window ends.

use std::time::Duration;

use sesame_domain::ports::{Housekeeping, RateLimiter};
use sesame_domain::retention::{RATE_LIMIT_WINDOW_RETENTION, cutoff};
use sesame_domain::{RateLimit, Timestamp};

use super::{PurgeWatch, ago, purge_now};
use crate::contract::support::ok;
use crate::fixtures::unique_hex;

/// One hit allowed per millisecond: a counter read back says whether it is
/// there, and windows end exactly where the check needs them to.
fn rule() -> RateLimit {
    RateLimit::new(1, Duration::from_millis(1))
}

/// Whether `key`'s counter for the window containing `at` is still there:
/// its one hit used up the limit.
async fn counted(limiter: &dyn RateLimiter, key: &str, at: Timestamp) -> bool {
    !ok(limiter.peek(key, rule(), at).await, "peek").allowed
}

/// `purge_once(now)` removes the counters of windows that ended at or
/// before `now - RATE_LIMIT_WINDOW_RETENTION` (a hit in them counts from
/// zero again), counts them, and keeps the counter of the window that
/// ends just after. For stores whose housekeeping purges counters.
pub async fn rate_limit_counters_are_purged_once_their_window_ended(
    limiter: &dyn RateLimiter,
    housekeeping: &dyn Housekeeping,
) {
    let now = purge_now();
    let watch = PurgeWatch::begin();
    let ended_by = cutoff(now, RATE_LIMIT_WINDOW_RETENTION);
    // Windows of a millisecond: the last gone one ends at `ended_by`, the
    // kept one a millisecond later.
    let gone = [
        (
            format!("contract:{}", unique_hex()),
            ago(ended_by, Duration::from_secs(600)),
        ),
        (
            format!("contract:{}", unique_hex()),
            ago(ended_by, Duration::from_millis(1)),
        ),
    ];
    let kept = (format!("contract:{}", unique_hex()), ended_by);
    for (key, at) in gone.iter().chain([&kept]) {
        ok(limiter.hit(key, rule(), *at).await, "hit");
        assert!(counted(limiter, key, *at).await, "a hit was not counted");
    }
    let (report, alone) = watch.purge(housekeeping, now).await;
    assert!(
        !alone || report.rate_limit_windows >= 2,
        "purge_once reported {} counters removed, but 2 windows had ended",
        report.rate_limit_windows
    );
    for (key, at) in &gone {
        assert!(
            !counted(limiter, key, *at).await,
            "the counter of an ended window survived purge_once"
        );
    }
    assert!(
        counted(limiter, &kept.0, kept.1).await,
        "purge_once removed the counter of a window that had not ended"
    );
}
