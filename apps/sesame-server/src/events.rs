//! Where log events go once the service emits them: a `tracing` line, the
//! log stream (when `[log_stream]` is set) and, in batches, the
//! [`EventStore`] behind `/api/v2/logs`. [`EventRetention`] purges the
//! events older than `[log_events] retention_days` from the purge loop.
//!
//! Nothing here runs on the request path: [`QueueSink::emit`] only queues
//! (bounded). A full queue drops the event and counts it
//! (`sesame_events_dropped_total`); a request never waits for a log.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use sesame_domain::ports::{EventSink, EventStore, Housekeeping, PurgeReport, StoreError};
use sesame_domain::retention::cutoff;
use sesame_domain::service::TracingEventSink;
use sesame_domain::{LogEvent, Timestamp};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How many events one store write takes at most.
const BATCH: usize = 500;
/// How many events wait for the store at most before new ones are dropped.
const BUFFER: usize = 20_000;
/// How long the writer waits, after an event, for more to join its batch:
/// one write for the events of 50 ms instead of one per event, which on
/// SQLite's single writer cost first logins about 14 % (measured, see
/// docs/benchmarks.md). An event is listed at most this much later.
const LINGER: Duration = Duration::from_millis(50);
/// How many times a batch is offered to an unavailable store.
const ATTEMPTS: u32 = 3;

/// The sink the service is given: logs, streams and queues each event.
pub struct QueueSink {
    queue: mpsc::Sender<LogEvent>,
    stream: Option<Arc<dyn EventSink>>,
}

impl EventSink for QueueSink {
    fn emit(&self, event: LogEvent) {
        TracingEventSink::log(&event);
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

/// Starts the writer on the current runtime, writing to `store`, and
/// answers the sink to give the service.
///
/// # Errors
/// Outside a Tokio runtime.
pub fn spawn(
    store: Arc<dyn EventStore>,
    stream: Option<Arc<dyn EventSink>>,
) -> anyhow::Result<(Arc<QueueSink>, EventWriter)> {
    let runtime = tokio::runtime::Handle::try_current()
        .map_err(|e| anyhow::anyhow!("the event writer needs a Tokio runtime: {e}"))?;
    let (queue, mut rx) = mpsc::channel(BUFFER);
    let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
    let task = runtime.spawn(async move {
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            tokio::select! {
                n = rx.recv_many(&mut batch, BATCH) => {
                    if n == 0 {
                        break;
                    }
                    linger(&mut rx, &mut batch).await;
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
            }
        }
    });
    Ok((
        Arc::new(QueueSink { queue, stream }),
        EventWriter { task, stop },
    ))
}

/// Lets more events join `batch` for [`LINGER`], until it is full or the
/// queue is closed.
async fn linger(rx: &mut mpsc::Receiver<LogEvent>, batch: &mut Vec<LogEvent>) {
    let until = tokio::time::Instant::now() + LINGER;
    while batch.len() < BATCH {
        let room = BATCH - batch.len();
        match tokio::time::timeout_at(until, rx.recv_many(batch, room)).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
    }
}

/// Purges log events past the operator's retention, as one more store of
/// the purge loop (`[store] purge_interval_secs`).
pub struct EventRetention {
    store: Arc<dyn EventStore>,
    retention: Duration,
}

impl EventRetention {
    /// Keeps `store`'s events `retention` long.
    pub fn new(store: Arc<dyn EventStore>, retention: Duration) -> Self {
        Self { store, retention }
    }
}

#[async_trait]
impl Housekeeping for EventRetention {
    fn name(&self) -> &'static str {
        "log events"
    }

    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        Ok(PurgeReport {
            log_events: self.store.purge_before(cutoff(now, self.retention)).await?,
            ..PurgeReport::default()
        })
    }
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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use sesame_domain::{EventQuery, EventType};
    use sesame_store_memory::MemoryEventStore;

    use super::*;

    fn event(id: &str, millis: i64) -> LogEvent {
        LogEvent {
            log_id: id.to_owned(),
            date: Timestamp::from_unix_millis(millis),
            kind: EventType::Success,
            description: String::new(),
            client_id: None,
            ip: None,
            user_agent: None,
            user_id: None,
            connection: None,
            details: BTreeMap::new(),
        }
    }

    #[tokio::test]
    async fn the_purge_loop_removes_only_events_past_the_operators_retention() {
        let store = Arc::new(MemoryEventStore::default());
        let day = 24 * 60 * 60 * 1000;
        store
            .append(&[event("a", 0), event("b", 2 * day), event("c", 3 * day)])
            .await
            .unwrap();
        let retention = EventRetention::new(store.clone(), Duration::from_secs(2 * 24 * 60 * 60));
        let report = retention
            .purge_once(Timestamp::from_unix_millis(4 * day))
            .await
            .unwrap();
        assert_eq!(report.log_events, 1, "only the event older than two days");
        let left = store
            .search(&EventQuery {
                filter: sesame_domain::EventFilter::default(),
                newest_first: false,
                offset: 0,
                limit: 10,
                with_total: false,
            })
            .await
            .unwrap();
        let ids: Vec<_> = left.events.iter().map(|e| e.log_id.as_str()).collect();
        assert_eq!(ids, ["b", "c"]);
    }
}
