//! Counters for rate limits.
//!
//! A step of a flow that touches several counters does it in one call
//! ([`RateLimiter::reserve_all`], [`RateLimiter::settle`]), so a store that
//! can answers with one round trip and one commit per step.

use async_trait::async_trait;

use super::StoreError;
use crate::rate_limit::{RateDecision, RateKey, RateLimit, Refuser, Reservation};
use crate::time::Timestamp;

/// Fixed-window counters, shared by every server instance that uses the same
/// backend.
///
/// The window containing `now` is `[k·w, (k+1)·w)` for the window length `w`,
/// so every instance agrees on it; `reset_at` is its end. Every method names
/// the window by `rule.window` and `now`: a caller that reserves and later
/// releases passes the same `now` to both, so both touch the same window.
#[async_trait]
pub trait RateLimiter: Send + Sync {
    /// Counts one hit on `key` and says whether it is within `rule`.
    ///
    /// # Errors
    /// - MUST be atomic: of N concurrent hits on a fresh key, exactly
    ///   `min(N, limit)` are allowed.
    /// - `remaining` is `limit - count` (never below zero) after this hit.
    /// - Counters MUST expire by themselves after their window: a hit in the
    ///   next window starts from zero. A counter kept after its window
    ///   ended is removed by [`Housekeeping`](super::Housekeeping).
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError>;

    /// Says whether one more hit on `key` would be allowed, without counting.
    ///
    /// # Errors
    /// MUST NOT change the count.
    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError>;

    /// Takes one unit of `key`'s budget if one is left: a hit that counts
    /// only when it is allowed. The caller then checks what the unit pays
    /// for and gives it back with [`release`](Self::release) if it turns out
    /// not to be spent (a right code is not a failure).
    ///
    /// # Errors
    /// - MUST be atomic, and the count MUST never exceed `limit`: of N
    ///   concurrent reservations on a key with `k` units left, exactly
    ///   `min(N, k)` are allowed and the count rises by exactly that.
    /// - A refused reservation MUST NOT change the count, so a flood of
    ///   refused requests writes nothing.
    /// - `remaining` is `limit - count` after this call; `reset_at` the
    ///   window's end. Counters expire as for [`hit`](Self::hit).
    async fn reserve(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError>;

    /// Gives back one unit taken by [`reserve`](Self::reserve) (or
    /// [`hit`](Self::hit)) in the window containing `now`.
    ///
    /// # Errors
    /// - MUST be atomic: N concurrent releases lower the count by exactly
    ///   `min(N, count)`.
    /// - MUST NOT take the count below zero, and MUST succeed (changing
    ///   nothing) when the key has no counter in that window.
    async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError>;

    /// Starts `key`'s count over in the window containing `now`: afterwards
    /// [`peek`](Self::peek) says the whole `limit` is left. A consecutive
    /// count (failures since the last success) is reset by a success.
    ///
    /// # Errors
    /// MUST succeed when the key has no counter (idempotent), and MUST leave
    /// other keys, and other window lengths of the same key, alone.
    async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError>;

    /// Takes one unit of every counter of `take`, if each of them has one
    /// left and every counter of `need` would allow one more hit (as
    /// [`peek`](Self::peek) says); otherwise takes nothing.
    ///
    /// The default does it one counter at a time and gives back what it
    /// took when a later one refuses. An adapter SHOULD override it with one
    /// round trip (one script, one statement or one transaction).
    ///
    /// # Errors
    /// - All or nothing: after [`Reservation::Refused`] (or an error) no
    ///   count is higher than before the call.
    /// - MUST never take a counter past its limit: of N concurrent batches
    ///   sharing a counter with `k` units left, at most `k` are
    ///   [`Reservation::Taken`].
    /// - [`Reservation::Taken`] holds one decision per `take` counter, in
    ///   order, as [`reserve`](Self::reserve) would answer;
    ///   [`Reservation::Refused`] names a counter without room and its
    ///   decision, as [`peek`](Self::peek) would answer.
    /// - `need` counters are read, never written. An empty batch is
    ///   `Taken(vec![])`.
    /// - Callers name each counter (key and window length) at most once per
    ///   batch; an adapter may refuse a batch that repeats one with an
    ///   error.
    async fn reserve_all(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        reserve_one_by_one(self, take, need, now).await
    }

    /// Gives back one unit of every counter of `release` and starts every
    /// counter of `reset` over, all in the window containing `now`: what a
    /// step does after the work its reservation paid for.
    ///
    /// The default calls [`release`](Self::release) and
    /// [`reset`](Self::reset) in turn; an adapter SHOULD override it with
    /// one round trip.
    ///
    /// # Errors
    /// Each counter as [`release`](Self::release) and [`reset`](Self::reset)
    /// promise; on an error, some of them may have been done.
    async fn settle(
        &self,
        release: &[RateKey<'_>],
        reset: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        for k in release {
            self.release(k.key, k.rule, now).await?;
        }
        for k in reset {
            self.reset(k.key, k.rule, now).await?;
        }
        Ok(())
    }
}

/// [`RateLimiter::reserve_all`] one counter at a time: peeks the `need`
/// counters, reserves the `take` ones in turn, and gives back what it took
/// when one refuses (or fails). For an adapter that overrides
/// `reserve_all` but cannot do a batch in one call every time (a Redis
/// Cluster whose keys live in different slots, say).
///
/// Between the reservation and the give-back, a concurrent batch may see a
/// unit as taken that this one then returns: it may be refused where the
/// one-call versions would have allowed it, never the other way round.
///
/// # Errors
/// The limiter's; what was taken before it is given back, best effort.
pub async fn reserve_one_by_one<L: RateLimiter + ?Sized>(
    limiter: &L,
    take: &[RateKey<'_>],
    need: &[RateKey<'_>],
    now: Timestamp,
) -> Result<Reservation, StoreError> {
    for (i, k) in need.iter().enumerate() {
        let d = limiter.peek(k.key, k.rule, now).await?;
        if !d.allowed {
            return Ok(Reservation::Refused {
                by: Refuser::Need(i),
                decision: d,
            });
        }
    }
    let mut taken = Vec::with_capacity(take.len());
    for (i, k) in take.iter().enumerate() {
        let d = match limiter.reserve(k.key, k.rule, now).await {
            Ok(d) => d,
            Err(e) => {
                give_back(limiter, &take[..i], now).await;
                return Err(e);
            }
        };
        if !d.allowed {
            give_back(limiter, &take[..i], now).await;
            return Ok(Reservation::Refused {
                by: Refuser::Take(i),
                decision: d,
            });
        }
        taken.push(d);
    }
    Ok(Reservation::Taken(taken))
}

/// The first counter of a refused batch (`take`, then `need`) that has no
/// room now, as [`Reservation::Refused`]; `None` when every one has room
/// (a unit came back since the batch was refused). For an adapter whose
/// one-call batch says only that it was refused.
///
/// # Errors
/// The limiter's.
pub async fn first_without_room<L: RateLimiter + ?Sized>(
    limiter: &L,
    take: &[RateKey<'_>],
    need: &[RateKey<'_>],
    now: Timestamp,
) -> Result<Option<Reservation>, StoreError> {
    let steps = take
        .iter()
        .enumerate()
        .map(|(i, k)| (Refuser::Take(i), k))
        .chain(need.iter().enumerate().map(|(i, k)| (Refuser::Need(i), k)));
    for (by, k) in steps {
        let decision = limiter.peek(k.key, k.rule, now).await?;
        if !decision.allowed {
            return Ok(Some(Reservation::Refused { by, decision }));
        }
    }
    Ok(None)
}

/// Gives back one unit of each of `taken`; a failure is logged, since the
/// caller is already answering something else.
async fn give_back<L: RateLimiter + ?Sized>(limiter: &L, taken: &[RateKey<'_>], now: Timestamp) {
    for k in taken {
        if let Err(e) = limiter.release(k.key, k.rule, now).await {
            tracing::warn!(error = %e, "could not give back a rate-limit unit");
        }
    }
}
