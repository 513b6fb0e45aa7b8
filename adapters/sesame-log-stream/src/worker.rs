//! The task behind a log stream: takes batches off the queue, POSTs them,
//! retries failures with exponential backoff, and drops (and counts) what
//! it cannot deliver. Never logs an event's contents.

use std::fmt;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, CONTENT_TYPE, HeaderValue};
use reqwest::{Client, Url};
use sesame_domain::LogEvent;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;

use crate::body::{Body, bodies};
use crate::config::StreamFormat;
use crate::stream::OnDrop;

/// The longest wait between two tries of one POST.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// Everything the task needs to deliver batches.
pub(crate) struct Poster {
    /// The pooled HTTP client.
    pub(crate) client: Client,
    /// Where to POST.
    pub(crate) url: Url,
    /// The `Authorization` header, marked sensitive.
    pub(crate) authorization: Option<HeaderValue>,
    /// The body layout.
    pub(crate) format: StreamFormat,
    /// The most events taken off the queue at a time.
    pub(crate) batch_size: usize,
    /// Tries per POST.
    pub(crate) max_attempts: u32,
    /// The wait before the first retry.
    pub(crate) first_backoff: Duration,
    /// Told how many events were dropped.
    pub(crate) on_drop: OnDrop,
}

/// What the queue and the stop signal gave.
enum Next {
    /// This many events were added to the batch; 0 when the queue is
    /// closed and empty.
    Received(usize),
    /// Shut down (`true`): deliver what is queued until the deadline; or
    /// (`false`) the worker handle was dropped without a shutdown.
    Stop(bool),
}

/// Why one POST failed.
enum PostError {
    /// The endpoint answered with a status outside 2xx.
    Status(u16),
    /// No answer: connection refused or reset, TLS, timeout. Holds no URL.
    Transport(reqwest::Error),
}

impl fmt::Display for PostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Status(status) => write!(f, "the endpoint answered {status}"),
            Self::Transport(e) => write!(f, "{e}"),
        }
    }
}

impl Poster {
    /// Runs until the queue is closed and empty: closed once `stop` holds
    /// a deadline (whatever is queued is still delivered, until then), or
    /// by every sink being dropped. Dropping `stop`'s sender without a
    /// deadline leaves the task running for the sinks.
    pub(crate) async fn run(
        self,
        mut queue: mpsc::Receiver<LogEvent>,
        mut stop: watch::Receiver<Option<Instant>>,
    ) {
        let mut watching = true;
        let mut batch = Vec::new();
        loop {
            let next = if watching {
                tokio::select! {
                    biased;
                    set = stop.wait_for(Option::is_some) => Next::Stop(set.is_ok()),
                    n = queue.recv_many(&mut batch, self.batch_size) => Next::Received(n),
                }
            } else {
                Next::Received(queue.recv_many(&mut batch, self.batch_size).await)
            };
            match next {
                Next::Stop(set) => {
                    watching = false;
                    if set {
                        queue.close();
                    }
                }
                Next::Received(0) => break,
                Next::Received(_) => {
                    for body in bodies(self.format, &batch) {
                        self.deliver(body, &stop).await;
                    }
                    batch.clear();
                }
            }
        }
    }

    /// POSTs `body`, retrying; counts its events as dropped if it never
    /// gets a 2xx answer before the tries or the deadline run out.
    async fn deliver(&self, body: Body, stop: &watch::Receiver<Option<Instant>>) {
        let mut backoff = self.first_backoff;
        let mut attempt = 1;
        loop {
            let error = match within(stop, self.post(&body.bytes)).await {
                Some(Ok(())) => return,
                Some(Err(error)) => error,
                None => break,
            };
            if attempt >= self.max_attempts {
                (self.on_drop)(body.events);
                tracing::warn!(
                    events = body.events,
                    attempts = attempt,
                    error = %error,
                    "log stream dropped a batch it could not deliver",
                );
                return;
            }
            tracing::debug!(attempt, error = %error, "log stream POST failed; retrying");
            if within(stop, tokio::time::sleep(backoff)).await.is_none() {
                break;
            }
            backoff = backoff.saturating_mul(2).min(MAX_BACKOFF);
            attempt += 1;
        }
        (self.on_drop)(body.events);
        tracing::warn!(
            events = body.events,
            "log stream dropped a batch: shut down before it was delivered",
        );
    }

    /// One POST of `bytes`.
    async fn post(&self, bytes: &[u8]) -> Result<(), PostError> {
        let mut request = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .body(bytes.to_vec());
        if let Some(authorization) = &self.authorization {
            request = request.header(AUTHORIZATION, authorization.clone());
        }
        let response = request
            .send()
            .await
            .map_err(|e| PostError::Transport(e.without_url()))?;
        let status = response.status();
        if status.is_success() {
            Ok(())
        } else {
            Err(PostError::Status(status.as_u16()))
        }
    }
}

/// `work`'s output, or `None` if the shutdown deadline in `stop` passes
/// first, even one set while `work` runs.
async fn within<F: Future>(stop: &watch::Receiver<Option<Instant>>, work: F) -> Option<F::Output> {
    tokio::select! {
        biased;
        () = deadline_passed(stop.clone()) => None,
        out = work => Some(out),
    }
}

/// Ready once `stop` holds a deadline and it has passed; never if its
/// sender is dropped without one.
async fn deadline_passed(mut stop: watch::Receiver<Option<Instant>>) {
    match stop.wait_for(Option::is_some).await.map(|at| *at) {
        Ok(Some(at)) => {
            if at > Instant::now() {
                tokio::time::sleep_until(at).await;
            }
        }
        _ => std::future::pending().await,
    }
}
