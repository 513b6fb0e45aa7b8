//! [`LogStream::spawn`] starts a stream: a [`LogStreamSink`] the service
//! emits events into without waiting, and a [`LogStreamWorker`] that owns
//! the background task and shuts it down.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use reqwest::{Client, redirect};
use sesame_domain::LogEvent;
use sesame_domain::ports::EventSink;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio::time::Instant;

use crate::config::{LogStreamConfig, LogStreamError};
use crate::worker::Poster;

/// Told how many events were dropped each time some are: a full queue
/// (1), or a POST that failed for good or was cut short by shutdown (its
/// events). The server adds it to `sesame_log_stream_dropped_total`.
pub type OnDrop = Arc<dyn Fn(u64) + Send + Sync>;

/// How long [`LogStreamWorker::shutdown`] lets the worker deliver what is
/// queued.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// The most one POST may take, connecting included.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The longest a TCP/TLS connect may take.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// How long past its deadline a stopping worker is waited for before it
/// is aborted. It stops by itself at the deadline; this only guards.
const ABORT_MARGIN: Duration = Duration::from_secs(1);

/// Starts HTTP log streams; see [`LogStream::spawn`].
#[derive(Debug)]
pub struct LogStream {
    _namespace: (),
}

impl LogStream {
    /// Starts streaming to `config.url`: returns the sink to hand to the
    /// service (clone it freely) and the worker to shut down on exit.
    ///
    /// `on_drop` is called with the number of events dropped each time
    /// some are; it must be quick and must not block.
    ///
    /// # Errors
    /// [`LogStreamError::NoRuntime`] outside a tokio runtime, or the
    /// problem with `config`.
    pub fn spawn(
        config: LogStreamConfig,
        on_drop: OnDrop,
    ) -> Result<(LogStreamSink, LogStreamWorker), LogStreamError> {
        let runtime =
            tokio::runtime::Handle::try_current().map_err(|_| LogStreamError::NoRuntime)?;
        let (url, authorization) = config.validate()?;
        let client = Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(CONNECT_TIMEOUT)
            .redirect(redirect::Policy::none())
            .user_agent(concat!("sesame-log-stream/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(LogStreamError::Client)?;
        let (sender, queue) = mpsc::channel(config.buffer);
        let (stop, stop_signal) = watch::channel(None);
        let poster = Poster {
            client,
            url,
            authorization,
            format: config.format,
            batch_size: config.batch_size,
            max_attempts: config.max_attempts,
            first_backoff: config.first_backoff,
            on_drop: Arc::clone(&on_drop),
        };
        let task = runtime.spawn(poster.run(queue, stop_signal));
        Ok((
            LogStreamSink { sender, on_drop },
            LogStreamWorker { stop, task },
        ))
    }
}

/// The [`EventSink`] of a log stream: queues each event for the worker,
/// without waiting. When the queue is full, or the stream is shut down,
/// the event is dropped and counted through `on_drop`.
#[derive(Clone)]
pub struct LogStreamSink {
    sender: mpsc::Sender<LogEvent>,
    on_drop: OnDrop,
}

impl fmt::Debug for LogStreamSink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogStreamSink")
            .field(
                "queued",
                &self
                    .sender
                    .max_capacity()
                    .saturating_sub(self.sender.capacity()),
            )
            .field("closed", &self.sender.is_closed())
            .finish_non_exhaustive()
    }
}

impl EventSink for LogStreamSink {
    fn emit(&self, event: LogEvent) {
        if self.sender.try_send(event).is_err() {
            (self.on_drop)(1);
        }
    }
}

/// The background task of a log stream. Dropping it leaves the task
/// running until every [`LogStreamSink`] is dropped; call
/// [`shutdown`](Self::shutdown) to flush and stop it.
#[derive(Debug)]
pub struct LogStreamWorker {
    stop: watch::Sender<Option<Instant>>,
    task: JoinHandle<()>,
}

impl LogStreamWorker {
    /// Stops taking events and delivers what is queued, for at most
    /// [`SHUTDOWN_GRACE`]; what is still undelivered then is dropped and
    /// counted.
    pub async fn shutdown(self) {
        self.shutdown_within(SHUTDOWN_GRACE).await;
    }

    /// [`shutdown`](Self::shutdown), delivering for at most `grace`.
    pub async fn shutdown_within(self, grace: Duration) {
        let Self { stop, mut task } = self;
        let deadline = Instant::now() + grace;
        stop.send_replace(Some(deadline));
        match tokio::time::timeout_at(deadline + ABORT_MARGIN, &mut task).await {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                tracing::warn!(error = %error, "log stream worker ended abnormally");
            }
            Err(_) => {
                task.abort();
                tracing::warn!("log stream worker did not stop in time; aborted");
            }
        }
    }
}
