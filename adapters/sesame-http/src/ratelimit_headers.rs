//! `x-ratelimit-*` and `Retry-After` from a domain [`RateDecision`].

use std::time::{SystemTime, UNIX_EPOCH};

use http::{HeaderMap, HeaderName, HeaderValue, header::RETRY_AFTER};
use sesame_domain::RateDecision;

/// `x-ratelimit-limit`.
pub(crate) const LIMIT: HeaderName = HeaderName::from_static("x-ratelimit-limit");
/// `x-ratelimit-remaining`.
pub(crate) const REMAINING: HeaderName = HeaderName::from_static("x-ratelimit-remaining");
/// `x-ratelimit-reset`: when the window ends, in seconds since the epoch.
pub(crate) const RESET: HeaderName = HeaderName::from_static("x-ratelimit-reset");

/// The reset instant in whole epoch seconds, rounded up so a client that
/// waits until then is never early.
fn reset_seconds(d: &RateDecision) -> i64 {
    let ms = d.reset_at.unix_millis();
    ms.div_euclid(1000) + i64::from(ms.rem_euclid(1000) != 0)
}

/// The three `x-ratelimit-*` headers, as Auth0 sends them.
pub(crate) fn rate_headers(d: &RateDecision) -> HeaderMap {
    let mut h = HeaderMap::new();
    h.insert(LIMIT, HeaderValue::from(d.limit));
    h.insert(REMAINING, HeaderValue::from(d.remaining));
    h.insert(RESET, HeaderValue::from(reset_seconds(d)));
    h
}

/// The `x-ratelimit-*` headers plus `Retry-After` in seconds (at least 1, so
/// a client never retries in a hot loop), for a refused request.
pub(crate) fn refusal_headers(d: &RateDecision, now: SystemTime) -> HeaderMap {
    let mut h = rate_headers(d);
    let now_s = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let wait = reset_seconds(d).saturating_sub(now_s).max(1);
    h.insert(RETRY_AFTER, HeaderValue::from(wait));
    h
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use sesame_domain::Timestamp;

    use super::*;

    fn decision(reset_ms: i64) -> RateDecision {
        RateDecision {
            allowed: false,
            limit: 50,
            remaining: 0,
            reset_at: Timestamp::from_unix_millis(reset_ms),
        }
    }

    #[test]
    fn the_reset_is_in_epoch_seconds_rounded_up() {
        let h = rate_headers(&decision(1_700_000_000_001));
        assert_eq!(h[LIMIT], "50");
        assert_eq!(h[REMAINING], "0");
        assert_eq!(h[RESET], "1700000001");
    }

    #[test]
    fn retry_after_counts_the_seconds_left_and_is_never_zero() {
        let now = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let h = refusal_headers(&decision(1_700_000_042_000), now);
        assert_eq!(h[RETRY_AFTER], "42");
        let h = refusal_headers(&decision(1_600_000_000_000), now);
        assert_eq!(h[RETRY_AFTER], "1");
    }
}
