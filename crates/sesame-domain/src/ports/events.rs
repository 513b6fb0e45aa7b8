//! Where log events go: a sink the service hands each event to without
//! waiting, and a store that keeps them for `/api/v2/logs`.

use async_trait::async_trait;

use super::StoreError;
use crate::event::{EventPage, EventQuery, LogEvent};
use crate::time::Timestamp;

/// Takes each event as it happens. Called on the request path, so it MUST
/// NOT block, wait on I/O or fail the request: an implementation queues
/// the event (bounded) and writes it elsewhere, dropping and counting
/// events when its queue is full.
pub trait EventSink: Send + Sync {
    /// Takes `event`; returns at once.
    fn emit(&self, event: LogEvent);
}

/// Keeps events for listing, until their retention ends.
#[async_trait]
pub trait EventStore: Send + Sync {
    /// Keeps every event of `events`, in one write where the backend can.
    ///
    /// # Errors
    /// - MUST keep all or, on [`StoreError::Unavailable`], possibly none; an
    ///   event whose `log_id` is already kept is skipped, not an error (a
    ///   retried batch).
    /// - MUST return each event unchanged from [`search`](Self::search).
    async fn append(&self, events: &[LogEvent]) -> Result<(), StoreError>;

    /// The events `query` asks for, ordered by `log_id` (newest first when
    /// it says so), with the count of every match when asked.
    ///
    /// # Errors
    /// - MUST apply every field of the filter, and the offset and limit
    ///   after ordering.
    /// - SHOULD use an index for a user's events and for a time range.
    async fn search(&self, query: &EventQuery) -> Result<EventPage, StoreError>;

    /// Removes every event dated before `cutoff`; says how many went.
    ///
    /// # Errors
    /// MUST NOT remove an event dated at or after `cutoff`.
    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, StoreError>;
}
