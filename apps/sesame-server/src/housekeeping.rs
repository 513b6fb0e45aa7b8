//! The one purge loop: every `[store] purge_interval_secs`, each store's
//! [`Housekeeping`] removes what has outlived its retention, as of the
//! clock port's time.
//!
//! Stores never run loops of their own, so an embedder decides when purging
//! happens, and every backend purges on one schedule.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::{Clock, Housekeeping, StoreError};
use tokio::task::AbortHandle;
use tokio::time::MissedTickBehavior;

/// The running loop; dropping it stops the loop and lets go of the stores.
#[derive(Debug)]
#[must_use = "the loop stops as soon as its handle is dropped"]
pub struct Housekeeper {
    task: AbortHandle,
}

impl Drop for Housekeeper {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the loop on the current Tokio runtime: a first pass at once, then
/// one every `every` (at least a millisecond). A pass that falls behind
/// delays the next rather than bunching up; a store that fails is logged
/// and tried again at the next pass, and does not hold up the others.
///
/// # Errors
/// When called outside a Tokio runtime.
pub fn spawn(
    stores: Vec<Arc<dyn Housekeeping>>,
    every: Duration,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<Housekeeper> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|e| anyhow::anyhow!("the purge loop needs a Tokio runtime: {e}"))?;
    let period = every.max(Duration::from_millis(1));
    let task = runtime.spawn(async move {
        let mut ticks = tokio::time::interval(period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let now = clock.now();
            for store in &stores {
                // Counts only: a report never names a record.
                match store.purge_once(now).await {
                    Ok(report) => tracing::debug!(
                        store = store.name(),
                        challenges = report.challenges,
                        authorization_codes = report.authorization_codes,
                        refresh_families = report.refresh_families,
                        rate_limit_windows = report.rate_limit_windows,
                        dpop_jtis = report.dpop_jtis,
                        mfa_tickets = report.mfa_tickets,
                        log_events = report.log_events,
                        "purged expired records"
                    ),
                    Err(e) => tracing::warn!(
                        store = store.name(),
                        error = %chain(&e),
                        "purging expired records failed"
                    ),
                }
            }
        }
    });
    Ok(Housekeeper {
        task: task.abort_handle(),
    })
}

/// An error and its sources on one line. Store errors carry no stored
/// values (the adapters drop them), so this is safe to log.
fn chain(e: &StoreError) -> String {
    let mut out = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use async_trait::async_trait;
    use sesame_domain::Timestamp;
    use sesame_domain::ports::PurgeReport;
    use tokio::sync::mpsc;

    use super::*;

    const NOW: Timestamp = Timestamp::from_unix_seconds(1_800_000_000);

    struct FixedClock;

    impl Clock for FixedClock {
        fn now(&self) -> Timestamp {
            NOW
        }
    }

    /// Which store was asked to purge, as of when.
    type Call = (&'static str, Timestamp);

    /// Tells the test every instant it was asked to purge at; fails when
    /// told to. Its sender goes when the loop lets go of it.
    struct Recorder {
        name: &'static str,
        fails: bool,
        calls: mpsc::UnboundedSender<Call>,
    }

    #[async_trait]
    impl Housekeeping for Recorder {
        fn name(&self) -> &'static str {
            self.name
        }

        async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
            let _ = self.calls.send((self.name, now));
            if self.fails {
                Err(StoreError::Unavailable(anyhow::anyhow!("down")))
            } else {
                Ok(PurgeReport::default())
            }
        }
    }

    /// Recorders named and failing as `which` says, and what they hear.
    fn stores(
        which: &[(&'static str, bool)],
    ) -> (Vec<Arc<dyn Housekeeping>>, mpsc::UnboundedReceiver<Call>) {
        let (tx, rx) = mpsc::unbounded_channel();
        let stores = which
            .iter()
            .map(|&(name, fails)| {
                Arc::new(Recorder {
                    name,
                    fails,
                    calls: tx.clone(),
                }) as Arc<dyn Housekeeping>
            })
            .collect();
        (stores, rx)
    }

    #[tokio::test]
    async fn every_store_is_purged_at_once_as_of_the_clocks_time() {
        let (stores, mut calls) = stores(&[("a", false), ("b", false)]);
        let _loop = spawn(stores, Duration::from_secs(3_600), Arc::new(FixedClock)).unwrap();
        assert_eq!(calls.recv().await, Some(("a", NOW)));
        assert_eq!(calls.recv().await, Some(("b", NOW)));
    }

    #[tokio::test]
    async fn a_failing_store_neither_stops_the_loop_nor_holds_up_the_others() {
        let (stores, mut calls) = stores(&[("down", true), ("up", false)]);
        let _loop = spawn(stores, Duration::from_millis(1), Arc::new(FixedClock)).unwrap();
        let mut seen = Vec::new();
        for _ in 0..4 {
            seen.push(calls.recv().await.unwrap().0);
        }
        assert_eq!(seen, ["down", "up", "down", "up"]);
    }

    #[tokio::test]
    async fn dropping_the_handle_stops_the_loop_and_lets_go_of_the_stores() {
        let (stores, mut calls) = stores(&[("a", false)]);
        let clock: Arc<dyn Clock> = Arc::new(FixedClock);
        let handle = spawn(stores, Duration::from_millis(1), Arc::clone(&clock)).unwrap();
        assert!(calls.recv().await.is_some());
        drop(handle);
        // Passes already under way may still report; then every sender is
        // gone, which happens only when the task has ended.
        while calls.recv().await.is_some() {}
        assert_eq!(
            Arc::strong_count(&clock),
            1,
            "the stopped loop kept the clock"
        );
    }

    #[test]
    fn spawning_outside_a_runtime_is_an_error_not_a_panic() {
        let r = spawn(Vec::new(), Duration::from_secs(1), Arc::new(FixedClock));
        assert!(r.is_err());
    }
}
