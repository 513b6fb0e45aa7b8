//! The [`Housekeeping`](sesame_domain::ports::Housekeeping) checks: for each
//! kind of record, `purge_once` removes exactly what is past its retention
//! ([`sesame_domain::retention`]) and keeps the rest, read back through the
//! record's own port.
//!
//! Every check writes records just inside and just outside the retention,
//! measured from one shared instant, [`purge_now`], and purges as of it.
//! A store that lets its backend expire a kind by itself (Redis keys with
//! TTLs) runs only the checks of what its housekeeping does purge, and the
//! "kept" checks of the rest.

mod authorization_codes;
mod challenges;
mod rate_limits;
mod refresh_families;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sesame_domain::Timestamp;
use sesame_domain::ports::{Housekeeping, PurgeReport};

pub use authorization_codes::{
    authorization_codes_past_their_retention_are_purged,
    authorization_codes_within_their_retention_are_kept,
};
pub use challenges::challenges_past_their_retention_are_purged;
pub use rate_limits::rate_limit_counters_are_purged_once_their_window_ended;
pub use refresh_families::refresh_families_past_their_retention_are_purged;

use crate::fixtures::real_now;

/// The instant every housekeeping check in this process purges at: the real
/// time when the first one ran.
///
/// Checks running in parallel on one store must share it: a purge as of a
/// later instant would remove what another check must find kept at its
/// earlier one. It is never after the present, and the other contract
/// checks store only records younger than any retention measured from it
/// and rate-limit windows that end after it, so no purge here touches
/// them.
pub fn purge_now() -> Timestamp {
    static NOW: std::sync::OnceLock<Timestamp> = std::sync::OnceLock::new();
    *NOW.get_or_init(real_now)
}

/// Purges started by the checks in this process, and purges still running.
static PURGES_STARTED: AtomicU64 = AtomicU64::new(0);
static PURGES_RUNNING: AtomicU64 = AtomicU64::new(0);

/// Tells whether a check's own `purge_once` was the only one that could
/// have removed its records.
///
/// Checks that share a store run in parallel, and every purge as of
/// [`purge_now`] removes every expired record, another check's included. So
/// a purge's count covers this check's records only when no other purge
/// ran between the check's first write and the end of its own purge; the
/// checks assert counts only then, and whether records are gone or kept
/// always.
pub(crate) struct PurgeWatch {
    started_before: u64,
    busy_before: bool,
}

impl PurgeWatch {
    /// Starts watching; call before writing the check's first record.
    pub(crate) fn begin() -> Self {
        Self {
            busy_before: PURGES_RUNNING.load(Ordering::SeqCst) > 0,
            started_before: PURGES_STARTED.load(Ordering::SeqCst),
        }
    }

    /// Runs the check's purge; the report, and whether it was the only
    /// purge since [`PurgeWatch::begin`].
    pub(crate) async fn purge(
        self,
        housekeeping: &dyn Housekeeping,
        now: Timestamp,
    ) -> (PurgeReport, bool) {
        PURGES_STARTED.fetch_add(1, Ordering::SeqCst);
        PURGES_RUNNING.fetch_add(1, Ordering::SeqCst);
        let report = crate::contract::support::ok(housekeeping.purge_once(now).await, "purge_once");
        PURGES_RUNNING.fetch_sub(1, Ordering::SeqCst);
        let alone =
            !self.busy_before && PURGES_STARTED.load(Ordering::SeqCst) == self.started_before + 1;
        (report, alone)
    }
}

/// `d` before `t`.
fn ago(t: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_unix_millis(
        t.unix_millis()
            .saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
    )
}
