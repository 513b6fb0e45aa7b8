//! [`HealthCheck`]: one `SELECT 1` round trip, within the operation timeout.

use async_trait::async_trait;
use sesame_domain::ports::{HealthCheck, StoreError};

use crate::error::from_sqlx;
use crate::store::PgStore;

#[async_trait]
impl HealthCheck for PgStore {
    fn name(&self) -> &'static str {
        "postgres"
    }

    async fn check(&self) -> Result<(), StoreError> {
        self.bounded(async {
            sqlx::query_scalar!("SELECT 1 AS one")
                .fetch_one(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(())
        })
        .await
    }
}
