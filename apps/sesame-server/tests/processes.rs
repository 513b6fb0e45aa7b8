//! Three `sesame` processes, the binary an operator runs, on one PostgreSQL
//! database and one Redis Cluster (the test services' three primaries),
//! with one secret and one issuer, behave as one server: a code started on
//! one redeems on another, exactly once however many race for it, rate
//! limits count across all three, and a refresh rotation on one is seen as
//! reuse on another. (`tests/sesame-e2e/tests/scale_out.rs` holds the same
//! rules for in-process servers, and a dead Redis primary.)
//!
//! And `rediss://` seeds reach a cluster that speaks only TLS, checking its
//! certificate against the CA the process is told to trust.
//!
//! Email goes over SMTP to the test services' sink, where the tests read
//! the codes. See `postgres_restart.rs` for a restart under load.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use std::path::Path;
use std::sync::Arc;

use futures::future::join_all;
use serde_json::Value;
use sesame_domain::recipient::Recipient;
use sesame_e2e::mailbox::Mailbox;
use sesame_e2e::{Options, Storage, TestApp, fresh_email};
use sesame_store_redis::private_cluster::PrivateCluster;

/// How many redemptions race for one code, spread over the three processes.
const RACERS: usize = 50;
/// The issuer the three share, as a load balancer in front would give.
const ISSUER: &str = "http://127.0.0.1:9/";

/// Three processes of one deployment on fresh storage, with `options` and
/// email to `mailbox`.
async fn three_processes(mailbox: &Mailbox, options: Options) -> [TestApp; 3] {
    let storage = Arc::new(Storage::create_on_redis_cluster().await);
    let options = mailbox.options(options);
    let binary = Path::new(env!("CARGO_BIN_EXE_sesame"));
    // One at a time: the first applies the schema migrations.
    let a = TestApp::spawn_process_on(binary, Arc::clone(&storage), ISSUER, &options).await;
    let b = TestApp::spawn_process_on(binary, Arc::clone(&storage), ISSUER, &options).await;
    let c = TestApp::spawn_process_on(binary, storage, ISSUER, &options).await;
    [a, b, c]
}

/// Starts a login for `who` on `node` and returns the code that arrived.
async fn issue_code(node: &TestApp, mailbox: &Mailbox, who: &Recipient) -> String {
    let seen = mailbox.count(who.as_str());
    node.start_for(who).await.expect_status(200);
    mailbox.wait_for_new(who.as_str(), seen).await.code(6)
}

fn str_of<'a>(body: &'a Value, key: &str) -> &'a str {
    body[key].as_str().expect("a string property")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_code_started_on_one_process_redeems_on_another_once() {
    let mailbox = Mailbox::shared();
    let [a, b, c] = three_processes(&mailbox, Options::default()).await;
    let who = fresh_email();
    let code = issue_code(&a, &mailbox, &who).await;
    let tokens = c.token_otp_json(&who, &code).await;
    assert!(str_of(tokens.expect_status(200), "access_token").len() > 20);
    b.token_otp_json(&who, &code).await.expect_error(
        403,
        "invalid_grant",
        Some("Wrong email or verification code."),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_redemptions_spread_over_three_processes_have_one_winner() {
    let mailbox = Mailbox::shared();
    let nodes = three_processes(&mailbox, Options::default()).await;
    let who = fresh_email();
    let code = issue_code(&nodes[1], &mailbox, &who).await;
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
    assert_eq!(wins, 1, "{RACERS} redemptions over three processes");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limits_hold_across_the_three_processes() {
    let mailbox = Mailbox::shared();
    let options = Options {
        start_per_recipient_ip_per_15min: 3,
        ..Options::default()
    };
    let nodes = three_processes(&mailbox, options).await;
    let who = fresh_email();
    for node in &nodes {
        node.start_for(&who).await.expect_status(200);
    }
    for node in &nodes {
        node.start_for(&who)
            .await
            .expect_error(429, "too_many_requests", None);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotation_on_one_process_is_seen_as_reuse_on_another() {
    let mailbox = Mailbox::shared();
    let [a, b, c] = three_processes(&mailbox, Options::default()).await;
    let who = fresh_email();
    let code = issue_code(&a, &mailbox, &who).await;
    let tokens = a.token_otp_json(&who, &code).await;
    let old = str_of(tokens.expect_status(200), "refresh_token").to_owned();

    let rotated = b.refresh(&old).await;
    let new = str_of(rotated.expect_status(200), "refresh_token").to_owned();
    assert_ne!(new, old);
    // Reuse of the old token through C is caught and revokes the family:
    // B's replacement is refused on A.
    c.refresh(&old)
        .await
        .expect_error(403, "invalid_grant", None);
    a.refresh(&new)
        .await
        .expect_error(403, "invalid_grant", None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rediss_seeds_reach_a_tls_only_cluster_whose_certificate_the_process_trusts() {
    let cluster = PrivateCluster::start_tls(3).await;
    assert!(cluster.urls().iter().all(|u| u.starts_with("rediss://")));
    let storage = Arc::new(Storage::create_on_redis_cluster_at(cluster.urls()).await);
    let mailbox = Mailbox::shared();
    let options = mailbox.options(Options::default());
    let binary = Path::new(env!("CARGO_BIN_EXE_sesame"));
    let ca = cluster.ca_file();
    let trusting = [("SSL_CERT_FILE", ca.as_os_str())];
    let node =
        TestApp::spawn_process_with_env(binary, Arc::clone(&storage), ISSUER, &options, &trusting)
            .await;
    let who = fresh_email();
    let code = issue_code(&node, &mailbox, &who).await;
    node.token_otp_json(&who, &code).await.expect_status(200);

    // The certificate is checked: a process that does not trust the
    // cluster's CA refuses to start rather than talk to it.
    let (status, printed) = TestApp::refused_process(binary, &storage, ISSUER, &options, &[]).await;
    assert!(!status.success(), "{printed}");
    assert!(
        printed.contains("connecting to redis ([cache])") && printed.contains("UnknownIssuer"),
        "{printed}"
    );
}
