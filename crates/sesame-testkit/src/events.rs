//! A log-event sink that keeps every event, and answers for them as the
//! event store: what a test reads to see which events a call made.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sesame_domain::ports::{EventSink, EventStore, StoreError};
use sesame_domain::{EventPage, EventQuery, EventType, LogEvent, Timestamp};

use crate::sync::lock;

/// Every event emitted, in order. Cheap to clone; clones share the list.
#[derive(Debug, Clone, Default)]
pub struct RecordedEvents(Arc<Mutex<Vec<LogEvent>>>);

impl RecordedEvents {
    /// Every event so far.
    #[must_use]
    pub fn all(&self) -> Vec<LogEvent> {
        lock(&self.0).clone()
    }

    /// The events of type `kind`, in order.
    #[must_use]
    pub fn of_type(&self, kind: EventType) -> Vec<LogEvent> {
        lock(&self.0)
            .iter()
            .filter(|e| e.kind == kind)
            .cloned()
            .collect()
    }

    /// The types of every event so far, in order.
    #[must_use]
    pub fn types(&self) -> Vec<EventType> {
        lock(&self.0).iter().map(|e| e.kind).collect()
    }

    /// Forgets every event so far.
    pub fn clear(&self) {
        lock(&self.0).clear();
    }
}

impl EventSink for RecordedEvents {
    fn emit(&self, event: LogEvent) {
        lock(&self.0).push(event);
    }
}

#[async_trait]
impl EventStore for RecordedEvents {
    async fn append(&self, events: &[LogEvent]) -> Result<(), StoreError> {
        let mut all = lock(&self.0);
        for e in events {
            if !all.iter().any(|k| k.log_id == e.log_id) {
                all.push(e.clone());
            }
        }
        Ok(())
    }

    async fn search(&self, query: &EventQuery) -> Result<EventPage, StoreError> {
        Ok(query.page_of(lock(&self.0).iter()))
    }

    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        let mut all = lock(&self.0);
        let before = all.len();
        all.retain(|e| e.date >= cutoff);
        Ok((before - all.len()) as u64)
    }
}
