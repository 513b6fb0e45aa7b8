//! RS256 signing on tokio's blocking pool (feature `tokio`).
//!
//! An RS256 signature takes a few hundred microseconds of CPU, well past the
//! tens of microseconds a task should run between awaits. Signed inline, a
//! burst of token requests holds the runtime's workers and every other task
//! (OTP starts, JWKS, health checks) queues behind it; on the blocking pool
//! the workers stay free, at the price of a thread hand-off per signature.
//! `benches/mint.rs` (group `rs256_on_tokio`) measures both sides. ES256 and
//! EdDSA sign in about 20 µs and always run inline.

use std::sync::Arc;

use serde::Serialize;
use sesame_domain::SigningAlg;
use sesame_domain::ports::SigningError;
use tokio::runtime::Handle;

use crate::cache::CachedKey;

/// Signs `claims` with `key` on the blocking pool when it is an RS256 key and
/// a tokio runtime is running; `None` when the caller should sign inline.
pub(crate) async fn sign_rs256<T: Serialize + Sync>(
    key: &Arc<CachedKey>,
    claims: &T,
) -> Option<Result<String, SigningError>> {
    if key.alg() != SigningAlg::RS256 {
        return None;
    }
    let runtime = Handle::try_current().ok()?;
    let input = match key.signing_input(claims) {
        Ok(input) => input,
        Err(e) => return Some(Err(e)),
    };
    let key = Arc::clone(key);
    Some(
        runtime
            .spawn_blocking(move || key.finish_signing(input))
            .await
            .map_err(|e| SigningError::Unknown(anyhow::Error::new(e).context("RS256 signing task")))
            .and_then(|signed| signed),
    )
}
