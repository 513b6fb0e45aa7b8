//! [`RateLimiter`] as fixed-window counters that expire by themselves.
//!
//! The window is computed from the caller's `now`, so every instance puts a
//! hit in the same window `[k·w, (k+1)·w)` and the same counter key
//! `{prefix}rl:{w}:{k}:{key}`. A hit increments the counter and gives a new
//! counter an expiry, in one script; a reservation does the same only while
//! the count is below the limit; a release decrements it (never below zero)
//! and a reset deletes it. Each touches that one key, so all of them run
//! unchanged on Redis Cluster.
//!
//! A batch (`reserve_all`, `settle`) is one script over all its counters on
//! a single Redis. On a cluster its counters live in different slots, so it
//! is done one counter at a time, as the port's default does. The login
//! steps that take counters (`crate::steps`) build on the same batch
//! arguments and replies: [`RedisStore::batch`] and [`reservation`].

use async_trait::async_trait;
use sesame_domain::ports::{RateLimiter, StoreError, reserve_one_by_one};
use sesame_domain::rate_limit::{RateDecision, RateKey, RateLimit, Refuser, Reservation};
use sesame_domain::time::Timestamp;

use crate::scripts::{self, Call};
use crate::store::RedisStore;

/// How long a counter outlives its window, in milliseconds, by Redis's
/// clock. A window's counter is only ever read during that window, so the
/// grace costs a little memory and keeps a counter alive for instances whose
/// clocks lag the one that created it.
const CLOCK_SKEW_GRACE_MS: i64 = 5_000;

#[async_trait]
impl RateLimiter for RedisStore {
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let mut call = scripts::HIT.call();
        call.key(self.keys.rate(key, window.length_ms, window.index))
            .arg(window.millis_left(now).saturating_add(CLOCK_SKEW_GRACE_MS));
        let count: u64 = self.eval(call).await?;
        Ok(rule.decide(&window, count, true))
    }

    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let counter = self.keys.rate(key, window.length_ms, window.index);
        let raw: Option<String> = self.query(redis::cmd("GET").arg(&counter)).await?;
        let count = match raw {
            None => 0,
            Some(s) => s.parse().map_err(|_| {
                StoreError::Corrupt("a rate-limit counter is not a count".to_owned())
            })?,
        };
        Ok(rule.decide(&window, count, false))
    }

    async fn reserve(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let window = rule.window_at(now);
        let mut call = scripts::RESERVE.call();
        call.key(self.keys.rate(key, window.length_ms, window.index))
            .arg(window.millis_left(now).saturating_add(CLOCK_SKEW_GRACE_MS))
            .arg(rule.limit);
        let (taken, count): (i64, u64) = self.eval(call).await?;
        match taken {
            1 => Ok(rule.decide(&window, count, true)),
            0 => Ok(rule.decide(&window, count, false)),
            _ => Err(not_a_count()),
        }
    }

    async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        let window = rule.window_at(now);
        let mut call = scripts::RELEASE.call();
        call.key(self.keys.rate(key, window.length_ms, window.index));
        if self.eval::<i64>(call).await? < 0 {
            return Err(not_a_count());
        }
        Ok(())
    }

    async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        let window = rule.window_at(now);
        let counter = self.keys.rate(key, window.length_ms, window.index);
        self.query::<i64>(redis::cmd("DEL").arg(&counter)).await?;
        Ok(())
    }

    async fn reserve_all(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        if self.is_cluster() || take.len() + need.len() < 2 {
            return reserve_one_by_one(self, take, need, now).await;
        }
        let mut call = scripts::RESERVE_ALL.call();
        self.batch(&mut call, take, need, now);
        let reply: Vec<i64> = self.eval(call).await?;
        reservation(take, need, now, &reply)
    }

    async fn settle(
        &self,
        release: &[RateKey<'_>],
        reset: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        if self.is_cluster() || release.len() + reset.len() < 2 {
            for k in release {
                self.release(k.key, k.rule, now).await?;
            }
            for k in reset {
                self.reset(k.key, k.rule, now).await?;
            }
            return Ok(());
        }
        let mut call = scripts::SETTLE.call();
        call.arg(release.len());
        for k in release.iter().chain(reset) {
            let window = k.rule.window_at(now);
            call.key(self.keys.rate(k.key, window.length_ms, window.index));
        }
        if self.eval::<i64>(call).await? < 0 {
            return Err(not_a_count());
        }
        Ok(())
    }
}

impl RedisStore {
    /// Adds a batch's counters to a call of a script built on
    /// `fn_reserve.lua`: `ARGV[1]` how many to take from, then the `take`
    /// and the `need` counters' keys, each with its time to live and limit.
    pub(crate) fn batch(
        &self,
        call: &mut Call<'_>,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        now: Timestamp,
    ) {
        call.arg(take.len());
        for k in take.iter().chain(need) {
            let window = k.rule.window_at(now);
            call.key(self.keys.rate(k.key, window.length_ms, window.index))
                .arg(window.millis_left(now).saturating_add(CLOCK_SKEW_GRACE_MS))
                .arg(k.rule.limit);
        }
    }
}

/// The [`Reservation`] that a batch's reply from `fn_reserve.lua` stands
/// for.
pub(crate) fn reservation(
    take: &[RateKey<'_>],
    need: &[RateKey<'_>],
    now: Timestamp,
    reply: &[i64],
) -> Result<Reservation, StoreError> {
    match reply {
        [1, counts @ ..] if counts.len() == take.len() => take
            .iter()
            .zip(counts)
            .map(|(k, &n)| {
                let n = u64::try_from(n).map_err(|_| not_a_count())?;
                Ok(k.rule.decide(&k.rule.window_at(now), n, true))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Reservation::Taken),
        [0, i, n] => {
            let i = usize::try_from(*i)
                .ok()
                .and_then(|i| i.checked_sub(1))
                .ok_or_else(not_a_count)?;
            let (by, k) = if i < take.len() {
                (Refuser::Take(i), take[i])
            } else {
                let j = i - take.len();
                (Refuser::Need(j), *need.get(j).ok_or_else(not_a_count)?)
            };
            let n = u64::try_from(*n).map_err(|_| not_a_count())?;
            Ok(Reservation::Refused {
                by,
                decision: k.rule.decide(&k.rule.window_at(now), n, false),
            })
        }
        _ => Err(not_a_count()),
    }
}

fn not_a_count() -> StoreError {
    StoreError::Corrupt("a rate-limit counter is not a count".to_owned())
}
