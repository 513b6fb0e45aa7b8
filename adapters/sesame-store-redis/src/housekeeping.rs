//! [`Housekeeping`] for Redis, where every key expires by itself.

use async_trait::async_trait;
use sesame_domain::ports::{Housekeeping, PurgeReport, StoreError};
use sesame_domain::time::Timestamp;

use crate::store::RedisStore;

#[async_trait]
impl Housekeeping for RedisStore {
    fn name(&self) -> &'static str {
        "redis"
    }

    /// Removes nothing and reports zero, without touching Redis: challenges,
    /// authorization codes and rate-limit counters all expire by their own
    /// TTLs (at the end of their retention or window). There is no index to
    /// walk, which is what lets every key live on whichever cluster node
    /// owns its slot.
    async fn purge_once(&self, _now: Timestamp) -> Result<PurgeReport, StoreError> {
        Ok(PurgeReport::default())
    }
}
