//! Events, configurations and a drop counter for the tests.
#![expect(
    clippy::expect_used,
    reason = "test helpers: a broken fixture should fail the test loudly"
)]

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::{Value, json};
use sesame_domain::{EventType, LogEvent, Timestamp};
use sesame_log_stream::{LogStreamConfig, OnDrop, StreamFormat};
use tokio::sync::mpsc;

/// How long a test waits for something to happen before calling it hung.
/// Only a guard: everything awaited happens much sooner.
pub const HANG_GUARD: Duration = Duration::from_secs(10);

/// The `Authorization` value the streams are configured with.
pub const AUTHORIZATION: &str = "Bearer log-stream-t0ken";

/// The `n`th event: a successful email sign-in.
pub fn event(n: u64) -> LogEvent {
    let date = Timestamp::from_unix_millis(1_767_225_600_000 + i64::try_from(n).unwrap_or(0));
    LogEvent {
        log_id: format!("{:015}{n:016x}", date.unix_millis()),
        date,
        kind: EventType::Success,
        description: "Successful login".to_owned(),
        client_id: Some("client-abc".to_owned()),
        ip: Some(IpAddr::V4(Ipv4Addr::new(203, 0, 113, 9))),
        user_agent: Some("curl/8".to_owned()),
        user_id: Some(format!("email|{n}")),
        connection: Some("email".to_owned()),
        details: BTreeMap::from([("user_name".to_owned(), "a***@example.com".to_owned())]),
    }
}

/// The log stream entry a receiver should get for `event`.
pub fn entry(event: &LogEvent) -> Value {
    json!({ "log_id": event.log_id, "data": event.auth0_json() })
}

/// A stream to `url` in `format`, with [`AUTHORIZATION`], retrying after
/// 1 ms.
pub fn config(url: &str, format: StreamFormat) -> LogStreamConfig {
    LogStreamConfig {
        authorization: Some(AUTHORIZATION.to_owned().into()),
        first_backoff: Duration::from_millis(1),
        ..LogStreamConfig::new(url, format)
    }
}

/// Counts the events a stream reports dropped.
pub struct Drops {
    total: Arc<AtomicU64>,
    calls: mpsc::UnboundedReceiver<u64>,
}

/// A fresh `on_drop` callback and the counter it reports to.
pub fn drops() -> (OnDrop, Drops) {
    let total = Arc::new(AtomicU64::new(0));
    let (tx, calls) = mpsc::unbounded_channel();
    let counted = Arc::clone(&total);
    let on_drop: OnDrop = Arc::new(move |n| {
        counted.fetch_add(n, Ordering::SeqCst);
        let _ = tx.send(n);
    });
    (on_drop, Drops { total, calls })
}

impl Drops {
    /// Every event reported dropped so far.
    pub fn total(&self) -> u64 {
        self.total.load(Ordering::SeqCst)
    }

    /// The next report, waiting for it (at most [`HANG_GUARD`]).
    pub async fn next(&mut self) -> u64 {
        tokio::time::timeout(HANG_GUARD, self.calls.recv())
            .await
            .expect("no drop was reported in time")
            .expect("the callback is alive")
    }
}
