//! A clock that only moves when a test moves it.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use sesame_domain::Timestamp;
use sesame_domain::ports::Clock;

use crate::fixtures::real_now;

/// A fixed, steppable [`Clock`]. Clones share one instant, so a test keeps a
/// handle and moves the time the service sees.
#[derive(Debug, Clone)]
pub struct StepClock {
    millis: Arc<AtomicI64>,
}

impl StepClock {
    /// 2026-01-01T00:00:00Z, the instant [`StepClock::default`] starts at.
    pub const DEFAULT_START: Timestamp = Timestamp::from_unix_seconds(1_767_225_600);

    /// A clock stopped at `at`.
    #[must_use]
    pub fn new(at: Timestamp) -> Self {
        Self {
            millis: Arc::new(AtomicI64::new(at.unix_millis())),
        }
    }

    /// A clock stopped at the real current time, rounded down to the second.
    /// Use it with stores that keep native TTLs (Redis), which compute them
    /// from the instants they are given.
    #[must_use]
    pub fn starting_now() -> Self {
        Self::new(Timestamp::from_unix_seconds(real_now().unix_seconds()))
    }

    /// Moves the clock forward by `by` (saturating).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        // fetch_update cannot fail with a closure that always returns Some.
        let _ = self
            .millis
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |t| {
                Some(t.saturating_add(ms))
            });
    }

    /// Sets the clock to `at`, forwards or backwards.
    pub fn set(&self, at: Timestamp) {
        self.millis.store(at.unix_millis(), Ordering::SeqCst);
    }
}

impl Default for StepClock {
    fn default() -> Self {
        Self::new(Self::DEFAULT_START)
    }
}

impl Clock for StepClock {
    fn now(&self) -> Timestamp {
        Timestamp::from_unix_millis(self.millis.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_stands_still_until_moved() {
        let clock = StepClock::new(Timestamp::from_unix_seconds(100));
        assert_eq!(clock.now(), Timestamp::from_unix_seconds(100));
        assert_eq!(clock.now(), Timestamp::from_unix_seconds(100));
    }

    #[test]
    fn advance_and_set_move_every_clone() {
        let clock = StepClock::new(Timestamp::from_unix_seconds(100));
        let seen_by_service = clock.clone();
        clock.advance(Duration::from_millis(1500));
        assert_eq!(seen_by_service.now(), Timestamp::from_unix_millis(101_500));
        clock.set(Timestamp::from_unix_seconds(7));
        assert_eq!(seen_by_service.now(), Timestamp::from_unix_seconds(7));
    }

    #[test]
    fn advancing_saturates_instead_of_wrapping() {
        let clock = StepClock::new(Timestamp::from_unix_millis(i64::MAX - 1));
        clock.advance(Duration::from_secs(1));
        assert_eq!(clock.now().unix_millis(), i64::MAX);
    }

    #[test]
    fn a_clock_starting_now_is_close_to_the_real_time() {
        let clock = StepClock::starting_now();
        let drift = real_now().since(clock.now());
        assert!(drift < Duration::from_secs(60), "drift {drift:?}");
        assert_eq!(clock.now().unix_millis() % 1000, 0);
    }
}
