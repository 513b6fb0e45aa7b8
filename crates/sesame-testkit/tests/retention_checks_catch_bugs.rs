//! The retention checks fail on housekeeping that purges a moment too late
//! (removing what is still within its retention) or not at all, here on
//! bug-free memory stores purged through a skewed wrapper. The stores with
//! off-by-one purges of their own are in `contract_catches_bugs.rs`.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::FutureExt as _;
use sesame_domain::Timestamp;
use sesame_domain::ports::{Housekeeping, PurgeReport, StoreError};
use sesame_testkit::contract::{self, housekeeping};
use sesame_testkit::{MemoryRateLimiter, MemoryRefreshTokenStore};

/// Whether `check` panics.
async fn fails(check: impl Future<Output = ()>) -> bool {
    AssertUnwindSafe(check).catch_unwind().await.is_err()
}

/// A bug-free store's housekeeping, run as of a skewed instant or not at all.
struct SkewedHousekeeping {
    inner: Arc<dyn Housekeeping>,
    /// `None`: never purges; otherwise purges as of `now` plus this.
    skew: Option<Duration>,
}

#[async_trait]
impl Housekeeping for SkewedHousekeeping {
    fn name(&self) -> &'static str {
        "skewed"
    }

    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        match self.skew {
            Some(by) => self.inner.purge_once(now.plus(by)).await,
            None => Ok(PurgeReport::default()),
        }
    }
}

fn skewed(inner: Arc<dyn Housekeeping>, skew: Option<Duration>) -> SkewedHousekeeping {
    SkewedHousekeeping { inner, skew }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_refresh_family_retention_check_catches_purging_too_much_or_nothing() {
    let store = Arc::new(MemoryRefreshTokenStore::new());
    assert!(
        !fails(contract::refresh_family_retention(
            store.clone(),
            store.clone()
        ))
        .await
    );
    for skew in [Some(Duration::from_millis(1)), None] {
        let h = skewed(store.clone(), skew);
        assert!(
            fails(
                housekeeping::refresh_families_past_their_retention_are_purged(store.as_ref(), &h)
            )
            .await
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_rate_limit_retention_check_catches_purging_too_much_or_nothing() {
    let limiter = Arc::new(MemoryRateLimiter::new());
    assert!(
        !fails(contract::rate_limit_retention(
            limiter.clone(),
            limiter.clone()
        ))
        .await
    );
    for skew in [Some(Duration::from_millis(1)), None] {
        let h = skewed(limiter.clone(), skew);
        assert!(
            fails(
                housekeeping::rate_limit_counters_are_purged_once_their_window_ended(
                    limiter.as_ref(),
                    &h
                )
            )
            .await
        );
    }
}
