//! Log events in memory, in `log_id` order.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::sync::Mutex;

use async_trait::async_trait;
use sesame_domain::Timestamp;
use sesame_domain::event::{EventPage, EventQuery, LogEvent};
use sesame_domain::ports::{EventStore, StoreError};

use crate::sync::lock;

/// An [`EventStore`] in memory: every event under its `log_id`, searched
/// with [`EventQuery::page_of`], the domain's own definition of a listing.
/// Events stay until [`EventStore::purge_before`] removes them.
#[derive(Default)]
pub struct MemoryEventStore {
    events: Mutex<BTreeMap<String, LogEvent>>,
}

impl MemoryEventStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl std::fmt::Debug for MemoryEventStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryEventStore")
    }
}

#[async_trait]
impl EventStore for MemoryEventStore {
    async fn append(&self, events: &[LogEvent]) -> Result<(), StoreError> {
        let mut kept = lock(&self.events);
        for event in events {
            // A retried batch: the event kept first stays as it is.
            if let Entry::Vacant(slot) = kept.entry(event.log_id.clone()) {
                slot.insert(event.clone());
            }
        }
        Ok(())
    }

    async fn search(&self, query: &EventQuery) -> Result<EventPage, StoreError> {
        Ok(query.page_of(lock(&self.events).values()))
    }

    async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
        let mut kept = lock(&self.events);
        let before = kept.len();
        kept.retain(|_, e| e.date >= cutoff);
        Ok((before - kept.len()) as u64)
    }
}
