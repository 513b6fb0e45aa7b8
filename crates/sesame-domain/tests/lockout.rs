//! Lockout resistance (issue 15 §2): a stranger who knows an address cannot
//! keep its owner out. Failures count per (recipient, IP) and, much higher,
//! per recipient; the budget is reserved before a code is checked; wrong
//! codes never kill the magic link.
#![expect(
    clippy::unwrap_used,
    reason = "tests: a failed step should fail loudly"
)]

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use async_trait::async_trait;
use sesame_domain::ports::{RateLimiter, StoreError};
use sesame_domain::service::{GrantError, LinkError, OtpError, TokenError, TokenRequest};
use sesame_domain::{RateDecision, RateLimit, Recipient, SendMode, Timestamp, TokenSet};
use sesame_testkit::{Harness, MemoryRateLimiter, fixtures};

const ATTACKER: &str = "203.0.113.66";
const VICTIM: &str = "198.51.100.7";

async fn redeem_from(
    h: &Harness,
    who: &Recipient,
    code: &str,
    ip: &str,
) -> Result<TokenSet, TokenError> {
    let mut req = Harness::token_request(Harness::otp_grant(who, code));
    req.ip = Some(ip.parse().unwrap());
    h.service.token(req).await
}

async fn start_from(h: &Harness, who: &Recipient, ip: &str) -> Result<(), String> {
    let mut req = Harness::start_request(who);
    req.ip = Some(ip.parse().unwrap());
    h.service
        .start(req)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

fn too_many(r: &Result<TokenSet, TokenError>) -> bool {
    matches!(
        r,
        Err(TokenError::Grant(GrantError::PasswordlessOtp(
            OtpError::TooManyAttempts(_)
        )))
    )
}

#[tokio::test]
async fn an_attacker_on_one_ip_cannot_stop_the_victim_on_another() {
    let h = Harness::new().await.unwrap();
    let victim = fixtures::fresh_email();
    // The attacker spends their whole budget for the victim's address:
    // ten wrong codes and five starts in the window.
    for _ in 0..10 {
        let r = redeem_from(&h, &victim, "000000", ATTACKER).await;
        assert!(!too_many(&r), "refused before the budget was spent");
    }
    for _ in 0..5 {
        start_from(&h, &victim, ATTACKER).await.unwrap();
    }
    assert!(too_many(
        &redeem_from(&h, &victim, "000000", ATTACKER).await
    ));
    assert!(start_from(&h, &victim, ATTACKER).await.is_err());
    // The victim, from their own IP, still gets a code and signs in with it.
    h.codes.push("424242");
    start_from(&h, &victim, VICTIM).await.unwrap();
    let tokens = redeem_from(&h, &victim, "424242", VICTIM).await;
    assert!(tokens.is_ok(), "the victim was locked out: {tokens:?}");
    // And the attacker is still refused, even with a right-looking guess.
    assert!(too_many(
        &redeem_from(&h, &victim, "424242", ATTACKER).await
    ));
}

#[tokio::test]
async fn failures_from_every_ip_stop_at_the_daily_ceiling_and_a_success_starts_them_over() {
    let h = Harness::builder()
        .configure(|c| {
            c.failures_per_recipient = RateLimit::new(4, std::time::Duration::from_secs(86_400));
            c.max_attempts = 100;
        })
        .build()
        .await
        .unwrap();
    let who = fixtures::fresh_email();
    h.codes.push("515151");
    h.start(&who).await.unwrap();
    for i in 0..3 {
        let r = redeem_from(&h, &who, "000000", &format!("192.0.2.{i}")).await;
        assert!(!too_many(&r), "failure {i} refused early");
    }
    // A success resets the consecutive count.
    assert!(redeem_from(&h, &who, "515151", "192.0.2.50").await.is_ok());
    h.codes.push("525252");
    h.start(&who).await.unwrap();
    for i in 0..4 {
        let r = redeem_from(&h, &who, "000000", &format!("192.0.2.{}", 100 + i)).await;
        assert!(!too_many(&r), "failure {i} after the success refused early");
    }
    // Four failures from four IPs: the ceiling for the address is reached,
    // whatever the IP, the right code included.
    assert!(too_many(
        &redeem_from(&h, &who, "525252", "192.0.2.200").await
    ));
}

/// A limiter that lets every other task run before each call, so that
/// concurrent redemptions interleave between any two of their calls.
#[derive(Default)]
struct Interleaving(MemoryRateLimiter);

struct YieldOnce(bool);

impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            cx.waker().wake_by_ref();
            Poll::Pending
        }
    }
}

#[async_trait]
impl RateLimiter for Interleaving {
    async fn hit(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<RateDecision, StoreError> {
        YieldOnce(false).await;
        self.0.hit(k, r, n).await
    }
    async fn peek(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<RateDecision, StoreError> {
        YieldOnce(false).await;
        self.0.peek(k, r, n).await
    }
    async fn reserve(
        &self,
        k: &str,
        r: RateLimit,
        n: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        YieldOnce(false).await;
        self.0.reserve(k, r, n).await
    }
    async fn release(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<(), StoreError> {
        YieldOnce(false).await;
        self.0.release(k, r, n).await
    }
    async fn reset(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<(), StoreError> {
        YieldOnce(false).await;
        self.0.reset(k, r, n).await
    }
}

#[tokio::test]
async fn concurrent_wrong_guesses_never_record_more_failures_than_the_budget() {
    const GUESSES: usize = 40;
    const BUDGET: usize = 10;
    let h = Harness::builder()
        .with_rate_limiter(Arc::new(Interleaving::default()))
        .configure(|c| c.max_attempts = 1000)
        .build()
        .await
        .unwrap();
    let who = fixtures::fresh_email();
    h.codes.push("616161");
    h.start(&who).await.unwrap();
    let h = &h;
    let who = &who;
    let guesses = (0..GUESSES).map(|i| async move {
        let guess = format!("{:06}", 700_000 + i);
        redeem_from(h, who, &guess, ATTACKER).await
    });
    // Polled together: every guess passes its first await before any
    // finishes, as concurrent requests would.
    let answers = futures::future::join_all(guesses).await;
    let checked = answers.iter().filter(|r| !too_many(r)).count();
    assert_eq!(
        checked, BUDGET,
        "{GUESSES} concurrent wrong guesses against a budget of {BUDGET}: codes checked"
    );
    let challenge = h
        .challenges()
        .latest(&sesame_domain::ChallengeKey {
            client_id: Harness::confidential().client_id,
            recipient: who.clone(),
        })
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        challenge.attempts_left as usize,
        1000 - BUDGET,
        "failures recorded against the challenge"
    );
}

#[tokio::test]
async fn wrong_codes_exhaust_the_code_but_never_the_link() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    let mut req = Harness::start_request(&who);
    req.client = Harness::public();
    req.send = SendMode::Link;
    h.service.start(req).await.unwrap();
    let code = h.code_for(&who).unwrap();
    let wrong = if code == "000000" { "111111" } else { "000000" };
    let mut answers = Vec::new();
    for _ in 0..4 {
        let grant = Harness::otp_grant(&who, wrong);
        let err = h
            .service
            .token(TokenRequest::new(Harness::public(), grant))
            .await
            .unwrap_err();
        answers.push(err.to_string());
    }
    assert!(
        answers[3].contains("maximum number of attempts"),
        "the code is exhausted: {answers:?}"
    );
    let link = h.link_request_for(&who).unwrap();
    let look = h.service.inspect_link(link.clone()).await;
    assert!(
        look.is_ok(),
        "the link page says {look:?}, not the confirm page"
    );
    assert!(
        h.service.redeem_link(link.clone()).await.is_ok(),
        "the link died with its code"
    );
    assert!(
        matches!(h.service.redeem_link(link).await, Err(LinkError::Used)),
        "a spent link says used"
    );
}
