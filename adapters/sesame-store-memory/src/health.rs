//! Readiness of in-memory backends, switchable by tests.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;
use sesame_domain::ports::{HealthCheck, StoreError};

/// A [`HealthCheck`] named `memory`: memory is always reachable, so it is
/// ready unless a test marks it down to exercise `/readyz`. Clones share
/// the switch.
#[derive(Debug, Clone, Default)]
pub struct MemoryHealth {
    down: Arc<AtomicBool>,
}

impl MemoryHealth {
    /// A ready backend.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Marks the backend down (`true`) or ready again (`false`).
    pub fn set_down(&self, down: bool) {
        self.down.store(down, Ordering::SeqCst);
    }

    /// Whether it is marked down.
    #[must_use]
    pub fn is_down(&self) -> bool {
        self.down.load(Ordering::SeqCst)
    }
}

#[async_trait]
impl HealthCheck for MemoryHealth {
    fn name(&self) -> &'static str {
        "memory"
    }

    async fn check(&self) -> Result<(), StoreError> {
        if self.is_down() {
            Err(StoreError::Unavailable(anyhow::anyhow!(
                "marked down by the test"
            )))
        } else {
            Ok(())
        }
    }
}
