//! The bench's flows against a real Sesame server, started in-process from
//! the bench's own configuration template (memory or SQLite store, webhook
//! delivery to the bench's receiver), for a couple of seconds per mode.
//! These check that flows complete and are counted, never how fast.

#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed setup should stop the test loudly"
)]

use std::time::Duration;

use sesame_bench::args::Options;
use sesame_bench::dbprocs::DbProcs;
use sesame_bench::flow::Mode;
use sesame_bench::receiver::Receiver;
use sesame_bench::run::run;
use sesame_bench::template::{DEFAULT_WEBHOOK_SECRET, ServerConfig};
use sqlx::{Connection as _, Executor as _, PgConnection};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A server on 127.0.0.1:0 delivering codes to `webhook_url` signed with
/// `webhook_secret`; stops when the sender is dropped.
async fn server(webhook_url: String, webhook_secret: &str) -> (String, oneshot::Sender<()>) {
    server_on("memory://".into(), webhook_url, webhook_secret).await
}

/// The same, keeping its state in `store`.
async fn server_on(
    store: String,
    webhook_url: String,
    webhook_secret: &str,
) -> (String, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let listen = listener.local_addr().unwrap().to_string();
    let text = ServerConfig {
        listen: listen.clone(),
        store,
        webhook_url,
        webhook_secret: webhook_secret.into(),
        ..ServerConfig::default()
    }
    .render();
    let settings = sesame_server::config::from_toml(&text).unwrap();
    let resolved = sesame_server::config::resolve(settings).unwrap();
    let app = sesame_server::build(resolved).await.unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(app.serve(listener, async move {
        let _ = stopped.await;
    }));
    (format!("http://{listen}"), stop)
}

async fn receiver() -> Receiver {
    Receiver::spawn(
        "127.0.0.1:0".parse().unwrap(),
        DEFAULT_WEBHOOK_SECRET.as_bytes(),
    )
    .await
    .unwrap()
}

fn options(server: String, mode: Mode) -> Options {
    Options {
        server,
        mode,
        vus: 4,
        pool: 2,
        warmup: Duration::from_millis(300),
        duration: Duration::from_millis(1500),
        progress: false,
        ..Options::default()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_user_logins_complete_with_zero_errors_and_the_id_token_verifies() {
    let receiver = receiver().await;
    let (url, _stop) = server(receiver.url(), DEFAULT_WEBHOOK_SECRET).await;
    let mut o = options(url, Mode::New);
    o.server_pid = Some(std::process::id());
    let report = run(&o, &receiver).await.unwrap();

    assert!(report.flows > 0, "{}", report.text());
    assert!(report.errors.is_empty(), "{}", report.text());
    assert_eq!(report.failed, 0);
    assert_eq!(report.id_token_alg, "RS256");
    assert_eq!(report.flow_latency.count, report.flows);
    for endpoint in ["start", "code_wait", "otp"] {
        assert_eq!(report.endpoints[endpoint].count, report.flows, "{endpoint}");
    }
    assert!(!report.endpoints.contains_key("refresh"));
    let w = report.webhook;
    assert_eq!((w.refused, w.unclaimed), (0, 0));
    // Every measured flow got its code through the webhook (and the probe
    // and warm-up flows did too).
    assert!(w.accepted > report.flows, "{w:?}");
    let usage = report.server_usage.unwrap();
    assert!(
        usage.peak_rss_mib > 0.0 && usage.cpu_seconds >= 0.0,
        "{usage:?}"
    );
    // By default the bench looks for Postgres and Redis processes: whatever
    // it finds on this machine is named by store and never negative.
    for (kind, u) in &report.store_usage {
        assert!(kind == "postgres" || kind == "redis", "{kind}");
        assert!(u.processes > 0 && u.cpu_seconds >= 0.0, "{kind}: {u:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sqlite_server_has_no_store_share_and_the_run_still_succeeds() {
    let dir = tempfile::tempdir().unwrap();
    let receiver = receiver().await;
    let store = format!("sqlite://{}/sesame.db", dir.path().display());
    let (url, _stop) = server_on(store, receiver.url(), DEFAULT_WEBHOOK_SECRET).await;
    let mut o = options(url, Mode::New);
    o.db_procs = DbProcs::Off;
    let report = run(&o, &receiver).await.unwrap();

    assert!(report.flows > 0, "{}", report.text());
    assert!(report.errors.is_empty(), "{}", report.text());
    assert!(report.store_usage.is_empty(), "{:?}", report.store_usage);
    assert!(report.redis_counts.is_none() && report.postgres_counts.is_none());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["store_usage"], serde_json::json!({}));
    assert!(json["postgres_counts"].is_null() && json["redis_counts"].is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_nobody_uses_is_charged_no_transactions() {
    let pg = std::env::var("SESAME_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
    let redis =
        std::env::var("SESAME_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    let database = format!("sesame_bench_idle_{}", std::process::id());
    let mut admin = PgConnection::connect(&pg).await.unwrap();
    let _ = admin
        .execute(format!("DROP DATABASE IF EXISTS {database}").as_str())
        .await;
    admin
        .execute(format!("CREATE DATABASE {database}").as_str())
        .await
        .unwrap();
    // Not even autovacuum may connect: any transaction counted would be the
    // bench's own.
    admin
        .execute(format!("ALTER DATABASE {database} WITH ALLOW_CONNECTIONS false").as_str())
        .await
        .unwrap();

    let receiver = receiver().await;
    let (url, _stop) = server(receiver.url(), DEFAULT_WEBHOOK_SECRET).await;
    let mut o = options(url, Mode::New);
    o.pg_url = Some(format!("{}/{database}", pg.rsplit_once('/').unwrap().0));
    o.redis_url = Some(redis);
    let outcome = run(&o, &receiver).await;
    let _ = admin
        .execute(format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)").as_str())
        .await;
    let report = outcome.unwrap();

    assert!(report.flows > 0, "{}", report.text());
    // The server keeps its state in memory and the bench reads the
    // statistics through another database: nothing is charged to the flows.
    let p = report.postgres_counts.unwrap();
    assert_eq!(p.database, database);
    assert_eq!(p.transactions, Some(0), "{p:?}");
    assert_eq!(p.transactions_per_flow, Some(0.0), "{p:?}");
    assert!(p.flows >= report.flows, "{p:?}");
    assert!(
        p.statements.is_some() != p.statements_unavailable.is_some(),
        "{p:?}"
    );
    // Redis may be shared with other tests, but it was read.
    assert!(report.redis_counts.unwrap().calls_per_flow.is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn returning_user_logins_complete_with_zero_errors() {
    let receiver = receiver().await;
    let (url, _stop) = server(receiver.url(), DEFAULT_WEBHOOK_SECRET).await;
    let report = run(&options(url, Mode::Returning), &receiver)
        .await
        .unwrap();
    assert!(report.flows > 0, "{}", report.text());
    assert!(report.errors.is_empty(), "{}", report.text());
    assert_eq!(report.webhook.refused, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refresh_grants_rotate_with_zero_errors_and_send_no_codes() {
    let receiver = receiver().await;
    let (url, _stop) = server(receiver.url(), DEFAULT_WEBHOOK_SECRET).await;
    let report = run(&options(url, Mode::Refresh), &receiver).await.unwrap();
    assert!(report.flows > 0, "{}", report.text());
    assert!(report.errors.is_empty(), "{}", report.text());
    assert_eq!(report.endpoints["refresh"].count, report.flows);
    assert!(!report.endpoints.contains_key("start"));
    // Codes only for the probe and one warm-up login per virtual user.
    assert_eq!(report.webhook.accepted, 1 + 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_loop_runs_the_flows_scheduled_in_the_window() {
    let receiver = receiver().await;
    let (url, _stop) = server(receiver.url(), DEFAULT_WEBHOOK_SECRET).await;
    let mut o = options(url, Mode::New);
    o.rate = Some(40.0);
    o.duration = Duration::from_secs(1);
    o.warmup = Duration::from_millis(250);
    let report = run(&o, &receiver).await.unwrap();
    assert!(report.errors.is_empty(), "{}", report.text());
    // 40/s for 1 s: 40 scheduled starts, give or take one at each edge.
    assert!((39..=41).contains(&report.flows), "{}", report.text());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_signing_with_another_secret_is_refused_and_the_run_stops() {
    let receiver = receiver().await;
    let (url, _stop) = server(receiver.url(), "a-different-webhook-secret-0123").await;
    let e = run(&options(url, Mode::New), &receiver).await.unwrap_err();
    assert!(e.to_string().contains("probe login failed"), "{e:#}");
    assert_eq!(receiver.mailbox.counts().refused, 1);
    assert_eq!(receiver.mailbox.counts().accepted, 0);
}
