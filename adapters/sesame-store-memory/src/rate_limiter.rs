//! Fixed-window rate-limit counters in memory.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use sesame_domain::ports::{Housekeeping, PurgeReport, RateLimiter, StoreError};
use sesame_domain::retention::{RATE_LIMIT_WINDOW_RETENTION, cutoff};
use sesame_domain::{RateDecision, RateKey, RateLimit, Refuser, Reservation, Timestamp};

use crate::sync::lock;

/// Every this many hits, windows past their retention are dropped, so
/// counters of keys never seen again do not pile up between purges.
const SWEEP_EVERY: u32 = 1024;

/// A [`RateLimiter`] in memory, with windows aligned to multiples of their
/// length since the Unix epoch.
#[derive(Default)]
pub struct MemoryRateLimiter {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    /// By key and window length: rules with different windows on one key
    /// never share a counter.
    counters: HashMap<(String, i64), Counter>,
    hits_since_sweep: u32,
}

struct Counter {
    start: i64,
    end: i64,
    count: u32,
}

impl Inner {
    /// The hits counted so far in the window `[start, end)` for `key`.
    fn count(&self, key: &str, start: i64, end: i64) -> u32 {
        self.counters
            .get(&(key.to_owned(), end.saturating_sub(start)))
            .filter(|c| c.start == start && c.end == end)
            .map_or(0, |c| c.count)
    }

    /// Drops the counters of windows that ended at or before
    /// [`RATE_LIMIT_WINDOW_RETENTION`] before `now`; returns how many went.
    fn sweep(&mut self, now: Timestamp) -> usize {
        let ended_by = cutoff(now, RATE_LIMIT_WINDOW_RETENTION).unix_millis();
        let before = self.counters.len();
        self.counters.retain(|_, c| c.end > ended_by);
        self.hits_since_sweep = 0;
        before - self.counters.len()
    }
}

impl MemoryRateLimiter {
    /// No counters yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many counters are held.
    #[must_use]
    pub fn len(&self) -> usize {
        lock(&self.inner).counters.len()
    }

    /// Whether no counter is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for MemoryRateLimiter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryRateLimiter")
            .field("counters", &self.len())
            .finish()
    }
}

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let (start, end) = (window.start.unix_millis(), window.end.unix_millis());
        let mut inner = lock(&self.inner);
        inner.hits_since_sweep += 1;
        if inner.hits_since_sweep >= SWEEP_EVERY {
            inner.sweep(now);
        }
        let count = inner.count(key, start, end).saturating_add(1);
        inner.counters.insert(
            (key.to_owned(), end.saturating_sub(start)),
            Counter { start, end, count },
        );
        Ok(rule.decide(&window, u64::from(count), true))
    }

    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let (start, end) = (window.start.unix_millis(), window.end.unix_millis());
        let count = lock(&self.inner).count(key, start, end);
        Ok(rule.decide(&window, u64::from(count), false))
    }

    async fn reserve(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let (start, end) = (window.start.unix_millis(), window.end.unix_millis());
        let mut inner = lock(&self.inner);
        let count = inner.count(key, start, end);
        if count >= rule.limit {
            return Ok(rule.decide(&window, u64::from(count), false));
        }
        inner.hits_since_sweep += 1;
        if inner.hits_since_sweep >= SWEEP_EVERY {
            inner.sweep(now);
        }
        let count = count + 1;
        inner.counters.insert(
            (key.to_owned(), end.saturating_sub(start)),
            Counter { start, end, count },
        );
        Ok(rule.decide(&window, u64::from(count), true))
    }

    async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        let window = rule.window_at(now);
        let (start, end) = (window.start.unix_millis(), window.end.unix_millis());
        if let Some(c) = lock(&self.inner)
            .counters
            .get_mut(&(key.to_owned(), end.saturating_sub(start)))
            .filter(|c| c.start == start && c.end == end)
        {
            c.count = c.count.saturating_sub(1);
        }
        Ok(())
    }

    async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        let window = rule.window_at(now);
        let (start, end) = (window.start.unix_millis(), window.end.unix_millis());
        let mut inner = lock(&self.inner);
        if inner.count(key, start, end) > 0 {
            inner
                .counters
                .remove(&(key.to_owned(), end.saturating_sub(start)));
        }
        Ok(())
    }

    async fn reserve_all(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        // One lock for the whole batch: checked and taken as one step.
        let mut inner = lock(&self.inner);
        let room = |inner: &Inner, k: &RateKey<'_>| {
            let window = k.rule.window_at(now);
            let count = inner.count(k.key, window.start.unix_millis(), window.end.unix_millis());
            (count, k.rule.decide(&window, u64::from(count), false))
        };
        for (i, k) in take.iter().enumerate() {
            let (_, d) = room(&inner, k);
            if !d.allowed {
                return Ok(Reservation::Refused {
                    by: Refuser::Take(i),
                    decision: d,
                });
            }
        }
        for (i, k) in need.iter().enumerate() {
            let (_, d) = room(&inner, k);
            if !d.allowed {
                return Ok(Reservation::Refused {
                    by: Refuser::Need(i),
                    decision: d,
                });
            }
        }
        inner.hits_since_sweep += 1;
        if inner.hits_since_sweep >= SWEEP_EVERY {
            inner.sweep(now);
        }
        let mut taken = Vec::with_capacity(take.len());
        for k in take {
            let window = k.rule.window_at(now);
            let (start, end) = (window.start.unix_millis(), window.end.unix_millis());
            let count = inner.count(k.key, start, end).saturating_add(1);
            inner.counters.insert(
                (k.key.to_owned(), end.saturating_sub(start)),
                Counter { start, end, count },
            );
            taken.push(k.rule.decide(&window, u64::from(count), true));
        }
        Ok(Reservation::Taken(taken))
    }
}

#[async_trait]
impl Housekeeping for MemoryRateLimiter {
    fn name(&self) -> &'static str {
        "memory-rate-limits"
    }

    /// What hits do by themselves every 1024 hits, on demand.
    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        let removed = lock(&self.inner).sweep(now);
        Ok(PurgeReport {
            rate_limit_windows: removed as u64,
            ..PurgeReport::default()
        })
    }
}
