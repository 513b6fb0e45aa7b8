//! The purge loop: expired challenges, codes, refresh families and rate
//! windows leave the in-memory stores, so memory does not grow forever.
//!
//! The domain runs no loops of its own; an embedder decides when purging
//! happens. Once a minute is plenty: purging is about memory, never about
//! correctness (an expired challenge is refused whether purged or not).

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::{Clock, Housekeeping};
use tokio::time::MissedTickBehavior;

/// How often the stores are purged.
pub const PURGE_EVERY: Duration = Duration::from_secs(60);

/// Purges `stores` as of `clock`'s time every [`PURGE_EVERY`], forever.
pub async fn purge_forever(stores: Vec<Arc<dyn Housekeeping>>, clock: Arc<dyn Clock>) {
    let mut ticks = tokio::time::interval(PURGE_EVERY);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let now = clock.now();
        for store in &stores {
            // Reports are counts only; a failure is retried next tick.
            if let Err(e) = store.purge_once(now).await {
                eprintln!("purging {} failed: {e}", store.name());
            }
        }
    }
}
