//! Readiness: can a backend serve requests right now?

use async_trait::async_trait;

use super::StoreError;

/// A backend that can say whether it is reachable, for `/readyz`.
#[async_trait]
pub trait HealthCheck: Send + Sync {
    /// A short name for the readiness report, e.g. `postgres`.
    fn name(&self) -> &'static str;

    /// Checks the backend with the cheapest real round trip (e.g. `SELECT 1`,
    /// `PING`).
    ///
    /// # Errors
    /// MUST return [`StoreError::Unavailable`] within the adapter's timeout
    /// when the backend cannot answer; MUST NOT hang.
    async fn check(&self) -> Result<(), StoreError>;
}
