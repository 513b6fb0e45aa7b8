//! Each step of a login touches the rate limiter once (issue 15's "the
//! load benchmark's numbers do not drop"): a start counts all its limits in
//! one batch; a redemption reserves its failure budgets and checks the IP's
//! in one batch, and settles them in one more on success. A store that can
//! do a batch in one round trip then pays one per step.
#![expect(
    clippy::unwrap_used,
    reason = "tests: a failed step should fail loudly"
)]

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sesame_domain::ports::{RateLimiter, StoreError};
use sesame_domain::{RateDecision, RateKey, RateLimit, Reservation, Timestamp};
use sesame_testkit::{Harness, MemoryRateLimiter, fixtures};

const IP: &str = "203.0.113.9";

/// The memory limiter, writing down each call by name.
#[derive(Default)]
struct Counting {
    inner: MemoryRateLimiter,
    calls: Mutex<Vec<String>>,
}

impl Counting {
    fn note(&self, call: &str) {
        self.calls.lock().unwrap().push(call.to_owned());
    }

    fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }
}

#[async_trait]
impl RateLimiter for Counting {
    async fn hit(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<RateDecision, StoreError> {
        self.note("hit");
        self.inner.hit(k, r, n).await
    }
    async fn peek(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<RateDecision, StoreError> {
        self.note("peek");
        self.inner.peek(k, r, n).await
    }
    async fn reserve(
        &self,
        k: &str,
        r: RateLimit,
        n: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        self.note("reserve");
        self.inner.reserve(k, r, n).await
    }
    async fn release(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<(), StoreError> {
        self.note("release");
        self.inner.release(k, r, n).await
    }
    async fn reset(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<(), StoreError> {
        self.note("reset");
        self.inner.reset(k, r, n).await
    }
    async fn reserve_all(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        self.note(&format!("reserve_all({}+{})", take.len(), need.len()));
        self.inner.reserve_all(take, need, now).await
    }
    async fn settle(
        &self,
        release: &[RateKey<'_>],
        reset: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        self.note(&format!("settle({}+{})", release.len(), reset.len()));
        self.inner.settle(release, reset, now).await
    }
}

async fn harness() -> (Harness, Arc<Counting>) {
    let limiter = Arc::new(Counting::default());
    let h = Harness::builder()
        .with_rate_limiter(limiter.clone())
        .build()
        .await
        .unwrap();
    (h, limiter)
}

#[tokio::test]
async fn a_start_counts_its_three_limits_in_one_call() {
    let (h, limiter) = harness().await;
    let who = fixtures::fresh_email();
    let mut req = Harness::start_request(&who);
    req.ip = Some(IP.parse().unwrap());
    h.service.start(req).await.unwrap();
    assert_eq!(limiter.take(), ["reserve_all(3+0)"]);
}

#[tokio::test]
async fn a_right_code_reserves_in_one_call_and_settles_in_one_more() {
    let (h, limiter) = harness().await;
    let who = fixtures::fresh_email();
    h.codes.push("424242");
    h.start(&who).await.unwrap();
    limiter.take();

    let mut req = Harness::token_request(Harness::otp_grant(&who, "424242"));
    req.ip = Some(IP.parse().unwrap());
    h.service.token(req).await.unwrap();
    // Two failure budgets taken and the IP's checked; then the unit per IP
    // given back and the consecutive count reset.
    assert_eq!(limiter.take(), ["reserve_all(2+1)", "settle(1+1)"]);
}

#[tokio::test]
async fn a_wrong_code_reserves_in_one_call_and_counts_against_the_ip_in_one_more() {
    let (h, limiter) = harness().await;
    let who = fixtures::fresh_email();
    h.codes.push("424242");
    h.start(&who).await.unwrap();
    limiter.take();

    let mut req = Harness::token_request(Harness::otp_grant(&who, "000000"));
    req.ip = Some(IP.parse().unwrap());
    h.service.token(req).await.unwrap_err();
    assert_eq!(limiter.take(), ["reserve_all(2+1)", "hit"]);
}
