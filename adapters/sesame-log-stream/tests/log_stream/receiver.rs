//! A log stream receiver on 127.0.0.1:0 that reports every request as it
//! arrives (headers and raw body) and answers as told, optionally holding
//! each request until the test releases it.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers: a broken fixture should fail the test loudly"
)]

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use serde_json::Value;
use tokio::sync::{mpsc, watch};

use crate::support::HANG_GUARD;

/// One recorded request.
#[derive(Clone, Debug)]
pub struct Received {
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body, byte for byte.
    pub body: Bytes,
}

impl Received {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body as one JSON document.
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).expect("a JSON body")
    }

    /// The body as JSON lines, each line ending in `\n`.
    pub fn json_lines(&self) -> Vec<Value> {
        let text = std::str::from_utf8(&self.body).unwrap();
        assert!(text.ends_with('\n'), "every line ends in a newline");
        text.lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }
}

/// A running receiver.
pub struct Receiver {
    /// The URL to configure the stream with.
    pub url: String,
    arrivals: mpsc::UnboundedReceiver<Received>,
    gate: watch::Sender<bool>,
}

#[derive(Clone)]
struct Shared {
    script: Arc<Mutex<VecDeque<u16>>>,
    then: u16,
    arrivals: mpsc::UnboundedSender<Received>,
    gate: watch::Receiver<bool>,
}

impl Receiver {
    /// Answers 200 to every request.
    pub async fn ok() -> Self {
        Self::answering(&[], 200).await
    }

    /// Answers the statuses of `first` in order, then `then` forever.
    pub async fn answering(first: &[u16], then: u16) -> Self {
        Self::start(first, then, true).await
    }

    /// Answers 200, but only once [`release`](Self::release) is called:
    /// until then every request is reported and left waiting.
    pub async fn holding() -> Self {
        Self::start(&[], 200, false).await
    }

    async fn start(first: &[u16], then: u16, open: bool) -> Self {
        let (arrivals_tx, arrivals) = mpsc::unbounded_channel();
        let (gate, gate_rx) = watch::channel(open);
        let shared = Shared {
            script: Arc::new(Mutex::new(first.iter().copied().collect())),
            then,
            arrivals: arrivals_tx,
            gate: gate_rx,
        };
        let app = Router::new().fallback(handle).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/logs", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self {
            url,
            arrivals,
            gate,
        }
    }

    /// Lets every held request, and every later one, be answered.
    pub fn release(&self) {
        self.gate.send_replace(true);
    }

    /// The next request to arrive, waiting for it (at most `HANG_GUARD`).
    pub async fn next(&mut self) -> Received {
        tokio::time::timeout(HANG_GUARD, self.arrivals.recv())
            .await
            .expect("no request arrived in time")
            .expect("the receiver stopped")
    }

    /// Every request that arrived and was not taken yet, without waiting.
    pub fn rest(&mut self) -> Vec<Received> {
        let mut rest = Vec::new();
        while let Ok(received) = self.arrivals.try_recv() {
            rest.push(received);
        }
        rest
    }
}

async fn handle(State(s): State<Shared>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let status = s.script.lock().unwrap().pop_front().unwrap_or(s.then);
    // The test may have finished with the receiver; that is not an error.
    let _ = s.arrivals.send(Received { headers, body });
    let mut gate = s.gate.clone();
    if gate.wait_for(|open| *open).await.is_err() {
        return StatusCode::SERVICE_UNAVAILABLE;
    }
    StatusCode::from_u16(status).unwrap()
}
