//! Three instances on one PostgreSQL database and one Redis Cluster (the
//! test services' three primaries), with one secret and one issuer, behave
//! as one server: a code started on one redeems on another, exactly once
//! however many race for it, rate limits count across all three, and a
//! refresh rotation on one is seen as reuse on another. And a primary that
//! dies (in a private cluster) answers 503 for its slots without hanging.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::future::join_all;
use serde_json::Value;
use sesame_domain::Recipient;
use sesame_e2e::api::{otp_body, start_body};
use sesame_e2e::config::{WEB_CLIENT, WEB_SECRET};
use sesame_e2e::reply::Reply;
use sesame_e2e::{Options, Storage, TestApp, fresh_email};
use sesame_store_redis::private_cluster::PrivateCluster;

/// How many redemptions race for one code, spread over the three nodes.
const RACERS: usize = 50;

/// Three nodes of one deployment on fresh storage, all with `options` and
/// node A's issuer.
async fn three_nodes(options: Options) -> [TestApp; 3] {
    let storage = Arc::new(Storage::create_on_redis_cluster().await);
    let a = TestApp::spawn_on(Arc::clone(&storage), options.clone()).await;
    let others = Options {
        issuer: Some(a.issuer.clone()),
        ..options
    };
    let b = TestApp::spawn_on(Arc::clone(&storage), others.clone()).await;
    let c = TestApp::spawn_on(storage, others).await;
    [a, b, c]
}

/// `body` POSTed to `path` by the trusted backend client on behalf of an
/// end user at `ip` (`auth0-forwarded-for`), so every per-IP counter is
/// that user's, as behind a real backend with many users.
async fn relayed(app: &TestApp, path: &str, mut body: Value, ip: &str) -> Reply {
    body["client_id"] = WEB_CLIENT.into();
    body["client_secret"] = WEB_SECRET.into();
    let request = app
        .client
        .post(app.url(path))
        .header("auth0-forwarded-for", ip)
        .json(&body);
    app.send(request).await
}

fn str_of<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key].as_str().expect("a string property")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_started_on_one_node_redeems_on_another_once() {
    let [a, b, c] = three_nodes(Options::default()).await;
    let who = fresh_email();
    let code = a.issue_code(&who).await;
    c.token_otp_json(&who, &code).await.expect_status(200);
    b.token_otp_json(&who, &code).await.expect_error(
        403,
        "invalid_grant",
        Some("Wrong email or verification code."),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_redemptions_spread_over_three_nodes_have_one_winner() {
    let nodes = three_nodes(Options::default()).await;
    let who = fresh_email();
    let code = nodes[1].issue_code(&who).await;
    let replies =
        join_all((0..RACERS).map(|i| nodes[i % nodes.len()].token_otp_json(&who, &code))).await;
    for r in &replies {
        assert!(
            matches!(r.status.as_u16(), 200 | 403),
            "neither a win nor a clean refusal: {} {}",
            r.status,
            r.text
        );
    }
    let wins = replies.iter().filter(|r| r.status.as_u16() == 200).count();
    assert_eq!(wins, 1, "{RACERS} redemptions over three nodes");
    for r in replies.iter().filter(|r| r.status.as_u16() == 403) {
        r.expect_error(403, "invalid_grant", None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_hold_across_the_three_nodes() {
    let options = Options {
        start_per_recipient_ip_per_15min: 3,
        ..Options::default()
    };
    let [a, b, c] = three_nodes(options).await;
    let who = fresh_email();
    for node in [&a, &b, &c] {
        node.start_for(&who).await.expect_status(200);
    }
    for node in [&a, &b, &c] {
        node.start_for(&who)
            .await
            .expect_error(429, "too_many_requests", None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_on_one_node_is_seen_as_reuse_on_another() {
    let [a, b, c] = three_nodes(Options::default()).await;
    let tokens = a.login(&fresh_email()).await;
    let old = str_of(&tokens, "refresh_token").to_owned();

    let rotated = b.refresh(&old).await;
    let new = str_of(rotated.expect_status(200), "refresh_token").to_owned();
    assert_ne!(new, old);
    // Reuse of the old token through C is caught, and revokes the family:
    // B's replacement is refused on A.
    c.refresh(&old)
        .await
        .expect_error(403, "invalid_grant", None);
    a.refresh(&new)
        .await
        .expect_error(403, "invalid_grant", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_primary_answers_503_for_its_slots_and_nothing_hangs() {
    let mut cluster = PrivateCluster::start(3).await;
    let storage = Arc::new(Storage::create_on_redis_cluster_at(cluster.urls()).await);
    let app = TestApp::spawn_on(storage, Options::default()).await;
    app.start_for(&fresh_email()).await.expect_status(200);

    cluster.kill(2);
    // Each start touches its rate-limit counters and the recipient's
    // challenge, in slots all over the cluster: a third of them are gone.
    // Each person has an IP of their own: with one IP for all, the per-IP
    // counters share one slot, and if it is the dead one every request
    // from that IP is unavailable (which is right, but hides the others).
    let people: Vec<(Recipient, String)> = (0..30_u8)
        .map(|i| (fresh_email(), format!("198.51.100.{}", i + 1)))
        .collect();
    let started = Instant::now();
    let replies = join_all(
        people
            .iter()
            .map(|(who, ip)| relayed(&app, "/passwordless/start", start_body(who), ip)),
    )
    .await;
    assert!(
        started.elapsed() < Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
    for r in &replies {
        match r.status.as_u16() {
            200 => {}
            503 => assert!(r.text.contains("temporarily_unavailable"), "{}", r.text),
            other => panic!("neither served nor unavailable: {other} {}", r.text),
        }
    }
    let unavailable = replies.iter().filter(|r| r.status.as_u16() == 503).count();
    eprintln!(
        "starts after the kill: {} served, {unavailable} unavailable",
        replies.len() - unavailable
    );
    assert!(unavailable > 0, "no start touched the dead primary's slots");

    // A wrong code touches only its person's failure counters (per
    // recipient, per recipient and IP, per IP) and challenge: per person,
    // served (403) or unavailable (503), and with thirty people both happen.
    let replies = join_all(
        people
            .iter()
            .map(|(who, ip)| relayed(&app, "/oauth/token", otp_body(who, "000000"), ip)),
    )
    .await;
    let unavailable = replies.iter().filter(|r| r.status.as_u16() == 503).count();
    eprintln!(
        "wrong codes after the kill: {} served, {unavailable} unavailable",
        replies.len() - unavailable
    );
    for r in replies.iter().filter(|r| r.status.as_u16() != 503) {
        r.expect_error(403, "invalid_grant", None);
    }
    assert!(
        unavailable > 0,
        "no redemption touched the dead primary's slots"
    );
    assert!(
        unavailable < replies.len(),
        "the live primaries' slots were unavailable too"
    );
}
