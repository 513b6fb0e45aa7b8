//! Rate limits over HTTP: starts per IP and per recipient, failed
//! redemptions per recipient, the `x-ratelimit-*` and `Retry-After` headers,
//! and whose IP counts when a backend relays `auth0-forwarded-for`.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::Value;
use sesame_domain::Recipient;
use sesame_e2e::api::{otp_body, start_body};
use sesame_e2e::{
    Backend, NATIVE_CLIENT, Options, Reply, TestApp, UNTRUSTED_CLIENT, UNTRUSTED_SECRET,
    WEB_CLIENT, WEB_SECRET, fresh_email,
};

fn now_secs() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs();
    i64::try_from(secs).expect("fits")
}

/// The refusal headers: a numeric limit, nothing remaining, a reset in the
/// future (epoch seconds, within `window` seconds) and a Retry-After that
/// points at it.
#[track_caller]
fn assert_refusal_headers(reply: &Reply, limit: i64, window: i64) {
    let now = now_secs();
    assert_eq!(reply.numeric_header("x-ratelimit-limit"), limit);
    assert_eq!(reply.numeric_header("x-ratelimit-remaining"), 0);
    let reset = reply.numeric_header("x-ratelimit-reset");
    assert!(
        reset > now && reset <= now + window + 1,
        "x-ratelimit-reset {reset} is not within {window} s after {now}"
    );
    let retry = reply.numeric_header("retry-after");
    assert!(
        (1..=window + 1).contains(&retry),
        "retry-after {retry} for a {window} s window"
    );
}

fn limited(start_per_ip_per_hour: u32, start_per_recipient_ip_per_15min: u32) -> Options {
    Options {
        start_per_ip_per_hour,
        start_per_recipient_ip_per_15min,
        ..Options::default()
    }
}

async fn the_fourth_start_from_one_ip_is_too_many_requests(backend: Backend) {
    let app = TestApp::spawn_with(backend, limited(3, 100)).await;
    for remaining in [2, 1, 0] {
        let reply = app.start_for(&fresh_email()).await;
        reply.expect_status(200);
        assert_eq!(reply.numeric_header("x-ratelimit-limit"), 3);
        assert_eq!(reply.numeric_header("x-ratelimit-remaining"), remaining);
        assert!(reply.numeric_header("x-ratelimit-reset") > now_secs());
    }
    let refused = app.start_for(&fresh_email()).await;
    refused.expect_error(429, "too_many_requests", None);
    assert_refusal_headers(&refused, 3, 3600);
    assert_eq!(app.outbox.count(), 3, "the refused start sent nothing");
}

async fn the_third_code_for_one_recipient_is_too_many_requests(backend: Backend) {
    let app = TestApp::spawn_with(backend, limited(100, 2)).await;
    let who = fresh_email();
    for _ in 0..2 {
        app.start_for(&who).await.expect_status(200);
    }
    let refused = app.start_for(&who).await;
    refused.expect_error(429, "too_many_requests", None);
    assert_refusal_headers(&refused, 2, 900);
    assert_eq!(app.outbox.count(), 2);
    // Another address from the same IP is not affected.
    app.start_for(&fresh_email()).await.expect_status(200);
}

async fn wrong_codes_across_fresh_challenges_end_in_too_many_attempts(backend: Backend) {
    let options = Options {
        failures_per_recipient_ip_per_15min: 4,
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    let who = fresh_email();
    let mut refused = None;
    // Each fresh code allows three guesses; the recipient allows four
    // failures in all, so the limit must bite within a few rounds.
    'rounds: for _ in 0..4 {
        let code = app.issue_code(&who).await;
        let wrong = if code == "000000" { "111111" } else { "000000" };
        for _ in 0..3 {
            let reply = app.token_otp_json(&who, wrong).await;
            if reply.status.as_u16() == 429 {
                refused = Some(reply);
                break 'rounds;
            }
            reply.expect_error(403, "invalid_grant", None);
        }
    }
    let refused = refused.expect("repeated wrong codes were never limited");
    refused.expect_error(
        429,
        "too_many_attempts",
        Some("Too many failed attempts. Please try again later."),
    );
    assert_refusal_headers(&refused, 4, 900);
    // A fresh code does not reopen the door, even the right one.
    let code = app.issue_code(&who).await;
    app.token_otp_json(&who, &code)
        .await
        .expect_error(429, "too_many_attempts", None);
    // Another address is not affected.
    let other = fresh_email();
    let code = app.issue_code(&other).await;
    app.token_otp_json(&other, &code).await.expect_status(200);
}

/// A start for a fresh address by `client` (with `secret`), relaying
/// `forwarded` as the end user's address when given.
async fn start_as(
    app: &TestApp,
    client: &str,
    secret: Option<&str>,
    forwarded: Option<&str>,
) -> Reply {
    let who: Recipient = fresh_email();
    let mut body = start_body(&who);
    body["client_id"] = client.into();
    if let Some(s) = secret {
        body["client_secret"] = Value::from(s);
    }
    let mut request = app.client.post(app.url("/passwordless/start")).json(&body);
    if let Some(ip) = forwarded {
        request = request.header("auth0-forwarded-for", ip);
    }
    app.send(request).await
}

async fn web(app: &TestApp, ip: &str) -> Reply {
    start_as(app, WEB_CLIENT, Some(WEB_SECRET), Some(ip)).await
}

async fn a_trusted_backend_is_limited_per_forwarded_address(backend: Backend) {
    let app = TestApp::spawn_with(backend, limited(2, 100)).await;
    // Many end users behind one backend: each has a limit of their own.
    for i in 1..=8 {
        web(&app, &format!("203.0.113.{i}"))
            .await
            .expect_status(200);
    }
    // One end user hits their own limit.
    web(&app, "198.51.100.7").await.expect_status(200);
    web(&app, "198.51.100.7").await.expect_status(200);
    let refused = web(&app, "198.51.100.7").await;
    refused.expect_error(429, "too_many_requests", None);
    assert_refusal_headers(&refused, 2, 3600);
    // None of that counted against the backend's own address.
    start_as(&app, NATIVE_CLIENT, None, None)
        .await
        .expect_status(200);
    start_as(&app, NATIVE_CLIENT, None, None)
        .await
        .expect_status(200);
    // Now the peer is limited, and a public client cannot talk its way out.
    start_as(&app, NATIVE_CLIENT, None, Some("192.0.2.99"))
        .await
        .expect_error(429, "too_many_requests", None);
}

async fn an_untrusted_client_cannot_relay_addresses(backend: Backend) {
    let app = TestApp::spawn_with(backend, limited(2, 100)).await;
    for (ip, status) in [
        ("203.0.113.1", 200),
        ("203.0.113.2", 200),
        ("203.0.113.3", 429),
    ] {
        let reply = start_as(&app, UNTRUSTED_CLIENT, Some(UNTRUSTED_SECRET), Some(ip)).await;
        assert_eq!(reply.status.as_u16(), status, "{ip}: {}", reply.text);
    }
}

async fn a_public_client_cannot_relay_addresses(backend: Backend) {
    let app = TestApp::spawn_with(backend, limited(2, 100)).await;
    for (ip, status) in [
        ("203.0.113.1", 200),
        ("203.0.113.2", 200),
        ("203.0.113.3", 429),
    ] {
        let reply = start_as(&app, NATIVE_CLIENT, None, Some(ip)).await;
        assert_eq!(reply.status.as_u16(), status, "{ip}: {}", reply.text);
    }
}

/// `body` sent to `path` by the trusted backend for the end user at `ip`.
async fn as_web_for(app: &TestApp, path: &str, mut body: Value, ip: &str) -> Reply {
    body["client_id"] = WEB_CLIENT.into();
    body["client_secret"] = WEB_SECRET.into();
    let request = app
        .client
        .post(app.url(path))
        .header("auth0-forwarded-for", ip)
        .json(&body);
    app.send(request).await
}

async fn an_attacker_on_one_ip_cannot_lock_the_victim_out_on_another(backend: Backend) {
    let options = Options {
        start_per_recipient_ip_per_15min: 2,
        failures_per_recipient_ip_per_15min: 3,
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    let victim = fresh_email();
    let (attacker, victims_ip) = ("203.0.113.66", "198.51.100.7");
    // The attacker spends every budget they have for the victim's address.
    for _ in 0..3 {
        as_web_for(&app, "/oauth/token", otp_body(&victim, "000000"), attacker)
            .await
            .expect_error(403, "invalid_grant", None);
    }
    as_web_for(&app, "/oauth/token", otp_body(&victim, "000000"), attacker)
        .await
        .expect_error(429, "too_many_attempts", None);
    for _ in 0..2 {
        as_web_for(&app, "/passwordless/start", start_body(&victim), attacker)
            .await
            .expect_status(200);
    }
    as_web_for(&app, "/passwordless/start", start_body(&victim), attacker)
        .await
        .expect_error(429, "too_many_requests", None);
    // The victim, from their own address, gets a code and signs in with it.
    as_web_for(&app, "/passwordless/start", start_body(&victim), victims_ip)
        .await
        .expect_status(200);
    let code = app.code_for(&victim);
    as_web_for(&app, "/oauth/token", otp_body(&victim, &code), victims_ip)
        .await
        .expect_status(200);
}

sesame_e2e::on_every_backend!(
    an_attacker_on_one_ip_cannot_lock_the_victim_out_on_another,
    the_fourth_start_from_one_ip_is_too_many_requests,
    the_third_code_for_one_recipient_is_too_many_requests,
    wrong_codes_across_fresh_challenges_end_in_too_many_attempts,
    a_trusted_backend_is_limited_per_forwarded_address,
    an_untrusted_client_cannot_relay_addresses,
    a_public_client_cannot_relay_addresses,
);
