//! The per-IP flood guard in front of start, token and the magic link: a
//! client over its burst is answered 429 `too_many_requests` before the
//! domain (and so any store) is asked. Also the answers to the abuse
//! guards' domain errors, and the client IP handed to the token endpoint.

use std::num::NonZeroUsize;

use axum::Router;
use http::StatusCode;
use sesame_domain::service::{StartError, TokenError, TokenRequest};
use sesame_http::{ClientIpSource, HttpConfig};

use crate::common::*;
use crate::start::{PATH as START, email_body};
use crate::token::{PATH as TOKEN, otp_form};

const LINK: &str = "/passwordless/verify_redirect";

/// A burst of `burst` requests, refilled at one a second: a test's requests
/// all land within the second, so the burst is what they get.
fn config(burst: u32) -> HttpConfig {
    HttpConfig {
        requests_per_ip_per_second: 1,
        requests_per_ip_burst: burst,
        ..HttpConfig::default()
    }
}

async fn start_from(app: &Router, peer: &str) -> Reply {
    send(
        app.clone(),
        from_peer(post_json(START, &email_body()), peer),
    )
    .await
}

#[track_caller]
fn assert_flood_refusal(r: &Reply) {
    r.assert_error(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_requests",
        "Too many requests. Check the X-RateLimit-Limit, X-RateLimit-Remaining and \
         X-RateLimit-Reset headers.",
    );
    assert_eq!(r.header("x-ratelimit-limit"), Some("1"));
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    assert!(r.header("x-ratelimit-reset").is_some());
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=2).contains(&wait), "{wait}");
}

#[tokio::test]
async fn a_flood_of_starts_from_one_ip_is_refused_before_the_domain_is_asked() {
    let mut m = mock();
    // The burst reaches the domain; a refill within the test is unlikely
    // but harmless.
    m.start
        .expect_start()
        .times(3..=4)
        .returning(|_| Err(StartError::UnknownClient));
    let app = app_with(m, config(3));
    let mut replies = Vec::new();
    for _ in 0..8 {
        replies.push(start_from(&app, "203.0.113.9:5000").await);
    }
    assert!(replies[..3].iter().all(|r| r.error() == "bad.client_id"));
    assert_flood_refusal(&replies[3]);
    assert!(
        replies
            .iter()
            .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
            .count()
            >= 4
    );
}

#[tokio::test]
async fn another_ip_is_not_held_up_but_a_slash_64_sibling_is() {
    let mut m = mock();
    m.start
        .expect_start()
        .returning(|_| Err(StartError::UnknownClient));
    let app = app_with(m, config(1));
    assert_eq!(
        start_from(&app, "[2001:db8:5:6::1]:1").await.error(),
        "bad.client_id"
    );
    assert_flood_refusal(&start_from(&app, "[2001:db8:5:6:abcd::99]:1").await);
    assert_eq!(
        start_from(&app, "[2001:db8:5:7::1]:1").await.error(),
        "bad.client_id"
    );
    assert_eq!(
        start_from(&app, "198.51.100.1:1").await.error(),
        "bad.client_id"
    );
    assert_flood_refusal(&start_from(&app, "[::ffff:198.51.100.1]:1").await);
}

#[tokio::test]
async fn the_token_endpoint_and_both_link_methods_are_guarded() {
    let app = app_with(mock(), config(1));
    // Bodies the edge refuses itself: the guard comes before them too.
    let token = || from_peer(post_form(TOKEN, "grant_type="), "203.0.113.20:1");
    assert_eq!(
        send(app.clone(), token()).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_flood_refusal(&send(app.clone(), token()).await);

    let mut m = mock();
    m.links.expect_link_app().returning(|_| Ok(None));
    let app = app_with(m, config(1));
    let get_link = || from_peer(get(LINK), "203.0.113.21:1");
    assert_eq!(
        send(app.clone(), get_link()).await.status,
        StatusCode::BAD_REQUEST
    );
    assert_flood_refusal(&send(app.clone(), get_link()).await);
    let post_link = from_peer(post_form(LINK, ""), "203.0.113.21:1");
    assert_flood_refusal(&send(app.clone(), post_link).await);
}

#[tokio::test]
async fn behind_proxies_the_forwarded_client_is_the_one_counted() {
    let mut m = mock();
    m.start
        .expect_start()
        .returning(|_| Err(StartError::UnknownClient));
    let app = app_with(
        m,
        HttpConfig {
            client_ip: ClientIpSource::XForwardedFor {
                trusted_proxy_hops: NonZeroUsize::new(1).unwrap(),
            },
            ..config(1)
        },
    );
    let via_proxy = |client: &str| {
        let mut req = from_peer(post_json(START, &email_body()), "10.0.0.2:443");
        req.headers_mut()
            .insert("x-forwarded-for", client.parse().unwrap());
        req
    };
    assert_eq!(
        send(app.clone(), via_proxy("203.0.113.30")).await.error(),
        "bad.client_id"
    );
    assert_eq!(
        send(app.clone(), via_proxy("203.0.113.31")).await.error(),
        "bad.client_id"
    );
    assert_flood_refusal(&send(app.clone(), via_proxy("203.0.113.30")).await);
}

#[tokio::test]
async fn requests_without_a_known_ip_are_not_limited() {
    let mut m = mock();
    m.start
        .expect_start()
        .times(5)
        .returning(|_| Err(StartError::UnknownClient));
    let app = app_with(m, config(1));
    for _ in 0..5 {
        let r = send(app.clone(), post_json(START, &email_body())).await;
        assert_eq!(r.error(), "bad.client_id");
    }
}

#[tokio::test]
async fn the_token_endpoint_hands_the_domain_the_client_ip_and_the_relayed_one() {
    let seen = slot::<TokenRequest>();
    let mut m = mock();
    let s = seen.clone();
    m.tokens.expect_token().returning(move |req| {
        *s.lock().unwrap() = Some(req);
        Ok(tokens(false))
    });
    let mut req = from_peer(post_form(TOKEN, &otp_form("")), "198.51.100.8:1");
    req.headers_mut()
        .insert("auth0-forwarded-for", "203.0.113.44".parse().unwrap());
    send(app(m), req).await;
    let req = taken(&seen);
    assert_eq!(req.ip, Some("198.51.100.8".parse().unwrap()));
    assert_eq!(req.forwarded_for, Some("203.0.113.44".parse().unwrap()));
}

#[tokio::test]
async fn an_ip_over_its_failure_budget_gets_auth0s_suspicious_ip_answer() {
    let mut m = mock();
    m.tokens
        .expect_token()
        .returning(|_| Err(TokenError::SuspiciousIp(decision(false))));
    let r = send(app(m), post_form(TOKEN, &otp_form(""))).await;
    r.assert_error(
        StatusCode::TOO_MANY_REQUESTS,
        "too_many_attempts",
        "We have detected suspicious login behavior and further attempts will be blocked. \
         Please contact the administrator.",
    );
    assert_eq!(r.header("x-ratelimit-limit"), Some("50"));
    assert!(r.header("retry-after").is_some());
}

#[tokio::test]
async fn a_number_in_a_country_not_enabled_is_a_bad_phone_number() {
    let mut m = mock();
    m.start
        .expect_start()
        .returning(|_| Err(StartError::SmsCountryNotAllowed));
    let r = send(app(m), post_json(START, &email_body())).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.phone_number",
        "SMS to this country is not enabled",
    );
}
