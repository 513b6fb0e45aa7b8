//! DPoP proof ids in memory.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use sesame_domain::Timestamp;
use sesame_domain::ports::{DpopReplayStore, Housekeeping, PurgeReport, StoreError};
use sesame_domain::retention::{DPOP_JTI_RETENTION, cutoff};

use crate::sync::lock;

/// Every this many claims, expired entries are dropped, so ids never seen
/// again do not pile up between purges.
const SWEEP_EVERY: u32 = 1024;

/// A [`DpopReplayStore`] in memory: one process only.
#[derive(Default)]
pub struct MemoryDpopReplayStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    held: HashMap<String, Timestamp>,
    claims_since_sweep: u32,
}

impl Inner {
    /// Drops the entries past their retention at `now`; how many went.
    fn sweep(&mut self, now: Timestamp) -> usize {
        let before = self.held.len();
        let by = cutoff(now, DPOP_JTI_RETENTION);
        self.held.retain(|_, expires_at| *expires_at > by);
        self.claims_since_sweep = 0;
        before - self.held.len()
    }
}

impl MemoryDpopReplayStore {
    /// No entries yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many entries are held, expired ones not yet swept included.
    #[must_use]
    pub fn len(&self) -> usize {
        lock(&self.inner).held.len()
    }

    /// Whether no entry is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for MemoryDpopReplayStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryDpopReplayStore")
            .field("held", &self.len())
            .finish()
    }
}

#[async_trait]
impl DpopReplayStore for MemoryDpopReplayStore {
    async fn claim(
        &self,
        key: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut inner = lock(&self.inner);
        inner.claims_since_sweep += 1;
        if inner.claims_since_sweep >= SWEEP_EVERY {
            inner.sweep(now);
        }
        if inner.held.get(key).is_some_and(|held| *held > now) {
            return Ok(false);
        }
        inner.held.insert(key.to_owned(), expires_at);
        Ok(true)
    }
}

#[async_trait]
impl Housekeeping for MemoryDpopReplayStore {
    fn name(&self) -> &'static str {
        "memory-dpop-jtis"
    }

    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        let removed = lock(&self.inner).sweep(now);
        Ok(PurgeReport {
            dpop_jtis: removed as u64,
            ..PurgeReport::default()
        })
    }
}
