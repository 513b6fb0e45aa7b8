//! Rate limits: the rules and what a counter answers.

use std::time::Duration;

use crate::time::Timestamp;

/// At most `limit` hits per `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Hits allowed in one window.
    pub limit: u32,
    /// The window length.
    pub window: Duration,
}

impl RateLimit {
    /// `limit` hits per `window`.
    #[must_use]
    pub const fn new(limit: u32, window: Duration) -> Self {
        Self { limit, window }
    }
}

/// A counter's answer: enough for `x-ratelimit-*` and `Retry-After` headers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateDecision {
    /// Whether this hit is within the limit.
    pub allowed: bool,
    /// The limit in force.
    pub limit: u32,
    /// Hits left in the current window after this one.
    pub remaining: u32,
    /// When the current window ends and the count starts over.
    pub reset_at: Timestamp,
}

/// The fixed window `[k·w, (k+1)·w)` containing one instant, for a window
/// length `w` in whole milliseconds.
///
/// Windows are aligned on multiples of their length since the Unix epoch, so
/// every server instance puts the same instant in the same window and can
/// name its counter by the length and `index`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FixedWindow {
    /// `w`, in milliseconds; at least 1.
    pub length_ms: i64,
    /// `k`, which may be negative for instants before the epoch.
    pub index: i64,
    /// `k·w`, saturated at the ends of the timestamp range.
    pub start: Timestamp,
    /// `(k+1)·w`, saturated likewise: when the count starts over.
    pub end: Timestamp,
}

impl FixedWindow {
    /// Milliseconds from `now` until the window ends, at least 1, e.g. for a
    /// counter's TTL: a TTL of zero would expire it at once or be refused.
    #[must_use]
    pub const fn millis_left(&self, now: Timestamp) -> i64 {
        let left = self.end.unix_millis().saturating_sub(now.unix_millis());
        if left < 1 { 1 } else { left }
    }
}

impl RateLimit {
    /// The window containing `now`.
    ///
    /// A window shorter than the 1 ms resolution of timestamps (including a
    /// zero one, which would divide by zero) is 1 ms long; one too long for
    /// an `i64` of milliseconds is `i64::MAX` ms long.
    #[must_use]
    pub fn window_at(self, now: Timestamp) -> FixedWindow {
        let length_ms = i64::try_from(self.window.as_millis())
            .unwrap_or(i64::MAX)
            .max(1);
        // Rounds towards negative infinity, so an instant before the epoch
        // falls in the window that contains it, not the one after.
        let index = now.unix_millis().div_euclid(length_ms);
        FixedWindow {
            length_ms,
            index,
            start: Timestamp::from_unix_millis(index.saturating_mul(length_ms)),
            end: Timestamp::from_unix_millis(index.saturating_add(1).saturating_mul(length_ms)),
        }
    }

    /// The answer for a window that holds `count` hits.
    ///
    /// With `counted`, `count` includes this hit, which is allowed iff
    /// `count <= limit`. Without (a peek), the question is whether one more
    /// hit would be allowed: `count < limit`. Either way `remaining` is
    /// `limit - count`, never below zero, and `reset_at` is the window's end.
    #[must_use]
    pub fn decide(self, window: &FixedWindow, count: u64, counted: bool) -> RateDecision {
        let limit = u64::from(self.limit);
        RateDecision {
            allowed: if counted {
                count <= limit
            } else {
                count < limit
            },
            limit: self.limit,
            // At most `limit`, which is a u32, so it always fits.
            remaining: u32::try_from(limit.saturating_sub(count)).unwrap_or(self.limit),
            reset_at: window.end,
        }
    }
}

/// One counter of a batch: its key and the rule it counts under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateKey<'a> {
    /// The counter's key, as for [`RateLimiter::hit`](crate::ports::RateLimiter::hit).
    pub key: &'a str,
    /// The rule, which names the window.
    pub rule: RateLimit,
}

impl<'a> RateKey<'a> {
    /// `key` under `rule`.
    #[must_use]
    pub const fn new(key: &'a str, rule: RateLimit) -> Self {
        Self { key, rule }
    }
}

/// What [`RateLimiter::reserve_all`](crate::ports::RateLimiter::reserve_all)
/// did: all of it, or nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reservation {
    /// Every counter had room: each of `take` took one unit. One decision
    /// per `take` counter, in order, as [`RateLimiter::reserve`](crate::ports::RateLimiter::reserve) answers.
    Taken(Vec<RateDecision>),
    /// A counter had no room, and nothing was taken.
    Refused {
        /// Which counter: the first found without room.
        by: Refuser,
        /// Its answer, as a peek gives it (`allowed` is false).
        decision: RateDecision,
    },
}

/// The counter that refused a batch, by its place in the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refuser {
    /// The i-th of the counters to take from.
    Take(usize),
    /// The i-th of the counters that only needed room.
    Need(usize),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(ms: i64) -> Timestamp {
        Timestamp::from_unix_millis(ms)
    }

    fn rule(limit: u32, ms: u64) -> RateLimit {
        RateLimit::new(limit, Duration::from_millis(ms))
    }

    #[test]
    fn windows_are_aligned_on_multiples_of_their_length() {
        let w = rule(1, 60_000).window_at(at(125_000));
        assert_eq!(
            w,
            FixedWindow {
                length_ms: 60_000,
                index: 2,
                start: at(120_000),
                end: at(180_000),
            }
        );
        assert_eq!(w.millis_left(at(125_000)), 55_000);
        let w = rule(1, 1000).window_at(at(12_345));
        assert_eq!(
            (w.length_ms, w.start, w.end),
            (1000, at(12_000), at(13_000))
        );
    }

    #[test]
    fn the_first_instant_of_a_window_belongs_to_it_and_the_last_one_too() {
        let first = rule(1, 60_000).window_at(at(120_000));
        assert_eq!((first.index, first.start), (2, at(120_000)));
        assert_eq!(first.millis_left(at(120_000)), 60_000);
        let last = rule(1, 60_000).window_at(at(179_999));
        assert_eq!((last.index, last.end), (2, at(180_000)));
        assert_eq!(last.millis_left(at(179_999)), 1);
    }

    #[test]
    fn an_instant_before_the_epoch_falls_in_the_window_containing_it() {
        let w = rule(1, 1000).window_at(at(-1));
        assert_eq!(
            (w.index, w.start, w.end, w.millis_left(at(-1))),
            (-1, at(-1000), at(0), 1)
        );
    }

    #[test]
    fn a_zero_length_window_is_one_millisecond_long() {
        let w = rule(1, 0).window_at(at(7));
        assert_eq!(
            (w.length_ms, w.index, w.start, w.end, w.millis_left(at(7))),
            (1, 7, at(7), at(8), 1)
        );
    }

    #[test]
    fn windows_at_the_ends_of_time_saturate_instead_of_overflowing() {
        let late = rule(1, 1000).window_at(at(i64::MAX));
        assert_eq!(late.end, at(i64::MAX));
        assert_eq!(late.millis_left(at(i64::MAX)), 1);
        let early = rule(1, 1000).window_at(at(i64::MIN));
        assert_eq!(early.start, at(i64::MIN));
        assert!(early.end > at(i64::MIN));
        let huge = RateLimit::new(1, Duration::MAX).window_at(at(5));
        assert_eq!((huge.length_ms, huge.index), (i64::MAX, 0));
    }

    #[test]
    fn millis_left_is_at_least_one_even_after_the_window() {
        let w = rule(1, 1000).window_at(at(0));
        assert_eq!(w.millis_left(at(5000)), 1);
    }

    #[test]
    fn a_hit_is_allowed_up_to_the_limit_and_remaining_never_goes_negative() {
        let rule = rule(2, 1000);
        let w = rule.window_at(at(0));
        let d: Vec<_> = (1..=3)
            .map(|n| {
                let d = rule.decide(&w, n, true);
                (d.allowed, d.remaining)
            })
            .collect();
        assert_eq!(d, [(true, 1), (true, 0), (false, 0)]);
        assert_eq!(rule.decide(&w, 5, true).remaining, 0);
    }

    #[test]
    fn a_peek_says_whether_one_more_hit_would_pass() {
        let rule = rule(2, 1000);
        let w = rule.window_at(at(0));
        assert!(rule.decide(&w, 1, false).allowed);
        assert!(!rule.decide(&w, 2, false).allowed);
        assert_eq!(rule.decide(&w, 0, false).remaining, 2);
    }

    #[test]
    fn a_decision_carries_the_limit_and_resets_when_the_window_ends() {
        let rule = rule(3, 1000);
        let w = rule.window_at(at(12_345));
        let d = rule.decide(&w, 1, true);
        assert_eq!(
            d,
            RateDecision {
                allowed: true,
                limit: 3,
                remaining: 2,
                reset_at: at(13_000),
            }
        );
    }

    #[test]
    fn a_count_beyond_u32_is_refused_with_nothing_remaining() {
        let rule = RateLimit::new(u32::MAX, Duration::from_secs(1));
        let w = rule.window_at(at(0));
        let d = rule.decide(&w, u64::from(u32::MAX) + 1, true);
        assert_eq!((d.allowed, d.remaining), (false, 0));
        assert_eq!(rule.decide(&w, 0, false).remaining, u32::MAX);
    }
}
