//! The [`RateLimiter`] checks of budgets taken before the work they pay
//! for: `reserve`, `release` and `reset`.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::RateLimiter;
use sesame_domain::{RateDecision, RateLimit, Timestamp};

use super::support::{ok, race};
use crate::fixtures::{real_now, unique_hex};

/// How many reservations race in
/// [`concurrent_reservations_never_overshoot_the_limit`].
const RACERS: usize = 50;

fn fresh_key() -> String {
    format!("contract:budget:{}", unique_hex())
}

async fn reserve(l: &dyn RateLimiter, key: &str, rule: RateLimit, now: Timestamp) -> RateDecision {
    ok(l.reserve(key, rule, now).await, "reserve")
}

async fn peek(l: &dyn RateLimiter, key: &str, rule: RateLimit, now: Timestamp) -> RateDecision {
    ok(l.peek(key, rule, now).await, "peek")
}

/// Reservations count down to zero; a refused one does not count, so one
/// release makes exactly one unit available again.
pub async fn reserve_counts_only_what_it_allows(limiter: &dyn RateLimiter) {
    let rule = RateLimit::new(3, Duration::from_secs(900));
    let key = fresh_key();
    let now = real_now();
    for (allowed, remaining) in [(true, 2), (true, 1), (true, 0), (false, 0), (false, 0)] {
        let d = reserve(limiter, &key, rule, now).await;
        assert_eq!(
            (d.allowed, d.remaining, d.limit),
            (allowed, remaining, 3),
            "(allowed, remaining, limit) of successive reservations on limit 3"
        );
    }
    ok(limiter.release(&key, rule, now).await, "release");
    let d = reserve(limiter, &key, rule, now).await;
    assert_eq!(
        (d.allowed, d.remaining),
        (true, 0),
        "a reservation after one release: refused reservations must not count"
    );
    assert!(
        !reserve(limiter, &key, rule, now).await.allowed,
        "a second reservation after one release"
    );
}

/// Of `N` concurrent reservations against a budget of `B < N`, exactly `B`
/// are allowed and the count ends at exactly `B`: one release then makes
/// exactly one unit available.
pub async fn concurrent_reservations_never_overshoot_the_limit(limiter: &Arc<dyn RateLimiter>) {
    let budget = 10_u32;
    let rule = RateLimit::new(budget, Duration::from_secs(3_600));
    let key = fresh_key();
    let now = real_now();
    let allowed = race(RACERS, |_| {
        let limiter = Arc::clone(limiter);
        let key = key.clone();
        async move { ok(limiter.reserve(&key, rule, now).await, "reserve").allowed }
    })
    .await
    .into_iter()
    .filter(|&a| a)
    .count();
    assert_eq!(
        allowed, budget as usize,
        "{RACERS} concurrent reservations on a budget of {budget}: allowed"
    );
    ok(limiter.release(&key, rule, now).await, "release");
    let d = peek(limiter.as_ref(), &key, rule, now).await;
    assert_eq!(
        (d.allowed, d.remaining),
        (true, 1),
        "after one release the count must be budget - 1: it overshot the budget"
    );
}

/// `release` gives back one unit, never goes below zero, and on a key with
/// no counter changes nothing.
pub async fn release_gives_back_one_unit_and_never_goes_below_zero(limiter: &dyn RateLimiter) {
    let rule = RateLimit::new(3, Duration::from_secs(3_600));
    let key = fresh_key();
    let now = real_now();
    ok(
        limiter.release(&key, rule, now).await,
        "release of a fresh key",
    );
    assert_eq!(
        peek(limiter, &key, rule, now).await.remaining,
        3,
        "a release of a fresh key went below zero"
    );
    reserve(limiter, &key, rule, now).await;
    reserve(limiter, &key, rule, now).await;
    ok(limiter.release(&key, rule, now).await, "release");
    assert_eq!(
        peek(limiter, &key, rule, now).await.remaining,
        2,
        "two reservations and one release leave one counted"
    );
    for _ in 0..3 {
        ok(limiter.release(&key, rule, now).await, "release");
    }
    assert_eq!(
        reserve(limiter, &key, rule, now).await.remaining,
        2,
        "releases past zero must leave the count at zero"
    );
}

/// `reset` starts the count over in the window containing `now`, is
/// idempotent, and leaves other keys and other window lengths alone.
pub async fn reset_starts_the_count_over_for_that_key_and_window(limiter: &dyn RateLimiter) {
    let day = RateLimit::new(3, Duration::from_secs(86_400));
    let hour = RateLimit::new(3, Duration::from_secs(3_600));
    let (key, other) = (fresh_key(), fresh_key());
    let now = real_now();
    ok(limiter.reset(&key, day, now).await, "reset of a fresh key");
    for _ in 0..3 {
        reserve(limiter, &key, day, now).await;
    }
    reserve(limiter, &key, hour, now).await;
    reserve(limiter, &other, day, now).await;
    assert!(!peek(limiter, &key, day, now).await.allowed, "exhausted");
    ok(limiter.reset(&key, day, now).await, "reset");
    assert_eq!(
        peek(limiter, &key, day, now).await.remaining,
        3,
        "after a reset the whole budget is left"
    );
    assert_eq!(
        peek(limiter, &key, hour, now).await.remaining,
        2,
        "a reset of one window length changed another"
    );
    assert_eq!(
        peek(limiter, &other, day, now).await.remaining,
        2,
        "a reset of one key changed another"
    );
    ok(limiter.reset(&key, day, now).await, "a second reset");
}
