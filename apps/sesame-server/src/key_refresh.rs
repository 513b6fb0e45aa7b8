//! The signing-key refresh loop: every `passwordless.key_refresh_secs`, the
//! service re-reads the key store, so a rotation made by another instance
//! (or by `sesame keys rotate`) is signed with here within that period, and
//! requests never wait on the store for keys.

use std::sync::{Arc, Weak};
use std::time::Duration;

use sesame_domain::Passwordless;
use tokio::task::AbortHandle;
use tokio::time::MissedTickBehavior;

/// The running loop; dropping it stops the loop.
#[derive(Debug)]
#[must_use = "the loop stops as soon as its handle is dropped"]
pub struct KeyRefresher {
    task: AbortHandle,
}

impl Drop for KeyRefresher {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the loop on the current Tokio runtime: one refresh every `every`
/// (at least a millisecond), the first after one period (the service has
/// just read the keys). A failed refresh is logged (the key id and the
/// reason, never key material) and the current keys stay in use; the next
/// tick tries again. Holds the service weakly, so it never keeps it alive.
///
/// # Errors
/// When called outside a Tokio runtime.
pub fn spawn(service: &Arc<Passwordless>, every: Duration) -> anyhow::Result<KeyRefresher> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|e| anyhow::anyhow!("the key refresh loop needs a Tokio runtime: {e}"))?;
    let period = every.max(Duration::from_millis(1));
    let service: Weak<Passwordless> = Arc::downgrade(service);
    let task = runtime.spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
        ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            let Some(service) = service.upgrade() else {
                return;
            };
            if let Err(e) = service.refresh_signing_keys().await {
                tracing::warn!(error = %e, "re-reading the signing keys failed; keeping the current ones");
            }
        }
    });
    Ok(KeyRefresher {
        task: task.abort_handle(),
    })
}
