//! The in-process per-IP request limiter in front of the endpoints that
//! write: `/passwordless/start`, `/oauth/token` and the magic link's
//! `/passwordless/verify_redirect` (GET and POST).
//!
//! It answers a flood from one client with 429 `too_many_requests` before
//! the request reaches the domain, so before any store is called: the
//! shared counters behind the domain's limits are themselves rows to write,
//! and on SQLite every write waits for the one writer. It is a token bucket
//! per client (`governor`'s keyed limiter, GCRA): `requests_per_ip_burst`
//! requests at once, refilled at `requests_per_ip_per_second`. The client is
//! the IP the rate limits use (peer or `X-Forwarded-For` by
//! `[http] client_ip`), an IPv6 one counted by its prefix. Each instance
//! counts on its own: this is a flood guard, not a quota.
//!
//! Memory: a bucket that has refilled is indistinguishable from no bucket,
//! so every 1024 checks the ones that have are dropped (`retain_recent`).
//! What stays is the clients seen within one refill time.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use http::StatusCode;
use sesame_domain::{Ipv6PrefixLen, RateDecision, Timestamp, rate_limit_ip};

use crate::config::{ClientIpSource, HttpConfig};
use crate::error::ApiError;
use crate::ip;
use crate::ratelimit_headers::refusal_headers;

/// Checks between two sweeps of refilled buckets.
const SWEEP_EVERY: u64 = 1024;

/// One token bucket per client IP.
pub(crate) struct FloodGuard<C: Clock = DefaultClock> {
    limiter: RateLimiter<IpAddr, DefaultKeyedStateStore<IpAddr>, C, NoOpMiddleware<C::Instant>>,
    clock: C,
    per_second: u32,
    ipv6: Ipv6PrefixLen,
    source: ClientIpSource,
    checks: AtomicU64,
}

impl FloodGuard {
    /// The guard `config` asks for; `None` when its rate is 0 (off).
    pub(crate) fn from_config(config: &HttpConfig) -> Option<Arc<Self>> {
        Self::with_clock(config, DefaultClock::default()).map(Arc::new)
    }
}

impl<C: Clock + Clone> FloodGuard<C> {
    /// The guard `config` asks for, timed by `clock`.
    pub(crate) fn with_clock(config: &HttpConfig, clock: C) -> Option<Self> {
        let rate = NonZeroU32::new(config.requests_per_ip_per_second)?;
        let burst = NonZeroU32::new(config.requests_per_ip_burst).unwrap_or(rate);
        let quota = Quota::per_second(rate).allow_burst(burst);
        Some(Self {
            limiter: RateLimiter::new(quota, DefaultKeyedStateStore::default(), clock.clone()),
            clock,
            per_second: rate.get(),
            ipv6: config.ipv6_prefix_len,
            source: config.client_ip,
            checks: AtomicU64::new(0),
        })
    }

    /// Takes one request from `ip`'s bucket; how long until the next one
    /// would pass when it is empty.
    pub(crate) fn check(&self, ip: IpAddr) -> Result<(), Duration> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % SWEEP_EVERY == SWEEP_EVERY - 1 {
            self.sweep();
        }
        self.limiter
            .check_key(&rate_limit_ip(ip, self.ipv6))
            .map_err(|not_until| not_until.wait_time_from(self.clock.now()))
    }

    /// Drops the buckets that have refilled.
    pub(crate) fn sweep(&self) {
        self.limiter.retain_recent();
        self.limiter.shrink_to_fit();
    }

    /// Buckets held.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.limiter.len()
    }
}

/// The middleware: 429 before the handler for a client over its rate.
pub(crate) async fn limit(
    State(guard): State<Arc<FloodGuard>>,
    req: Request,
    next: Next,
) -> Response {
    let (parts, body) = req.into_parts();
    if let Some(ip) = ip::client_ip(guard.source, &parts)
        && let Err(wait) = guard.check(ip)
    {
        return too_many_requests(guard.per_second, wait).into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}

/// The refusal: Auth0's `too_many_requests`, with the rate-limit headers.
fn too_many_requests(per_second: u32, wait: Duration) -> ApiError {
    let now = SystemTime::now();
    let now_ms = now
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let wait_ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX);
    let d = RateDecision {
        allowed: false,
        limit: per_second,
        remaining: 0,
        reset_at: Timestamp::from_unix_millis(now_ms.saturating_add(wait_ms)),
    };
    crate::metrics::rate_limited("flood");
    ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and \
         X-RateLimit-Reset headers.",
    )
    .with_headers(refusal_headers(&d, now))
}

#[cfg(test)]
mod tests {
    use governor::clock::FakeRelativeClock;

    use super::*;

    fn guard(per_second: u32, burst: u32) -> (FloodGuard<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        let config = HttpConfig {
            requests_per_ip_per_second: per_second,
            requests_per_ip_burst: burst,
            ..HttpConfig::default()
        };
        (
            FloodGuard::with_clock(&config, clock.clone()).unwrap(),
            clock,
        )
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn a_client_gets_its_burst_then_one_request_per_refill() {
        let (g, clock) = guard(2, 3);
        let a = ip("203.0.113.1");
        assert!((0..3).all(|_| g.check(a).is_ok()));
        let wait = g.check(a).unwrap_err();
        assert_eq!(wait, Duration::from_millis(500));
        assert!(
            g.check(ip("203.0.113.2")).is_ok(),
            "another client is not held up"
        );
        clock.advance(Duration::from_millis(500));
        assert!(g.check(a).is_ok());
        assert!(g.check(a).is_err());
    }

    #[test]
    fn an_ipv6_client_is_one_bucket_for_its_whole_slash_64() {
        let (g, _) = guard(1, 2);
        assert!(g.check(ip("2001:db8:1:2::1")).is_ok());
        assert!(g.check(ip("2001:db8:1:2:ffff::9")).is_ok());
        assert!(g.check(ip("2001:db8:1:2:1234::5")).is_err());
        assert!(g.check(ip("2001:db8:1:3::1")).is_ok());
    }

    #[test]
    fn a_mapped_ipv4_client_shares_the_ipv4_bucket() {
        let (g, _) = guard(1, 1);
        assert!(g.check(ip("198.51.100.7")).is_ok());
        assert!(g.check(ip("::ffff:198.51.100.7")).is_err());
    }

    #[test]
    fn refilled_buckets_are_dropped_so_memory_stays_bounded() {
        let (g, clock) = guard(20, 50);
        for i in 0..5000u32 {
            let [a, b, c, d] = (0x0a00_0000 + i).to_be_bytes();
            let _ = g.check(IpAddr::from([a, b, c, d]));
        }
        // Sweeps ran while the buckets were fresh: none could go.
        assert!(g.len() > 4000, "{}", g.len());
        clock.advance(Duration::from_secs(3));
        for _ in 0..SWEEP_EVERY {
            let _ = g.check(ip("192.0.2.1"));
        }
        assert!(g.len() <= 1, "{} buckets kept", g.len());
    }

    #[test]
    fn a_rate_of_zero_turns_the_guard_off() {
        let config = HttpConfig {
            requests_per_ip_per_second: 0,
            ..HttpConfig::default()
        };
        assert!(FloodGuard::from_config(&config).is_none());
    }
}
