//! [`Housekeeping`] for Redis, where every key expires by itself: what is
//! left to purge is challenges, through their expiry index.

use async_trait::async_trait;
use sesame_domain::ports::{Housekeeping, PurgeReport, StoreError};
use sesame_domain::retention::{EXPIRED_CHALLENGE_RETENTION, cutoff};
use sesame_domain::time::Timestamp;

use crate::store::RedisStore;

#[async_trait]
impl Housekeeping for RedisStore {
    fn name(&self) -> &'static str {
        "redis"
    }

    /// Removes the challenges past their retention and their entries in the
    /// expiry index. Authorization codes and rate-limit counters are never
    /// counted: their keys expire by themselves, at the end of their
    /// retention and of their window.
    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        Ok(PurgeReport {
            challenges: self
                .purge_challenges(cutoff(now, EXPIRED_CHALLENGE_RETENTION))
                .await?,
            ..PurgeReport::default()
        })
    }
}
