//! The bench's flows against a real Sesame server, started in-process from
//! the bench's own configuration template (memory store, webhook delivery to
//! the bench's receiver), for a couple of seconds per mode. These check
//! that flows complete and are counted, never how fast.

#![expect(
    clippy::unwrap_used,
    reason = "test support: a failed setup should stop the test loudly"
)]

use std::time::Duration;

use sesame_bench::args::Options;
use sesame_bench::flow::Mode;
use sesame_bench::receiver::Receiver;
use sesame_bench::run::run;
use sesame_bench::template::{DEFAULT_WEBHOOK_SECRET, ServerConfig};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A server on 127.0.0.1:0 delivering codes to `webhook_url` signed with
/// `webhook_secret`; stops when the sender is dropped.
async fn server(webhook_url: String, webhook_secret: &str) -> (String, oneshot::Sender<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let listen = listener.local_addr().unwrap().to_string();
    let text = ServerConfig {
        listen: listen.clone(),
        store: "memory://".into(),
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
