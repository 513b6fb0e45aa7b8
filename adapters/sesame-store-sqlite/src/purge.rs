//! Deleting what can never be used again: expired challenges (after
//! [`EXPIRED_CHALLENGE_RETENTION`]), expired authorization codes (after
//! [`AUTHORIZATION_CODE_RETENTION`]), finished rate-limit windows and refresh
//! tokens of expired families; once on demand, or in a background task.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::Timestamp;
use sesame_domain::authorization::AUTHORIZATION_CODE_RETENTION;
use sesame_domain::ports::{
    AuthorizationCodeStore, ChallengeStore, Clock, EXPIRED_CHALLENGE_RETENTION, StoreError,
};
use tokio::task::JoinHandle;
use tokio::time::MissedTickBehavior;

use crate::SqliteStore;

/// What one purge pass removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Challenges that expired more than the retention period ago.
    pub challenges: u64,
    /// Authorization codes that expired more than
    /// [`AUTHORIZATION_CODE_RETENTION`] ago, spent or not.
    pub authorization_codes: u64,
    /// Rate-limit counters of windows that have ended.
    pub rate_limit_windows: u64,
    /// Refresh tokens whose family expired more than the retention period
    /// ago.
    pub refresh_tokens: u64,
}

/// The background purger. Dropping it stops the task.
#[derive(Debug)]
#[must_use = "the purger stops when its handle is dropped"]
pub struct PurgerHandle {
    task: JoinHandle<()>,
}

impl PurgerHandle {
    /// Stops the task and waits until it has stopped.
    pub async fn stop(mut self) {
        self.task.abort();
        // The task was aborted: its result says only that.
        let _ = (&mut self.task).await;
    }
}

impl Drop for PurgerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl SqliteStore {
    /// Runs one purge pass as of `now`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the database cannot be reached.
    pub async fn purge(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        let expired_before = before(now, EXPIRED_CHALLENGE_RETENTION);
        let codes_before = before(now, AUTHORIZATION_CODE_RETENTION);
        Ok(PurgeReport {
            challenges: ChallengeStore::purge_expired(self, expired_before).await?,
            authorization_codes: AuthorizationCodeStore::purge_expired(self, codes_before).await?,
            rate_limit_windows: self.purge_rate_limit_windows(now).await?,
            refresh_tokens: self.purge_expired_refresh_tokens(expired_before).await?,
        })
    }

    /// Spawns a task that runs [`purge`](Self::purge) every `every` (at
    /// least 1 ms), the first time right away, with the time from `clock`.
    /// A failed pass is logged and retried at the next tick.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when called outside a Tokio runtime.
    pub fn spawn_purger(
        &self,
        every: Duration,
        clock: Arc<dyn Clock>,
    ) -> Result<PurgerHandle, StoreError> {
        let runtime = tokio::runtime::Handle::try_current().map_err(|e| {
            StoreError::Unknown(anyhow::Error::new(e).context("spawning the purger"))
        })?;
        let store = self.clone();
        let task = runtime.spawn(async move {
            let mut ticks = tokio::time::interval(every.max(Duration::from_millis(1)));
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match store.purge(clock.now()).await {
                    Ok(report) => tracing::debug!(?report, "purged expired rows"),
                    Err(error) => tracing::warn!(?error, "purging expired rows failed"),
                }
            }
        });
        Ok(PurgerHandle { task })
    }
}

/// `now - retention`, saturating.
fn before(now: Timestamp, retention: Duration) -> Timestamp {
    let ms = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
    Timestamp::from_unix_millis(now.unix_millis().saturating_sub(ms))
}
