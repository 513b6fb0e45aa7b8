//! Challenges in memory.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use sesame_domain::ports::{ChallengeStore, Housekeeping, PurgeReport, StoreError};
use sesame_domain::retention::{EXPIRED_CHALLENGE_RETENTION, cutoff};
use sesame_domain::{Challenge, ChallengeId, ChallengeKey, Timestamp};

use crate::sync::lock;

/// A [`ChallengeStore`] in memory.
///
/// Expired challenges stay until [`Housekeeping::purge_once`] finds them
/// past [`EXPIRED_CHALLENGE_RETENTION`], which keeps the retention rule
/// trivially.
#[derive(Default)]
pub struct MemoryChallengeStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<ChallengeId, Challenge>,
    by_key: HashMap<ChallengeKey, ChallengeId>,
}

impl Inner {
    /// Removes challenge `id` and, if it is still its key's challenge, the key.
    fn remove(&mut self, id: &ChallengeId) -> Option<Challenge> {
        let gone = self.by_id.remove(id)?;
        let key = gone.key();
        if self.by_key.get(&key) == Some(id) {
            self.by_key.remove(&key);
        }
        Some(gone)
    }
}

impl MemoryChallengeStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many challenges are held, expired ones included.
    #[must_use]
    pub fn len(&self) -> usize {
        lock(&self.inner).by_id.len()
    }

    /// Whether no challenge is held.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for MemoryChallengeStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryChallengeStore")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl ChallengeStore for MemoryChallengeStore {
    async fn put(&self, challenge: &Challenge) -> Result<(), StoreError> {
        let mut inner = lock(&self.inner);
        // Reusing an id under another key must not leave the old key
        // pointing at it.
        inner.remove(&challenge.id);
        let key = challenge.key();
        if let Some(earlier) = inner.by_key.insert(key, challenge.id.clone()) {
            inner.by_id.remove(&earlier);
        }
        inner.by_id.insert(challenge.id.clone(), challenge.clone());
        Ok(())
    }

    async fn latest(&self, key: &ChallengeKey) -> Result<Option<Challenge>, StoreError> {
        let inner = lock(&self.inner);
        Ok(inner
            .by_key
            .get(key)
            .and_then(|id| inner.by_id.get(id))
            .cloned())
    }

    async fn record_failure(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
    ) -> Result<Option<u32>, StoreError> {
        let mut inner = lock(&self.inner);
        Ok(match inner.by_id.get_mut(id) {
            Some(ch) if !ch.consumed && ch.attempts_left > 0 => {
                ch.attempts_left -= 1;
                Some(ch.attempts_left)
            }
            _ => None,
        })
    }

    async fn consume(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut inner = lock(&self.inner);
        Ok(match inner.by_id.get_mut(id) {
            Some(ch) if ch.is_live_at(now) => {
                ch.consumed = true;
                true
            }
            _ => false,
        })
    }

    async fn consume_link(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let mut inner = lock(&self.inner);
        Ok(match inner.by_id.get_mut(id) {
            Some(ch) if ch.link_is_live_at(now) => {
                ch.consumed = true;
                true
            }
            _ => false,
        })
    }

    async fn delete(&self, _key: &ChallengeKey, id: &ChallengeId) -> Result<(), StoreError> {
        lock(&self.inner).remove(id);
        Ok(())
    }
}

#[async_trait]
impl Housekeeping for MemoryChallengeStore {
    fn name(&self) -> &'static str {
        "memory-challenges"
    }

    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        let before = cutoff(now, EXPIRED_CHALLENGE_RETENTION);
        let mut inner = lock(&self.inner);
        let doomed: Vec<ChallengeId> = inner
            .by_id
            .values()
            .filter(|ch| ch.expires_at < before)
            .map(|ch| ch.id.clone())
            .collect();
        for id in &doomed {
            inner.remove(id);
        }
        Ok(PurgeReport {
            challenges: doomed.len() as u64,
            ..PurgeReport::default()
        })
    }
}
