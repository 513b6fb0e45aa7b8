//! The [`HealthCheck`] checks: a bounded answer, up or down.

use std::time::Duration;

use sesame_domain::ports::{HealthCheck, StoreError};

use super::support::{fail, ok};

/// The longest a check may take before it counts as hanging. Generous:
/// adapters pick their own, shorter, timeouts.
pub const CHECK_DEADLINE: Duration = Duration::from_secs(30);

async fn bounded(check: &dyn HealthCheck) -> Result<(), StoreError> {
    ok(
        tokio::time::timeout(CHECK_DEADLINE, check.check()).await,
        "the health check did not answer within the deadline (it must not hang)",
    )
}

/// The name is a short, non-empty word fit for a readiness report.
pub async fn the_name_is_a_short_word(check: &dyn HealthCheck) {
    let name = check.name();
    assert!(
        !name.is_empty() && name.len() <= 32 && !name.contains(char::is_whitespace),
        "health check name {name:?} must be a short word"
    );
}

/// A reachable backend answers `Ok`, repeatedly.
pub async fn a_reachable_backend_is_ready(check: &dyn HealthCheck) {
    for _ in 0..3 {
        ok(bounded(check).await, "check of a reachable backend");
    }
}

/// An unreachable backend answers [`StoreError::Unavailable`] in bounded
/// time. Give it a checker pointed at an address nothing listens on.
pub async fn an_unreachable_backend_is_unavailable(check: &dyn HealthCheck) {
    match bounded(check).await {
        Err(StoreError::Unavailable(_)) => {}
        Ok(()) => fail("check of an unreachable backend returned Ok"),
        Err(other) => fail(&format!(
            "check of an unreachable backend must be Unavailable, got {other:?}"
        )),
    }
}
