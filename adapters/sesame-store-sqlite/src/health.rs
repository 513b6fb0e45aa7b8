//! [`HealthCheck`]: can the database file be read right now?

use async_trait::async_trait;
use sesame_domain::ports::{HealthCheck, StoreError};

use crate::SqliteStore;
use crate::error::store_error;

/// Reads the schema table: unlike `SELECT 1` it touches the file, so a
/// missing, locked or damaged database shows.
const CHECK: &str = "SELECT count(*) FROM sqlite_schema";

#[async_trait]
impl HealthCheck for SqliteStore {
    fn name(&self) -> &'static str {
        "sqlite"
    }

    async fn check(&self) -> Result<(), StoreError> {
        let query = self.read(|conn| {
            conn.query_row(CHECK, [], |row| row.get::<_, i64>(0))
                .map_err(store_error)
        });
        match tokio::time::timeout(self.op_timeout(), query).await {
            Ok(Ok(_)) => Ok(()),
            Ok(Err(e)) => Err(e),
            Err(elapsed) => Err(StoreError::Unavailable(
                anyhow::Error::new(elapsed).context("the SQLite health check timed out"),
            )),
        }
    }
}
