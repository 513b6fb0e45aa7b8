//! Background clean-up: expired challenges and authorization codes, ended
//! rate-limit windows and refresh-token families past their absolute
//! lifetime.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::authorization::AUTHORIZATION_CODE_RETENTION;
use sesame_domain::ports::{
    AuthorizationCodeStore, ChallengeStore, Clock, EXPIRED_CHALLENGE_RETENTION, StoreError,
};
use sesame_domain::time::Timestamp;
use tokio::task::AbortHandle;
use tokio::time::MissedTickBehavior;

use crate::error::from_sqlx;
use crate::store::PgStore;

/// How long a refresh-token family is kept after its absolute expiry. Its
/// tokens are all invalid by then; keeping them a while longer only makes a
/// late replay answer "reused" instead of "unknown".
pub const EXPIRED_REFRESH_FAMILY_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// What one purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    /// Challenges that expired more than [`EXPIRED_CHALLENGE_RETENTION`] ago.
    pub challenges: u64,
    /// Authorization codes, spent or not, that expired more than
    /// [`AUTHORIZATION_CODE_RETENTION`] ago.
    pub authorization_codes: u64,
    /// Rate-limit counters of windows that have ended.
    pub rate_limits: u64,
    /// Refresh-token families (with their tokens) that expired more than
    /// [`EXPIRED_REFRESH_FAMILY_RETENTION`] ago.
    pub refresh_families: u64,
}

/// Stops the background purger when dropped.
#[derive(Debug)]
#[must_use = "the purger stops as soon as its handle is dropped"]
pub struct PurgerHandle {
    task: AbortHandle,
}

impl PurgerHandle {
    /// Whether the purging task has stopped.
    #[must_use]
    pub fn is_finished(&self) -> bool {
        self.task.is_finished()
    }
}

impl Drop for PurgerHandle {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl PgStore {
    /// Removes everything that has outlived its use at `now`: challenges
    /// that expired more than [`EXPIRED_CHALLENGE_RETENTION`] ago,
    /// authorization codes that expired more than
    /// [`AUTHORIZATION_CODE_RETENTION`] ago, counters of ended rate-limit
    /// windows, and refresh-token families that expired more than
    /// [`EXPIRED_REFRESH_FAMILY_RETENTION`] ago.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the server cannot be reached; what
    /// was purged before the failure stays purged.
    pub async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        let challenges =
            ChallengeStore::purge_expired(self, before(now, EXPIRED_CHALLENGE_RETENTION)).await?;
        let authorization_codes =
            AuthorizationCodeStore::purge_expired(self, before(now, AUTHORIZATION_CODE_RETENTION))
                .await?;
        let rate_limits = self.purge_rate_limits(now).await?;
        let refresh_families = self
            .purge_refresh_families(before(now, EXPIRED_REFRESH_FAMILY_RETENTION))
            .await?;
        Ok(PurgeReport {
            challenges,
            authorization_codes,
            rate_limits,
            refresh_families,
        })
    }

    /// Deletes refresh-token families, and their tokens, whose absolute
    /// expiry is before `before`; returns how many families went.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the server cannot be reached.
    pub async fn purge_refresh_families(&self, before: Timestamp) -> Result<u64, StoreError> {
        self.bounded(async {
            let done = sqlx::query!(
                "DELETE FROM refresh_families WHERE expires_at < $1",
                before.unix_millis()
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(done.rows_affected())
        })
        .await
    }

    /// Starts a task on the current Tokio runtime that calls
    /// [`purge_once`](Self::purge_once) now and then every `every` (at least
    /// one millisecond), reading the time from `clock`. Failures are logged
    /// and retried at the next tick. The task stops when the returned handle
    /// is dropped.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when called outside a Tokio runtime.
    pub fn spawn_purger(
        &self,
        every: Duration,
        clock: Arc<dyn Clock>,
    ) -> Result<PurgerHandle, StoreError> {
        let runtime = tokio::runtime::Handle::try_current()
            .map_err(|e| StoreError::Unknown(anyhow::anyhow!("no Tokio runtime: {e}")))?;
        let store = self.clone();
        let period = every.max(Duration::from_millis(1));
        let task = runtime.spawn(async move {
            let mut ticks = tokio::time::interval(period);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            loop {
                ticks.tick().await;
                match store.purge_once(clock.now()).await {
                    Ok(report) => tracing::debug!(
                        challenges = report.challenges,
                        authorization_codes = report.authorization_codes,
                        rate_limits = report.rate_limits,
                        refresh_families = report.refresh_families,
                        "purged expired postgres rows"
                    ),
                    Err(e) => tracing::warn!(
                        error = %chain(&e),
                        "purging expired postgres rows failed"
                    ),
                }
            }
        });
        Ok(PurgerHandle {
            task: task.abort_handle(),
        })
    }
}

/// `now - retention`, saturating.
fn before(now: Timestamp, retention: Duration) -> Timestamp {
    let ms = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
    Timestamp::from_unix_millis(now.unix_millis().saturating_sub(ms))
}

/// An error and its sources on one line. Store errors built by this crate
/// carry no row values, so this is safe to log.
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
