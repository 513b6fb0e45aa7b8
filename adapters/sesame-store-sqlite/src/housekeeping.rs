//! [`Housekeeping`]: deleting what can never change an answer again, each
//! kind after its retention ([`sesame_domain::retention`]); MFA tickets as
//! soon as they expire.

use async_trait::async_trait;
use sesame_domain::Timestamp;
use sesame_domain::ports::{Housekeeping, PurgeReport, StoreError};
use sesame_domain::retention::{
    AUTHORIZATION_CODE_RETENTION, DPOP_JTI_RETENTION, EXPIRED_CHALLENGE_RETENTION,
    EXPIRED_REFRESH_FAMILY_RETENTION, RATE_LIMIT_WINDOW_RETENTION, cutoff,
};

use crate::SqliteStore;

#[async_trait]
impl Housekeeping for SqliteStore {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    /// One `DELETE` per table, each its own short write: a purge never holds
    /// the write lock for long.
    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        Ok(PurgeReport {
            challenges: self
                .purge_challenges(cutoff(now, EXPIRED_CHALLENGE_RETENTION))
                .await?,
            authorization_codes: self
                .purge_authorization_codes(cutoff(now, AUTHORIZATION_CODE_RETENTION))
                .await?,
            refresh_families: self
                .purge_refresh_families(cutoff(now, EXPIRED_REFRESH_FAMILY_RETENTION))
                .await?,
            rate_limit_windows: self
                .purge_rate_limit_windows(cutoff(now, RATE_LIMIT_WINDOW_RETENTION))
                .await?,
            dpop_jtis: self
                .purge_dpop_jtis(cutoff(now, DPOP_JTI_RETENTION))
                .await?,
            mfa_tickets: self.purge_mfa_tickets(now).await?,
            log_events: 0,
        })
    }
}
