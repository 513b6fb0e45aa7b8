//! Where log events go once the service emits them: a `tracing` line, the
//! log stream (when `[log_stream]` is set) and, in batches, the
//! [`EventStore`] behind `/api/v2/logs`, whose events older than
//! `[logs] retention_days` are purged every hour.
//!
//! Nothing here runs on the request path: [`QueueSink::emit`] only queues
//! (bounded). A full queue drops the event and counts it
//! (`sesame_events_dropped_total`); a request never waits for a log.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::LogEvent;
use sesame_domain::ports::{Clock, EventSink, EventStore};
use sesame_domain::retention::cutoff;
use sesame_domain::service::TracingEventSink;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How many events one store write takes at most.
const BATCH: usize = 500;
/// How many events wait for the store at most before new ones are dropped.
const BUFFER: usize = 20_000;
/// How often events past their retention are purged.
const PURGE_EVERY: Duration = Duration::from_secs(60 * 60);
/// How many times a batch is offered to an unavailable store.
const ATTEMPTS: u32 = 3;

/// The sink the service is given: logs, streams and queues each event.
pub struct QueueSink {
    queue: mpsc::Sender<LogEvent>,
    stream: Option<Arc<dyn EventSink>>,
}

impl EventSink for QueueSink {
    fn emit(&self, event: LogEvent) {
        TracingEventSink.emit(event.clone());
        if let Some(stream) = &self.stream {
            stream.emit(event.clone());
        }
        if self.queue.try_send(event).is_err() {
            metrics::counter!("sesame_events_dropped_total").increment(1);
        }
    }
}

/// The task writing queued events to the store; [`EventWriter::shutdown`]
/// writes what is queued, then stops.
#[derive(Debug)]
pub struct EventWriter {
    task: JoinHandle<()>,
    stop: tokio::sync::oneshot::Sender<()>,
}

impl EventWriter {
    /// Stops taking events, writes what is queued, and waits (at most five
    /// seconds) for it.
    pub async fn shutdown(self) {
        let _ = self.stop.send(());
        let _ = tokio::time::timeout(Duration::from_secs(5), self.task).await;
    }
}

/// Starts the writer on the current runtime, keeping events `retention`
/// long in `store`, and answers the sink to give the service.
///
/// # Errors
/// Outside a Tokio runtime.
pub fn spawn(
    store: Arc<dyn EventStore>,
    stream: Option<Arc<dyn EventSink>>,
    retention: Duration,
    clock: Arc<dyn Clock>,
) -> anyhow::Result<(Arc<QueueSink>, EventWriter)> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|e| anyhow::anyhow!("the event writer needs a Tokio runtime: {e}"))?;
    let (queue, mut rx) = mpsc::channel(BUFFER);
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let task = runtime.spawn(async move {
        let mut purge = tokio::time::interval(PURGE_EVERY);
        purge.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            tokio::select! {
                n = rx.recv_many(&mut batch, BATCH) => {
                    if n == 0 {
                        break;
                    }
                    write(store.as_ref(), &batch).await;
                    batch.clear();
                }
                _ = &mut stopped => {
                    // Whatever is queued is still written; then none waits.
                    rx.close();
                    while rx.recv_many(&mut batch, BATCH).await > 0 {
                        write(store.as_ref(), &batch).await;
                        batch.clear();
                    }
                    break;
                }
                _ = purge.tick() => {
                    let before = cutoff(clock.now(), retention);
                    match store.purge_before(before).await {
                        Ok(n) => tracing::debug!(events = n, "purged log events past their retention"),
                        Err(e) => tracing::warn!(error = %e, "purging log events failed"),
                    }
                }
            }
        }
    });
    Ok((
        Arc::new(QueueSink { queue, stream }),
        EventWriter { task, stop },
    ))
}

/// Appends `batch`, retrying an unavailable store a few times; then the
/// batch is dropped and counted, so a dead store cannot grow the queue.
async fn write(store: &dyn EventStore, batch: &[LogEvent]) {
    let mut wait = Duration::from_millis(100);
    for attempt in 1..=ATTEMPTS {
        match store.append(batch).await {
            Ok(()) => return,
            Err(e) if attempt == ATTEMPTS => {
                tracing::warn!(error = %e, events = batch.len(), "storing log events failed: dropped");
                metrics::counter!("sesame_events_dropped_total").increment(batch.len() as u64);
            }
            Err(_) => {
                tokio::time::sleep(wait).await;
                wait *= 4;
            }
        }
    }
}
