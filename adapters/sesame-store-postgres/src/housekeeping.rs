//! [`Housekeeping`]: deleting what has outlived its retention
//! ([`sesame_domain::retention`]): expired challenges and authorization
//! codes, counters of ended rate-limit windows, refresh-token families
//! past their absolute lifetime, DPoP proof ids, and MFA tickets as soon as
//! they expire.

use async_trait::async_trait;
use sesame_domain::ports::{Housekeeping, PurgeReport, StoreError};
use sesame_domain::retention::{
    AUTHORIZATION_CODE_RETENTION, DPOP_JTI_RETENTION, EXPIRED_CHALLENGE_RETENTION,
    EXPIRED_REFRESH_FAMILY_RETENTION, RATE_LIMIT_WINDOW_RETENTION, cutoff,
};
use sesame_domain::time::Timestamp;

use crate::error::from_sqlx;
use crate::store::PgStore;

#[async_trait]
impl Housekeeping for PgStore {
    fn name(&self) -> &'static str {
        "postgres"
    }

    /// One `DELETE` per table, each in its own transaction, so no purge
    /// holds many row locks at once. Instances sharing the database may
    /// purge at the same time: each row is deleted once.
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
                .purge_rate_limits(cutoff(now, RATE_LIMIT_WINDOW_RETENTION))
                .await?,
            dpop_jtis: self
                .purge_dpop_jtis(cutoff(now, DPOP_JTI_RETENTION))
                .await?,
            mfa_tickets: self.purge_mfa_tickets(now).await?,
            log_events: 0,
        })
    }
}

impl PgStore {
    /// Deletes refresh-token families, and their tokens, whose absolute
    /// expiry is before `before`; returns how many families went.
    async fn purge_refresh_families(&self, before: Timestamp) -> Result<u64, StoreError> {
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
}
