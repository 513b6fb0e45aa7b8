//! What one virtual user records, and the summary math: HDR histograms of
//! latencies in microseconds, and error counts by what failed.
//!
//! Each virtual user owns a [`Recorder`] (no locks on the hot path); the
//! runner merges them when the run ends.

use std::collections::BTreeMap;
use std::time::Duration;

use hdrhistogram::Histogram;
use serde::Serialize;

/// The largest latency a histogram holds: one minute, in microseconds.
const MAX_MICROS: u64 = 60_000_000;
/// Significant figures kept: 3 means every value within 0.1 %.
const SIGFIG: u8 = 3;

/// The HTTP calls a flow makes, timed one by one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Endpoint {
    /// `POST /passwordless/start` (includes the server's webhook delivery).
    Start,
    /// From the start's answer until the code is in the virtual user's hands.
    CodeWait,
    /// `POST /oauth/token` with the OTP grant.
    Otp,
    /// `POST /oauth/token` with the refresh-token grant.
    Refresh,
}

impl Endpoint {
    /// Every endpoint, in report order.
    pub const ALL: [Self; 4] = [Self::Start, Self::CodeWait, Self::Otp, Self::Refresh];

    /// The name used in reports and error keys.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::CodeWait => "code_wait",
            Self::Otp => "otp",
            Self::Refresh => "refresh",
        }
    }
}

/// A latency histogram in microseconds, saturating at one minute.
#[derive(Debug, Clone)]
pub struct Latencies(Histogram<u64>);

impl Default for Latencies {
    #[expect(
        clippy::expect_used,
        reason = "constant bounds (1 µs to 60 s, 3 figures) that hdrhistogram always accepts"
    )]
    fn default() -> Self {
        Self(Histogram::new_with_bounds(1, MAX_MICROS, SIGFIG).expect("valid histogram bounds"))
    }
}

impl Latencies {
    /// Records one latency (clamped to the histogram's range).
    pub fn record(&mut self, latency: Duration) {
        let micros = u64::try_from(latency.as_micros()).unwrap_or(MAX_MICROS);
        self.0.saturating_record(micros.clamp(1, MAX_MICROS));
    }

    /// How many latencies were recorded.
    #[must_use]
    pub fn len(&self) -> u64 {
        self.0.len()
    }

    /// Whether nothing was recorded.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds `other`'s counts to these.
    pub fn merge(&mut self, other: &Self) {
        // Same bounds on both sides, so adding cannot fail; if it ever did,
        // the values are added one by one instead.
        if self.0.add(&other.0).is_err() {
            for v in other.0.iter_recorded() {
                self.0
                    .saturating_record_n(v.value_iterated_to(), v.count_at_value());
            }
        }
    }

    /// The percentiles and extremes, in milliseconds.
    #[must_use]
    pub fn summary(&self) -> Summary {
        let ms = |micros: u64| micros as f64 / 1000.0;
        if self.0.is_empty() {
            return Summary::default();
        }
        Summary {
            count: self.0.len(),
            mean_ms: self.0.mean() / 1000.0,
            p50_ms: ms(self.0.value_at_quantile(0.50)),
            p90_ms: ms(self.0.value_at_quantile(0.90)),
            p99_ms: ms(self.0.value_at_quantile(0.99)),
            max_ms: ms(self.0.max()),
        }
    }
}

/// A latency distribution, in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Summary {
    /// Samples.
    pub count: u64,
    /// Arithmetic mean.
    pub mean_ms: f64,
    /// Median.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Largest sample.
    pub max_ms: f64,
}

/// Everything one virtual user measured.
#[derive(Debug, Clone, Default)]
pub struct Recorder {
    /// Complete flows that succeeded, start to finish (or, open loop, from
    /// the scheduled send time to finish).
    pub flows: Latencies,
    /// Each call, successful or not.
    pub endpoints: BTreeMap<Endpoint, Latencies>,
    /// Failed flows by cause, e.g. `start:429`, `otp:transport`, `code:timeout`.
    pub errors: BTreeMap<String, u64>,
}

impl Recorder {
    /// Records one call to `endpoint`.
    pub fn call(&mut self, endpoint: Endpoint, latency: Duration) {
        self.endpoints.entry(endpoint).or_default().record(latency);
    }

    /// Counts one failed flow under `cause`.
    pub fn error(&mut self, cause: impl Into<String>) {
        *self.errors.entry(cause.into()).or_default() += 1;
    }

    /// How many flows failed.
    #[must_use]
    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Adds `other` to this one.
    pub fn merge(&mut self, other: &Self) {
        self.flows.merge(&other.flows);
        for (endpoint, latencies) in &other.endpoints {
            self.endpoints
                .entry(*endpoint)
                .or_default()
                .merge(latencies);
        }
        for (cause, n) in &other.errors {
            *self.errors.entry(cause.clone()).or_default() += n;
        }
    }
}

/// Completed flows per second over `elapsed`; zero when nothing elapsed.
#[must_use]
pub fn per_second(count: u64, elapsed: Duration) -> f64 {
    let secs = elapsed.as_secs_f64();
    if secs > 0.0 { count as f64 / secs } else { 0.0 }
}

/// `total` divided by the completed flows; `None` when none completed, so
/// that an empty run reports nothing rather than dividing by zero.
#[must_use]
pub fn per_flow(total: f64, flows: u64) -> Option<f64> {
    (flows > 0).then(|| total / flows as f64)
}

#[cfg(test)]
#[path = "stats_tests.rs"]
mod tests;
