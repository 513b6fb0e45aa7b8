//! Each step of a login is one call to the step store (issue 18): a start
//! counts its limits and stores its challenge in one; a redemption reserves
//! its failure budgets and reads the challenge in one, and consumes a right
//! code and settles the budgets in one more. A store that holds counters
//! and challenges together (Redis) then pays one round trip per step.
#![expect(
    clippy::unwrap_used,
    reason = "tests: a failed step should fail loudly"
)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sesame_domain::challenge::{Challenge, ChallengeId, ChallengeKey};
use sesame_domain::ports::{SeparateSteps, Settlement, StepStore, StoreError};
use sesame_domain::{RateKey, Reservation, Timestamp};
use sesame_testkit::{Harness, MemoryChallengeStore, MemoryRateLimiter, fixtures};

/// Memory steps, writing down each call by name.
struct Counting {
    inner: SeparateSteps,
    calls: Mutex<Vec<&'static str>>,
}

impl Counting {
    fn take(&self) -> Vec<&'static str> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

#[async_trait]
impl StepStore for Counting {
    async fn admit_challenge(
        &self,
        take: &[RateKey<'_>],
        challenge: &Challenge,
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        self.calls.lock().unwrap().push("admit_challenge");
        self.inner.admit_challenge(take, challenge, now).await
    }

    async fn reserve_and_read(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        key: &ChallengeKey,
        now: Timestamp,
    ) -> Result<(Reservation, Option<Challenge>), StoreError> {
        self.calls.lock().unwrap().push("reserve_and_read");
        self.inner.reserve_and_read(take, need, key, now).await
    }

    async fn consume_and_settle(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
        won: Settlement<'_>,
        lost: Settlement<'_>,
    ) -> Result<bool, StoreError> {
        self.calls.lock().unwrap().push("consume_and_settle");
        self.inner.consume_and_settle(key, id, now, won, lost).await
    }
}

async fn harness() -> (Harness, Arc<Counting>) {
    let limiter = Arc::new(MemoryRateLimiter::new());
    let challenges = Arc::new(MemoryChallengeStore::new());
    let steps = Arc::new(Counting {
        inner: SeparateSteps::new(limiter.clone(), challenges.clone()),
        calls: Mutex::default(),
    });
    let h = Harness::builder()
        .with_rate_limiter(limiter)
        .with_challenges(challenges)
        .with_step_store(steps.clone())
        .build()
        .await
        .unwrap();
    (h, steps)
}

#[tokio::test]
async fn a_start_is_one_step_call() {
    let (h, steps) = harness().await;
    h.start(&fixtures::fresh_email()).await.unwrap();
    assert_eq!(steps.take(), ["admit_challenge"]);
}

#[tokio::test]
async fn a_texted_start_counts_its_sms_quotas_in_the_same_call() {
    let (h, steps) = harness().await;
    h.start(&fixtures::fresh_phone()).await.unwrap();
    assert_eq!(steps.take(), ["admit_challenge"]);
}

#[tokio::test]
async fn a_right_code_is_two_step_calls() {
    let (h, steps) = harness().await;
    let who = fixtures::fresh_email();
    h.codes.push("424242");
    h.start(&who).await.unwrap();
    steps.take();
    h.service
        .token(Harness::token_request(Harness::otp_grant(&who, "424242")))
        .await
        .unwrap();
    assert_eq!(steps.take(), ["reserve_and_read", "consume_and_settle"]);
}

#[tokio::test]
async fn a_wrong_code_is_one_step_call() {
    let (h, steps) = harness().await;
    let who = fixtures::fresh_email();
    h.codes.push("424242");
    h.start(&who).await.unwrap();
    steps.take();
    h.service
        .token(Harness::token_request(Harness::otp_grant(&who, "000000")))
        .await
        .unwrap_err();
    assert_eq!(steps.take(), ["reserve_and_read"]);
}
