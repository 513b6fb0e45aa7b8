//! The [`RateLimiter`] checks.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::RateLimiter;
use sesame_domain::{RateDecision, RateLimit, Timestamp};

use super::support::{ok, race};
use crate::fixtures::{real_now, unique_hex};

/// How many hits race in [`concurrent_hits_allow_exactly_the_limit`].
const RACERS: usize = 50;

fn fresh_key() -> String {
    format!("contract:{}", unique_hex())
}

/// The end of the window `[k·w, (k+1)·w)` that contains `now`.
fn window_end(now: Timestamp, window: Duration) -> Timestamp {
    let w = i64::try_from(window.as_millis()).unwrap_or(i64::MAX);
    Timestamp::from_unix_millis((now.unix_millis().div_euclid(w) + 1) * w)
}

async fn hit(l: &dyn RateLimiter, key: &str, rule: RateLimit, now: Timestamp) -> RateDecision {
    ok(l.hit(key, rule, now).await, "hit")
}

async fn peek(l: &dyn RateLimiter, key: &str, rule: RateLimit, now: Timestamp) -> RateDecision {
    ok(l.peek(key, rule, now).await, "peek")
}

/// Of `N` concurrent hits on a fresh key, exactly `min(N, limit)` are
/// allowed, for a limit below and one above `N`.
pub async fn concurrent_hits_allow_exactly_the_limit(limiter: &Arc<dyn RateLimiter>) {
    for limit in [10_u32, 80] {
        let rule = RateLimit::new(limit, Duration::from_secs(3_600));
        let key = fresh_key();
        let now = real_now();
        let allowed = race(RACERS, |_| {
            let limiter = Arc::clone(limiter);
            let key = key.clone();
            async move { ok(limiter.hit(&key, rule, now).await, "hit").allowed }
        })
        .await
        .into_iter()
        .filter(|&a| a)
        .count();
        assert_eq!(
            allowed,
            RACERS.min(limit as usize),
            "{RACERS} concurrent hits with limit {limit}: allowed"
        );
    }
}

/// Each hit reports `remaining = limit - count`, never below zero; the hit
/// after the last allowed one is refused; `limit` is the rule's.
pub async fn remaining_counts_down_to_zero(limiter: &dyn RateLimiter) {
    let rule = RateLimit::new(3, Duration::from_secs(900));
    let key = fresh_key();
    let now = real_now();
    for (allowed, remaining) in [(true, 2), (true, 1), (true, 0), (false, 0), (false, 0)] {
        let d = hit(limiter, &key, rule, now).await;
        assert_eq!(
            (d.allowed, d.remaining, d.limit),
            (allowed, remaining, 3),
            "(allowed, remaining, limit) of successive hits on limit 3"
        );
    }
}

/// `reset_at` is the end of the window `[k·w, (k+1)·w)` containing `now`,
/// for hits and peeks and several window lengths.
pub async fn reset_at_is_the_end_of_the_aligned_window(limiter: &dyn RateLimiter) {
    let now = real_now();
    for secs in [1, 60, 900, 3_600, 86_400] {
        let window = Duration::from_secs(secs);
        let rule = RateLimit::new(5, window);
        let key = fresh_key();
        let want = window_end(now, window);
        assert_eq!(
            hit(limiter, &key, rule, now).await.reset_at,
            want,
            "reset_at of a hit with a {secs}s window"
        );
        assert_eq!(
            peek(limiter, &key, rule, now).await.reset_at,
            want,
            "reset_at of a peek with a {secs}s window"
        );
    }
}

/// `peek` says whether a hit would be allowed and does not count.
pub async fn peek_does_not_count(limiter: &dyn RateLimiter) {
    let rule = RateLimit::new(2, Duration::from_secs(3_600));
    let key = fresh_key();
    let now = real_now();
    for _ in 0..5 {
        let d = peek(limiter, &key, rule, now).await;
        assert!(d.allowed, "peek of a fresh key refused");
        assert_eq!(d.limit, 2, "limit of a peek");
    }
    assert_eq!(
        hit(limiter, &key, rule, now).await.remaining,
        1,
        "the first hit after peeks: peeks must not count"
    );
    assert!(
        peek(limiter, &key, rule, now).await.allowed,
        "peek with one hit left"
    );
    assert_eq!(
        hit(limiter, &key, rule, now).await.remaining,
        0,
        "the second hit after peeks: peeks must not count"
    );
    for _ in 0..3 {
        assert!(
            !peek(limiter, &key, rule, now).await.allowed,
            "peek of an exhausted key allowed"
        );
    }
}

/// A key exhausted in one window starts over in the next: hits at the
/// window's end are counted afresh.
pub async fn windows_roll_over(limiter: &dyn RateLimiter) {
    let window = Duration::from_secs(60);
    let rule = RateLimit::new(2, window);
    let key = fresh_key();
    let now = real_now();
    for _ in 0..3 {
        hit(limiter, &key, rule, now).await;
    }
    assert!(!peek(limiter, &key, rule, now).await.allowed, "exhausted");
    let next = window_end(now, window);
    assert!(
        peek(limiter, &key, rule, next).await.allowed,
        "peek in the next window refused"
    );
    let d = hit(limiter, &key, rule, next).await;
    assert_eq!(
        (d.allowed, d.remaining, d.reset_at),
        (true, 1, next.plus(window)),
        "(allowed, remaining, reset_at) of the first hit in the next window"
    );
}

/// Exhausting one key leaves other keys alone.
pub async fn keys_are_independent(limiter: &dyn RateLimiter) {
    let rule = RateLimit::new(1, Duration::from_secs(3_600));
    let (a, b) = (fresh_key(), fresh_key());
    let now = real_now();
    hit(limiter, &a, rule, now).await;
    assert!(
        !hit(limiter, &a, rule, now).await.allowed,
        "second hit on a"
    );
    let d = hit(limiter, &b, rule, now).await;
    assert_eq!(
        (d.allowed, d.remaining),
        (true, 0),
        "the first hit on another key"
    );
}
