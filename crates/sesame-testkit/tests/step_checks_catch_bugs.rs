//! The [`StepStore`] checks pass the port's own [`SeparateSteps`] over the
//! memory stores, and fail on step stores that break the rules they check:
//! each buggy store here gets past the compiler but not its check.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::FutureExt as _;
use sesame_domain::ports::{
    ChallengeStore, RateLimiter, SeparateSteps, Settlement, StepStore, StoreError,
    consume_then_settle,
};
use sesame_domain::{Challenge, ChallengeId, ChallengeKey, RateKey, Reservation, Timestamp};
use sesame_testkit::contract::{self, steps};
use sesame_testkit::{MemoryChallengeStore, MemoryRateLimiter};

/// Whether `check` panics.
async fn fails(check: impl Future<Output = ()>) -> bool {
    AssertUnwindSafe(check).catch_unwind().await.is_err()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bug {
    None,
    /// Stores the challenge before looking at the reservation.
    PutsWhenRefused,
    /// Reads the challenge whatever the reservation said.
    ReadsWhenRefused,
    /// Takes a unit of the `need` counters too.
    TakesTheNeeds,
    /// Settles `won` whether or not the call flipped the challenge.
    AlwaysSettlesWon,
    /// Checks the challenge, lets others in, then says it flipped it.
    RacyConsume,
}

/// The port's own composition with one chosen bug.
struct BuggySteps {
    bug: Bug,
    limiter: Arc<dyn RateLimiter>,
    challenges: Arc<dyn ChallengeStore>,
    separate: SeparateSteps,
}

impl BuggySteps {
    fn new(bug: Bug) -> Self {
        let limiter: Arc<dyn RateLimiter> = Arc::new(MemoryRateLimiter::new());
        let challenges: Arc<dyn ChallengeStore> = Arc::new(MemoryChallengeStore::new());
        Self {
            bug,
            separate: SeparateSteps::new(Arc::clone(&limiter), Arc::clone(&challenges)),
            limiter,
            challenges,
        }
    }

    /// The suite's ports: this store, and the limiter and challenges under it.
    fn under_test(self) -> steps::StepsUnderTest {
        let (limiter, challenges) = (Arc::clone(&self.limiter), Arc::clone(&self.challenges));
        steps::StepsUnderTest {
            steps: Arc::new(self),
            limiter,
            challenges,
        }
    }
}

#[async_trait]
impl StepStore for BuggySteps {
    async fn admit_challenge(
        &self,
        take: &[RateKey<'_>],
        challenge: &Challenge,
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        if self.bug == Bug::PutsWhenRefused {
            self.challenges.put(challenge).await?;
            return self.limiter.reserve_all(take, &[], now).await;
        }
        self.separate.admit_challenge(take, challenge, now).await
    }

    async fn reserve_and_read(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        key: &ChallengeKey,
        now: Timestamp,
    ) -> Result<(Reservation, Option<Challenge>), StoreError> {
        match self.bug {
            Bug::ReadsWhenRefused => {
                let reservation = self.limiter.reserve_all(take, need, now).await?;
                Ok((reservation, self.challenges.latest(key).await?))
            }
            Bug::TakesTheNeeds => {
                let all: Vec<RateKey<'_>> = take.iter().chain(need).copied().collect();
                let reservation = match self.limiter.reserve_all(&all, &[], now).await? {
                    Reservation::Taken(mut d) => {
                        d.truncate(take.len());
                        Reservation::Taken(d)
                    }
                    refused @ Reservation::Refused { .. } => refused,
                };
                let read = match reservation {
                    Reservation::Taken(_) => self.challenges.latest(key).await?,
                    Reservation::Refused { .. } => None,
                };
                Ok((reservation, read))
            }
            _ => self.separate.reserve_and_read(take, need, key, now).await,
        }
    }

    async fn consume_and_settle(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
        won: Settlement<'_>,
        lost: Settlement<'_>,
    ) -> Result<bool, StoreError> {
        match self.bug {
            Bug::AlwaysSettlesWon => {
                let limiter = &*self.limiter;
                consume_then_settle(limiter, &*self.challenges, key, id, now, won, won).await
            }
            Bug::RacyConsume => {
                let live = self
                    .challenges
                    .latest(key)
                    .await?
                    .is_some_and(|c| c.id == *id && c.is_live_at(now));
                tokio::time::sleep(Duration::from_millis(5)).await;
                let _ = self.challenges.consume(key, id, now).await?;
                let s = if live { won } else { lost };
                self.limiter.settle(s.release, s.reset, now).await?;
                Ok(live)
            }
            _ => {
                self.separate
                    .consume_and_settle(key, id, now, won, lost)
                    .await
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_separate_steps_over_the_memory_stores_keep_the_contract() {
    let limiter = Arc::new(MemoryRateLimiter::new());
    let challenges = Arc::new(MemoryChallengeStore::new());
    let steps = Arc::new(SeparateSteps::new(limiter.clone(), challenges.clone()));
    contract::step_store(steps, limiter, challenges).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_step_checks_pass_the_bug_free_store_and_catch_each_bug() {
    let t = BuggySteps::new(Bug::None).under_test();
    assert!(
        !fails(contract::step_store(
            t.steps.clone(),
            t.limiter.clone(),
            t.challenges.clone()
        ))
        .await
    );
    let t = BuggySteps::new(Bug::PutsWhenRefused).under_test();
    assert!(fails(steps::a_refused_start_stores_nothing_and_takes_nothing(&t)).await);
    let t = BuggySteps::new(Bug::ReadsWhenRefused).under_test();
    assert!(fails(steps::a_refused_reservation_reads_nothing_and_takes_nothing(&t)).await);
    let t = BuggySteps::new(Bug::TakesTheNeeds).under_test();
    assert!(fails(steps::a_taken_reservation_reads_the_latest_challenge(&t)).await);
    let t = BuggySteps::new(Bug::AlwaysSettlesWon).under_test();
    assert!(fails(steps::consume_and_settle_flips_once_and_settles_won_then_lost(&t)).await);
    assert!(fails(steps::consume_and_settle_refuses_what_consume_refuses(&t)).await);
    let t = BuggySteps::new(Bug::RacyConsume).under_test();
    assert!(fails(steps::of_concurrent_consumes_one_flips_and_each_settles_its_side(&t)).await);
}
