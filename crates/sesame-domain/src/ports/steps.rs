//! [`StepStore`]: the rate limiter and the challenge store together, one
//! call per step of a login.
//!
//! A start counts its limits and then stores its challenge; a redemption
//! reserves its failure budgets, reads the challenge, and once the code is
//! checked consumes it and settles the budgets. Where the counters and the
//! challenges live in one store, each of those steps can be one round trip
//! (one Redis script). [`SeparateSteps`] does each step with the two ports'
//! own calls, for stores that gain nothing from doing them together and
//! for deployments whose limiter and challenges live apart.

use std::sync::Arc;

use async_trait::async_trait;

use super::{ChallengeStore, RateLimiter, StoreError};
use crate::challenge::{Challenge, ChallengeId, ChallengeKey};
use crate::rate_limit::{RateKey, Reservation};
use crate::time::Timestamp;

/// What a redemption gives back once its code is checked: one unit of each
/// `release` counter, and every `reset` counter started over, as
/// [`RateLimiter::settle`] does.
#[derive(Debug, Clone, Copy)]
pub struct Settlement<'a> {
    /// Counters given one unit back.
    pub release: &'a [RateKey<'a>],
    /// Counters started over.
    pub reset: &'a [RateKey<'a>],
}

/// The steps of a login that touch both the rate limiter and the challenge
/// store.
#[async_trait]
pub trait StepStore: Send + Sync {
    /// A start: takes one unit of every `take` counter, and only if every
    /// one had room, stores `challenge` as
    /// [`ChallengeStore::put`] does.
    ///
    /// # Errors
    /// - The counters as [`RateLimiter::reserve_all`] with no `need`
    ///   counters promises (all or nothing, never past a limit).
    /// - After [`Reservation::Refused`] the challenge MUST NOT be stored and
    ///   no earlier challenge of its key may change.
    /// - After [`Reservation::Taken`] the challenge MUST be stored as
    ///   [`ChallengeStore::put`] promises.
    /// - On an error, the units taken MAY stay taken, but the challenge MUST
    ///   either be stored whole or not at all.
    async fn admit_challenge(
        &self,
        take: &[RateKey<'_>],
        challenge: &Challenge,
        now: Timestamp,
    ) -> Result<Reservation, StoreError>;

    /// A redemption's first half: reserves `take` provided `need` has
    /// room, as [`RateLimiter::reserve_all`] does, and when it is taken,
    /// reads the challenge of `key` as [`ChallengeStore::latest`] does.
    ///
    /// # Errors
    /// - The counters as [`RateLimiter::reserve_all`] promises.
    /// - With [`Reservation::Refused`], the challenge MUST be `None` and
    ///   nothing changes.
    /// - With [`Reservation::Taken`], the challenge is what
    ///   [`ChallengeStore::latest`] would return after the reservation.
    async fn reserve_and_read(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        key: &ChallengeKey,
        now: Timestamp,
    ) -> Result<(Reservation, Option<Challenge>), StoreError>;

    /// A redemption's second half, for a right code: consumes challenge
    /// `id` as [`ChallengeStore::consume`] does, then settles `won` if this
    /// call flipped it and `lost` if it did not. Returns whether it
    /// flipped it.
    ///
    /// # Errors
    /// - The consume as [`ChallengeStore::consume`] promises: of N
    ///   concurrent calls exactly one returns `true`.
    /// - The settlement is best effort, as the caller's answer no longer
    ///   depends on it: a counter that cannot be settled MUST NOT turn a
    ///   flipped consume into an error or undo it.
    async fn consume_and_settle(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
        won: Settlement<'_>,
        lost: Settlement<'_>,
    ) -> Result<bool, StoreError>;
}

/// Each step as the two ports' own calls, one after the other: what a
/// deployment gets when its limiter and its challenges live apart, or in a
/// store for which one call is no cheaper than two.
#[derive(Clone)]
pub struct SeparateSteps {
    limiter: Arc<dyn RateLimiter>,
    challenges: Arc<dyn ChallengeStore>,
}

impl SeparateSteps {
    /// The steps over `limiter` and `challenges`.
    #[must_use]
    pub fn new(limiter: Arc<dyn RateLimiter>, challenges: Arc<dyn ChallengeStore>) -> Self {
        Self {
            limiter,
            challenges,
        }
    }
}

#[async_trait]
impl StepStore for SeparateSteps {
    async fn admit_challenge(
        &self,
        take: &[RateKey<'_>],
        challenge: &Challenge,
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        admit_one_by_one(&*self.limiter, &*self.challenges, take, challenge, now).await
    }

    async fn reserve_and_read(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        key: &ChallengeKey,
        now: Timestamp,
    ) -> Result<(Reservation, Option<Challenge>), StoreError> {
        reserve_then_read(&*self.limiter, &*self.challenges, take, need, key, now).await
    }

    async fn consume_and_settle(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
        won: Settlement<'_>,
        lost: Settlement<'_>,
    ) -> Result<bool, StoreError> {
        consume_then_settle(&*self.limiter, &*self.challenges, key, id, now, won, lost).await
    }
}

/// [`StepStore::admit_challenge`] as two calls: for an adapter that can do
/// the step in one call only some of the time (a Redis Cluster, whose keys
/// live on different nodes).
///
/// # Errors
/// The limiter's or the challenge store's.
pub async fn admit_one_by_one<L, C>(
    limiter: &L,
    challenges: &C,
    take: &[RateKey<'_>],
    challenge: &Challenge,
    now: Timestamp,
) -> Result<Reservation, StoreError>
where
    L: RateLimiter + ?Sized,
    C: ChallengeStore + ?Sized,
{
    let reservation = limiter.reserve_all(take, &[], now).await?;
    if matches!(reservation, Reservation::Taken(_)) {
        challenges.put(challenge).await?;
    }
    Ok(reservation)
}

/// [`StepStore::reserve_and_read`] as two calls.
///
/// # Errors
/// The limiter's or the challenge store's.
pub async fn reserve_then_read<L, C>(
    limiter: &L,
    challenges: &C,
    take: &[RateKey<'_>],
    need: &[RateKey<'_>],
    key: &ChallengeKey,
    now: Timestamp,
) -> Result<(Reservation, Option<Challenge>), StoreError>
where
    L: RateLimiter + ?Sized,
    C: ChallengeStore + ?Sized,
{
    let reservation = limiter.reserve_all(take, need, now).await?;
    let latest = match reservation {
        Reservation::Taken(_) => challenges.latest(key).await?,
        Reservation::Refused { .. } => None,
    };
    Ok((reservation, latest))
}

/// [`StepStore::consume_and_settle`] as two calls; a settlement that fails
/// is logged, not returned.
///
/// # Errors
/// The challenge store's.
pub async fn consume_then_settle<L, C>(
    limiter: &L,
    challenges: &C,
    key: &ChallengeKey,
    id: &ChallengeId,
    now: Timestamp,
    won: Settlement<'_>,
    lost: Settlement<'_>,
) -> Result<bool, StoreError>
where
    L: RateLimiter + ?Sized,
    C: ChallengeStore + ?Sized,
{
    let flipped = challenges.consume(key, id, now).await?;
    let s = if flipped { won } else { lost };
    if (!s.release.is_empty() || !s.reset.is_empty())
        && let Err(e) = limiter.settle(s.release, s.reset, now).await
    {
        tracing::warn!(error = %e, "could not settle the failure budget");
    }
    Ok(flipped)
}
