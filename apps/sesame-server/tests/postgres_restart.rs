//! PostgreSQL restarts under load, as in a failover: three `sesame`
//! processes on a private PostgreSQL (so only this test sees it go) and the
//! test Redis Cluster serve a steady stream of logins while the database
//! stops (fast shutdown: open transactions roll back, connections close),
//! stays down, and comes back on the same address.
//!
//! What must hold: every answer is a success or a clean 503
//! `temporarily_unavailable`, never a 500, another error or a hang; and
//! logins work again, without restarting Sesame, once the database is back.
//! What it measures (printed; `docs/scaling.md` quotes a run): how long
//! logins failed, and what became of the logins in flight.
#![expect(
    clippy::panic,
    reason = "the answer check is a plain fn, which clippy does not treat as test code"
)]

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use sesame_e2e::mailbox::Mailbox;
use sesame_e2e::private_postgres::PrivatePostgres;
use sesame_e2e::{Options, Reply, Storage, TestApp, fresh_email};
use tokio::sync::Mutex;

/// Concurrent users, each logging in over and over.
const USERS: usize = 6;
/// The issuer the three share, as a load balancer in front would give.
const ISSUER: &str = "http://127.0.0.1:9/";
/// How long the database stays down: longer than the store's default
/// `acquire_timeout_secs` (5 s), so requests first wait, then fail.
const DOWN_FOR: Duration = Duration::from_secs(8);

/// One login attempt: when each step began (since the test's start) and
/// how it was answered.
#[derive(Debug, Clone)]
struct Attempt {
    started: Duration,
    /// How long the start and the exchange took together.
    took: Duration,
    start_status: u16,
    /// The exchange's status, if the start gave a code.
    token_status: Option<u16>,
    /// A 503 exchange's code, to retry once the database is back.
    code: Option<(sesame_domain::Recipient, String)>,
}

/// An answer is a success, a clean unavailability, or a test failure.
fn check(step: &str, r: &Reply) {
    match r.status.as_u16() {
        200 => {}
        503 => assert!(
            r.text.contains("\"temporarily_unavailable\""),
            "{step}: a 503 without the OAuth error: {}",
            r.text
        ),
        other => panic!("{step}: neither served nor unavailable: {other} {}", r.text),
    }
}

/// One user's loop until `stop`.
async fn user(
    nodes: Arc<[TestApp; 3]>,
    mailbox: Mailbox,
    t0: Instant,
    stop: Arc<AtomicBool>,
    log: Arc<Mutex<Vec<Attempt>>>,
    me: usize,
) {
    let mut i = me;
    while !stop.load(Ordering::Relaxed) {
        let who = fresh_email();
        let node = &nodes[i % 3];
        let other = &nodes[(i + 1) % 3];
        i += 1;
        let started = t0.elapsed();
        let seen = mailbox.count(who.as_str());
        let start = node.start_for(&who).await;
        check("start", &start);
        let mut attempt = Attempt {
            started,
            took: Duration::ZERO,
            start_status: start.status.as_u16(),
            token_status: None,
            code: None,
        };
        if attempt.start_status == 200 {
            let code = mailbox.wait_for_new(who.as_str(), seen).await.code(6);
            let token = other.token_otp_json(&who, &code).await;
            check("exchange", &token);
            attempt.token_status = Some(token.status.as_u16());
            if token.status.as_u16() == 503 {
                attempt.code = Some((who, code));
            }
            attempt.took = t0.elapsed() - started;
        } else {
            attempt.took = t0.elapsed() - started;
            // An unavailable answer: back off a little, as a client would,
            // rather than spin on the dead database.
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        log.lock().await.push(attempt);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_restart_under_load_answers_503_and_logins_recover_without_restarting_sesame() {
    let pg = PrivatePostgres::start();
    let mailbox = Mailbox::shared();
    let storage = Arc::new(Storage::create_on_postgres_at(&pg.admin_url()).await);
    // The store's defaults, as an operator would run it.
    let options = mailbox.options(Options::default());
    let binary = Path::new(env!("CARGO_BIN_EXE_sesame"));
    let spawn = || TestApp::spawn_process_on(binary, Arc::clone(&storage), ISSUER, &options);
    // One at a time: the first applies the schema migrations.
    let a = spawn().await;
    let b = spawn().await;
    let c = spawn().await;
    let nodes = Arc::new([a, b, c]);

    let t0 = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let log = Arc::new(Mutex::new(Vec::new()));
    let users: Vec<_> = (0..USERS)
        .map(|me| {
            tokio::spawn(user(
                Arc::clone(&nodes),
                mailbox.clone(),
                t0,
                Arc::clone(&stop),
                Arc::clone(&log),
                me,
            ))
        })
        .collect();

    tokio::time::sleep(Duration::from_secs(2)).await;
    let down_at = t0.elapsed();
    // `pg_ctl` blocks; the server must outlive the test's load, so it
    // comes back out of the blocking task.
    let _pg = tokio::task::spawn_blocking(move || {
        pg.stop();
        std::thread::sleep(DOWN_FOR);
        pg.start_again();
        pg
    })
    .await
    .expect("restarting PostgreSQL");
    let up_at = t0.elapsed();
    tokio::time::sleep(Duration::from_secs(5)).await;
    stop.store(true, Ordering::Relaxed);
    for u in users {
        u.await.expect("a user's loop ended without a failed check");
    }

    let attempts = log.lock().await.clone();
    let ok = |a: &Attempt| a.token_status == Some(200);
    let before = attempts.iter().filter(|a| a.started < down_at).count();
    let failed: Vec<&Attempt> = attempts.iter().filter(|a| !ok(a)).collect();
    let first_failure = failed.iter().map(|a| a.started).min();
    let last_failure = failed.iter().map(|a| a.started).max();
    let slowest = attempts.iter().map(|a| a.took).max().unwrap_or_default();
    // From the database accepting connections again to the first login
    // that completed after it.
    let back_to_first_success = attempts
        .iter()
        .filter(|a| ok(a))
        .map(|a| a.started + a.took)
        .filter(|&done| done >= up_at)
        .min()
        .map(|done| done - up_at);
    let recovered_at = attempts
        .iter()
        .filter(|a| a.started >= up_at && ok(a))
        .map(|a| a.started)
        .min();

    // The exchanges that failed mid-flight: is their code still good?
    let mut retried_ok = 0;
    let in_flight: Vec<_> = attempts.iter().filter_map(|a| a.code.clone()).collect();
    for (who, code) in &in_flight {
        if nodes[0].token_otp_json(who, code).await.status.as_u16() == 200 {
            retried_ok += 1;
        }
    }
    eprintln!(
        "postgres restart under load: {} login attempts, {before} before the stop; database down \
         from {down_at:.2?} to {up_at:.2?}; failed attempts {} (first began {first_failure:.2?}, \
         last {last_failure:.2?}); slowest attempt {slowest:.2?}; first login completed \
         {back_to_first_success:.2?} after the database was back; \
         {} exchanges answered 503 after their start succeeded, {retried_ok} of those codes \
         redeemed on a retry",
        attempts.len(),
        failed.len(),
        in_flight.len(),
    );

    assert!(before > 0, "no login completed before the restart");
    let Some(recovered_at) = recovered_at else {
        let logs: Vec<String> = nodes.iter().filter_map(TestApp::process_log).collect();
        panic!(
            "no login succeeded after PostgreSQL came back; attempts {attempts:#?}; the processes' logs:\n{}",
            logs.join("\n-----\n")
        );
    };
    // Once one login succeeded after the restart, they all do.
    for a in attempts.iter().filter(|a| a.started > recovered_at) {
        assert!(ok(a), "a login failed after logins had recovered: {a:?}");
    }
    for node in nodes.iter() {
        let log = node.process_log().unwrap_or_default();
        assert!(!log.contains("panicked"), "a process panicked:\n{log}");
    }
}
