//! [`DpopReplayStore`] as keys that expire by themselves: one script reads
//! the held expiry and claims the key in one step, so concurrent claims
//! elect one; the key's TTL removes it (no housekeeping needed). One key per
//! id, so it works on a cluster as on one node.

use async_trait::async_trait;
use sesame_domain::ports::{DpopReplayStore, StoreError};
use sesame_domain::time::Timestamp;

use crate::scripts;
use crate::store::RedisStore;

/// How long an entry outlives its expiry by Redis's clock: instances whose
/// clocks lag still find it. The stored expiry, not the TTL, decides.
const CLOCK_SKEW_GRACE_MS: i64 = 5_000;

#[async_trait]
impl DpopReplayStore for RedisStore {
    async fn claim(
        &self,
        key: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let ttl = expires_at
            .unix_millis()
            .saturating_sub(now.unix_millis())
            .saturating_add(CLOCK_SKEW_GRACE_MS)
            .max(1);
        let mut call = scripts::CLAIM_JTI.call();
        call.key(self.keys.dpop_jti(key))
            .arg(expires_at.unix_millis())
            .arg(now.unix_millis())
            .arg(ttl);
        let claimed: i64 = self.eval(call).await?;
        Ok(claimed == 1)
    }
}
