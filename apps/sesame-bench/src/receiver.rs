//! The webhook receiver: the server under test delivers each code here as a
//! signed `passwordless.message` event. The receiver checks the
//! `sesame-signature` with `sesame_delivery_webhook::verify_signature`,
//! then hands the code to the virtual user waiting for that recipient.
//!
//! A virtual user calls [`Mailbox::expect`] *before* it asks for a code, so
//! the hand-off never depends on which arrives first.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde::Serialize;
use sesame_delivery_webhook::{
    DEFAULT_TOLERANCE_SECS, SIGNATURE_HEADER, WebhookEvent, verify_signature,
};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// The path events are POSTed to.
pub const WEBHOOK_PATH: &str = "/sesame";

/// Virtual users waiting for codes, by recipient, and what arrived.
#[derive(Debug, Default)]
pub struct Mailbox {
    waiting: Mutex<HashMap<String, oneshot::Sender<String>>>,
    accepted: AtomicU64,
    refused: AtomicU64,
    unclaimed: AtomicU64,
}

/// What the receiver has seen so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MailboxCounts {
    /// Events with a good signature.
    pub accepted: u64,
    /// Requests refused: no, bad or stale signature, or not an event.
    pub refused: u64,
    /// Good events for a recipient nobody was waiting for.
    pub unclaimed: u64,
}

/// A code on its way to one recipient; dropping it (say, on a timeout)
/// stops waiting.
#[derive(Debug)]
pub struct Pending<'a> {
    mailbox: &'a Mailbox,
    key: String,
    rx: oneshot::Receiver<String>,
    done: bool,
}

impl Pending<'_> {
    /// The code, once it arrives; `None` if the receiver went away.
    pub async fn code(&mut self) -> Option<String> {
        let code = (&mut self.rx).await.ok();
        self.done = true;
        code
    }
}

impl Drop for Pending<'_> {
    fn drop(&mut self) {
        // A wait that never got its code is still registered.
        if !self.done {
            self.mailbox.lock().remove(&self.key);
        }
    }
}

impl Mailbox {
    /// Starts waiting for a code to `recipient` (compared case-insensitively).
    pub fn expect(&self, recipient: &str) -> Pending<'_> {
        let key = recipient.to_ascii_lowercase();
        let (tx, rx) = oneshot::channel();
        self.lock().insert(key.clone(), tx);
        Pending {
            mailbox: self,
            key,
            rx,
            done: false,
        }
    }

    /// Hands `code` to whoever waits for `recipient`; false if nobody does.
    pub fn deliver(&self, recipient: &str, code: String) -> bool {
        let waiter = self.lock().remove(&recipient.to_ascii_lowercase());
        let delivered = waiter.is_some_and(|tx| tx.send(code).is_ok());
        if !delivered {
            self.unclaimed.fetch_add(1, Ordering::Relaxed);
        }
        delivered
    }

    /// The counts so far.
    #[must_use]
    pub fn counts(&self) -> MailboxCounts {
        MailboxCounts {
            accepted: self.accepted.load(Ordering::Relaxed),
            refused: self.refused.load(Ordering::Relaxed),
            unclaimed: self.unclaimed.load(Ordering::Relaxed),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, oneshot::Sender<String>>> {
        // The map stays consistent even if a holder panicked: every
        // operation on it is a single insert or remove.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Shared state of the receiver's handler.
#[derive(Clone)]
struct Receiving {
    secret: Arc<[u8]>,
    mailbox: Arc<Mailbox>,
}

/// The receiver's routes: `POST /sesame`.
pub fn router(secret: &[u8], mailbox: Arc<Mailbox>) -> axum::Router {
    axum::Router::new()
        .route(WEBHOOK_PATH, post(receive))
        .with_state(Receiving {
            secret: Arc::from(secret),
            mailbox,
        })
}

async fn receive(State(r): State<Receiving>, headers: HeaderMap, body: Bytes) -> StatusCode {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    let verified = headers
        .get(SIGNATURE_HEADER)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|header| {
            verify_signature(&r.secret, header, &body, now, DEFAULT_TOLERANCE_SECS).is_ok()
        });
    if !verified {
        r.mailbox.refused.fetch_add(1, Ordering::Relaxed);
        return StatusCode::UNAUTHORIZED;
    }
    let Ok(event) = serde_json::from_slice::<WebhookEvent>(&body) else {
        r.mailbox.refused.fetch_add(1, Ordering::Relaxed);
        return StatusCode::BAD_REQUEST;
    };
    r.mailbox.accepted.fetch_add(1, Ordering::Relaxed);
    r.mailbox.deliver(&event.recipient, event.code);
    // Unclaimed events are still acknowledged: refusing them would make the
    // server report a delivery failure for what is the bench's own problem.
    StatusCode::OK
}

/// A running receiver.
#[derive(Debug)]
pub struct Receiver {
    /// Where it listens.
    pub addr: SocketAddr,
    /// Who is waiting for which code.
    pub mailbox: Arc<Mailbox>,
    task: JoinHandle<()>,
}

impl Receiver {
    /// Listens on `listen` (port 0 picks a free one) and serves events
    /// signed with `secret` until dropped.
    ///
    /// # Errors
    /// The address cannot be bound.
    pub async fn spawn(listen: SocketAddr, secret: &[u8]) -> std::io::Result<Self> {
        let listener = TcpListener::bind(listen).await?;
        let addr = listener.local_addr()?;
        let mailbox = Arc::new(Mailbox::default());
        let app = router(secret, Arc::clone(&mailbox));
        let task = tokio::spawn(async move {
            // The receiver lives as long as the run; an accept error ends it
            // and shows up as codes that never arrive.
            let _ = axum::serve(listener, app).await;
        });
        Ok(Self {
            addr,
            mailbox,
            task,
        })
    }

    /// The URL to configure as `[email.webhook] url`.
    #[must_use]
    pub fn url(&self) -> String {
        format!("http://{}{WEBHOOK_PATH}", self.addr)
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
#[path = "receiver_tests.rs"]
mod tests;
