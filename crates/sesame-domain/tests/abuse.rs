//! Abuse resistance on the testkit harness: the SMS pumping guard (countries,
//! per-prefix and deployment quotas, conversion), per-IP limits that count
//! an IPv6 client by its /64, and the token endpoint's per-IP failure
//! budget.

#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a broken step should fail the test loudly"
)]

use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use sesame_domain::service::{SmsGuardConfig, StartError, TokenError};
use sesame_domain::{CountryCode, PasswordlessConfig, PhoneNumber, RateLimit, Recipient};
use sesame_testkit::{Harness, fixtures};

const HOUR: Duration = Duration::from_secs(3600);

/// A new number under `prefix` (e.g. `+1555`), as long as numbers of its
/// country are: 12 digits for `+44`, 11 for the others used here.
fn number(prefix: &str) -> Recipient {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed) % 100_000;
    let total = if prefix.starts_with("+44") { 13 } else { 12 };
    let digits = total - prefix.len();
    Recipient::Sms(PhoneNumber::parse(&format!("{prefix}{n:0digits$}")).unwrap())
}

fn ip(s: &str) -> Option<IpAddr> {
    Some(s.parse().unwrap())
}

async fn harness(f: impl FnOnce(&mut PasswordlessConfig) + Send + 'static) -> Harness {
    Harness::builder().configure(f).build().await.unwrap()
}

fn guard(
    f: impl FnOnce(&mut SmsGuardConfig) + Send + 'static,
) -> impl FnOnce(&mut PasswordlessConfig) + Send + 'static {
    move |c: &mut PasswordlessConfig| f(&mut c.sms_guard)
}

#[tokio::test]
async fn pumping_to_one_prefix_is_cut_off_while_another_prefix_still_works() {
    let h = harness(guard(|g| {
        g.per_prefix = RateLimit::new(3, HOUR);
        g.conversion_min_sent = 1000;
    }))
    .await;
    for _ in 0..3 {
        h.start(&number("+1555")).await.unwrap();
    }
    let refused = h.start(&number("+1555")).await.unwrap_err();
    let StartError::RateLimited(d) = refused else {
        panic!("{refused:?}");
    };
    assert_eq!((d.allowed, d.limit, d.remaining), (false, 3, 0));
    assert_eq!(h.outbox.count(), 3, "the refused start sent nothing");
    h.start(&number("+44791")).await.unwrap();
    assert_eq!(h.outbox.count(), 4, "another prefix still gets its text");
    // Email is not counted against SMS quotas.
    h.start(&fixtures::fresh_email()).await.unwrap();
}

#[tokio::test]
async fn the_whole_deployment_has_one_sms_quota() {
    let h = harness(guard(|g| {
        g.global = RateLimit::new(2, HOUR);
        g.conversion_min_sent = 1000;
    }))
    .await;
    h.start(&number("+1555")).await.unwrap();
    h.start(&number("+44791")).await.unwrap();
    assert!(matches!(
        h.start(&number("+33612")).await,
        Err(StartError::RateLimited(_))
    ));
    h.clock.advance(HOUR);
    h.start(&number("+33612")).await.unwrap();
}

#[tokio::test]
async fn a_prefix_whose_codes_nobody_enters_is_refused_until_they_are() {
    let h = harness(guard(|g| {
        g.conversion_min_sent = 4;
        g.min_conversion = 0.5;
    }))
    .await;
    let mut sent = Vec::new();
    for _ in 0..4 {
        let who = number("+1555");
        h.start(&who).await.unwrap();
        sent.push(who);
    }
    // 4 sent, none redeemed: the pumping signature.
    assert!(matches!(
        h.start(&number("+1555")).await,
        Err(StartError::RateLimited(_))
    ));
    h.start(&number("+44791")).await.unwrap();
    // Real users enter their codes: 2 of 4 is the required half.
    for who in &sent[..2] {
        let code = h.code_for(who).unwrap();
        h.redeem(who, &code).await.unwrap();
    }
    h.start(&number("+1555")).await.unwrap();
}

#[tokio::test]
async fn with_a_country_list_other_countries_and_unknown_ones_are_refused_before_any_counter() {
    let h = harness(|c| {
        c.sms_guard.allowed_countries = vec![CountryCode::parse("GB").unwrap()];
        c.start_per_ip = RateLimit::new(1, HOUR);
    })
    .await;
    for refused in [number("+1212"), number("+1555")] {
        let mut req = Harness::start_request(&refused);
        req.ip = ip("203.0.113.5");
        assert!(matches!(
            h.service.start(req).await,
            Err(StartError::SmsCountryNotAllowed)
        ));
    }
    assert_eq!(h.outbox.count(), 0);
    // The refusals spent none of the IP's one start.
    let mut req = Harness::start_request(&number("+44791"));
    req.ip = ip("203.0.113.5");
    h.service.start(req).await.unwrap();
    assert_eq!(
        StartError::SmsCountryNotAllowed.to_string(),
        "SMS to this country is not enabled"
    );
}

#[tokio::test]
async fn without_a_country_list_every_number_is_allowed_even_a_test_number() {
    let h = Harness::new().await.unwrap();
    h.start(&number("+1555")).await.unwrap();
    h.start(&number("+9995")).await.unwrap();
    assert_eq!(h.outbox.count(), 2);
}

#[tokio::test]
async fn a_slash_64_sibling_shares_the_per_ip_start_budget() {
    let h = harness(|c| c.start_per_ip = RateLimit::new(2, HOUR)).await;
    let from = |addr: &str| {
        let mut req = Harness::start_request(&fixtures::fresh_email());
        req.ip = ip(addr);
        req
    };
    h.service.start(from("2001:db8:7:1::1")).await.unwrap();
    h.service
        .start(from("2001:db8:7:1:dead:beef::2"))
        .await
        .unwrap();
    assert!(matches!(
        h.service.start(from("2001:db8:7:1:ffff::3")).await,
        Err(StartError::RateLimited(_))
    ));
    // The neighbouring /64 is another client.
    h.service.start(from("2001:db8:7:2::1")).await.unwrap();
}

#[tokio::test]
async fn an_ipv4_mapped_address_shares_the_ipv4_budget() {
    let h = harness(|c| c.start_per_ip = RateLimit::new(1, HOUR)).await;
    let mut req = Harness::start_request(&fixtures::fresh_email());
    req.ip = ip("198.51.100.4");
    h.service.start(req).await.unwrap();
    let mut req = Harness::start_request(&fixtures::fresh_email());
    req.ip = ip("::ffff:198.51.100.4");
    assert!(matches!(
        h.service.start(req).await,
        Err(StartError::RateLimited(_))
    ));
}

#[tokio::test]
async fn an_ip_over_its_failure_budget_is_refused_before_the_code_is_looked_at() {
    let h = harness(|c| c.failures_per_ip = RateLimit::new(5, HOUR)).await;
    let victim = fixtures::fresh_email();
    h.codes.push("424242");
    h.start(&victim).await.unwrap();
    let attempt = |who: &Recipient, code: &str, addr: &str| {
        let mut req = Harness::token_request(Harness::otp_grant(who, code));
        req.ip = ip(addr);
        req
    };
    // Fresh usernames from one IP: each fails once.
    for _ in 0..5 {
        let err = h
            .service
            .token(attempt(&fixtures::fresh_email(), "000000", "203.0.113.66"))
            .await
            .unwrap_err();
        assert!(matches!(err, TokenError::Grant(_)), "{err:?}");
    }
    let refused = h
        .service
        .token(attempt(&victim, "424242", "203.0.113.66"))
        .await
        .unwrap_err();
    let TokenError::SuspiciousIp(d) = refused else {
        panic!("{refused:?}");
    };
    assert_eq!((d.limit, d.remaining), (5, 0));
    // The refusal did not spend the victim's code: from another IP it works.
    h.service
        .token(attempt(&victim, "424242", "198.51.100.1"))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_success_does_not_count_against_the_ip() {
    let h = harness(|c| c.failures_per_ip = RateLimit::new(1, HOUR)).await;
    for _ in 0..3 {
        let who = fixtures::fresh_email();
        h.start(&who).await.unwrap();
        let code = h.code_for(&who).unwrap();
        let mut req = Harness::token_request(Harness::otp_grant(&who, &code));
        req.ip = ip("203.0.113.70");
        h.service.token(req).await.unwrap();
    }
}

#[tokio::test]
async fn a_trusted_backends_failures_count_against_the_ip_it_relays() {
    let h = harness(|c| c.failures_per_ip = RateLimit::new(1, HOUR)).await;
    let attempt = |relayed: &str| {
        let mut req =
            Harness::token_request(Harness::otp_grant(&fixtures::fresh_email(), "000000"));
        req.ip = ip("10.0.0.1");
        req.forwarded_for = ip(relayed);
        req
    };
    assert!(matches!(
        h.service.token(attempt("203.0.113.1")).await,
        Err(TokenError::Grant(_))
    ));
    assert!(matches!(
        h.service.token(attempt("203.0.113.1")).await,
        Err(TokenError::SuspiciousIp(_))
    ));
    // Another user behind the same backend is not held up.
    assert!(matches!(
        h.service.token(attempt("203.0.113.2")).await,
        Err(TokenError::Grant(_))
    ));
}
