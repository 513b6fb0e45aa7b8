//! Signing keys in memory.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use secrecy::SecretBox;
use sesame_domain::ports::{KeyStore, StoreError};
use sesame_domain::{KeyStatus, SigningAlg, SigningKey};

use crate::sync::lock;

/// A [`KeyStore`] in memory: per algorithm, one current and at most one
/// previous key. The key material never reaches `Debug`.
#[derive(Default)]
pub struct MemoryKeyStore {
    slots: Mutex<HashMap<SigningAlg, Slot>>,
}

struct Slot {
    current: SigningKey,
    previous: Option<SigningKey>,
}

impl MemoryKeyStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }
}

impl fmt::Debug for MemoryKeyStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let slots = lock(&self.slots);
        let mut kids: Vec<(&str, &str)> = slots
            .iter()
            .map(|(alg, slot)| (alg.as_str(), slot.current.kid.as_str()))
            .collect();
        kids.sort_unstable();
        f.debug_struct("MemoryKeyStore")
            .field("current", &kids)
            .finish_non_exhaustive()
    }
}

fn with_status(key: &SigningKey, status: KeyStatus) -> SigningKey {
    SigningKey {
        status,
        ..key.clone()
    }
}

#[async_trait]
impl KeyStore for MemoryKeyStore {
    async fn active(&self) -> Result<Vec<SigningKey>, StoreError> {
        let slots = lock(&self.slots);
        let mut keys: Vec<SigningKey> = slots
            .values()
            .flat_map(|slot| std::iter::once(&slot.current).chain(slot.previous.as_ref()))
            .cloned()
            .collect();
        // A stable order makes the JWKS and test output reproducible.
        keys.sort_by(|a, b| {
            (a.alg.as_str(), a.status != KeyStatus::Current, &a.kid).cmp(&(
                b.alg.as_str(),
                b.status != KeyStatus::Current,
                &b.kid,
            ))
        });
        Ok(keys)
    }

    async fn rotate(
        &self,
        new: &SigningKey,
        expected_current: Option<&str>,
    ) -> Result<bool, StoreError> {
        let mut slots = lock(&self.slots);
        let current = slots.get(&new.alg).map(|s| s.current.kid.as_str());
        if current != expected_current {
            return Ok(false);
        }
        let previous = slots
            .remove(&new.alg)
            .map(|old| with_status(&old.current, KeyStatus::Previous));
        slots.insert(
            new.alg,
            Slot {
                current: with_status(new, KeyStatus::Current),
                previous,
            },
        );
        Ok(true)
    }

    async fn reseal(&self, kid: &str, from: &[u8], to: &[u8]) -> Result<bool, StoreError> {
        let mut slots = lock(&self.slots);
        let key = slots
            .values_mut()
            .flat_map(|slot| std::iter::once(&mut slot.current).chain(slot.previous.as_mut()))
            .find(|k| k.kid == kid && k.private_der() == from);
        Ok(key.is_some_and(|k| {
            k.private_der = Arc::new(SecretBox::new(Box::from(to)));
            true
        }))
    }
}
