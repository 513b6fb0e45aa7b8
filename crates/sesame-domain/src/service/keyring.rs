//! Signing keys: a short-lived in-process cache over the key store, key
//! creation on first start, rotation, and the JWKS.
//!
//! Every instance reads the key store at most once per `key_cache_ttl`, and a
//! rotated-out key stays in the JWKS as "previous", so tokens signed by an
//! instance whose cache is a little stale still verify everywhere.

use std::sync::{Arc, PoisonError, RwLock};

use super::Passwordless;
use crate::client::SigningAlg;
use crate::ports::{SigningError, StoreError};
use crate::time::Timestamp;
use crate::token::{KeyStatus, SigningKey, jwks_document};

/// The cached key set.
#[derive(Default)]
pub(super) struct KeyRing {
    cached: RwLock<Option<(Timestamp, Arc<Vec<SigningKey>>)>>,
}

/// Making or storing a key failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Key generation failed.
    #[error(transparent)]
    Token(#[from] SigningError),
}

impl Passwordless {
    /// Every current and previous key, from the cache when it is fresh.
    pub(super) async fn active_keys(&self) -> Result<Arc<Vec<SigningKey>>, StoreError> {
        let now = self.ports.clock.now();
        {
            let guard = self
                .keyring
                .cached
                .read()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some((loaded_at, keys)) = guard.as_ref()
                && now.since(*loaded_at) < self.config.key_cache_ttl
                && now >= *loaded_at
            {
                return Ok(Arc::clone(keys));
            }
        }
        self.reload_keys(now).await
    }

    async fn reload_keys(&self, now: Timestamp) -> Result<Arc<Vec<SigningKey>>, StoreError> {
        let keys = Arc::new(self.ports.keys.active().await?);
        *self
            .keyring
            .cached
            .write()
            .unwrap_or_else(PoisonError::into_inner) = Some((now, Arc::clone(&keys)));
        Ok(keys)
    }

    /// The key that signs new tokens of `alg`, made on first use.
    pub(super) async fn current_key(&self, alg: SigningAlg) -> Result<SigningKey, KeyError> {
        if let Some(k) = find_current(&self.active_keys().await?, alg) {
            return Ok(k);
        }
        self.ensure_signing_keys(&[alg]).await?;
        find_current(&self.active_keys().await?, alg).ok_or_else(|| {
            KeyError::Store(StoreError::Corrupt(format!(
                "no current {} key after creating one",
                alg.as_str()
            )))
        })
    }

    /// Makes a current key for every algorithm in `algs` that has none.
    /// Safe to call from many instances at once: the store's
    /// compare-and-set keeps exactly one.
    ///
    /// # Errors
    /// [`KeyError`] when the store or key generation fails.
    pub async fn ensure_signing_keys(&self, algs: &[SigningAlg]) -> Result<(), KeyError> {
        let now = self.ports.clock.now();
        let keys = self.reload_keys(now).await?;
        for &alg in algs {
            if find_current(&keys, alg).is_none() {
                let new = self.ports.minter.generate_key(alg, now)?;
                // Losing the race to another instance is fine: it made one.
                self.ports.keys.rotate(&new, None).await?;
            }
        }
        self.reload_keys(now).await?;
        Ok(())
    }

    /// Rotates the `alg` key: a new key signs from now on, the old one stays
    /// published as previous, and the one before it is dropped. Returns the
    /// new key's `kid`.
    ///
    /// # Errors
    /// [`KeyError`] when the store or key generation fails, or another
    /// instance rotated at the same moment (try again).
    pub async fn rotate_signing_key(&self, alg: SigningAlg) -> Result<String, KeyError> {
        let now = self.ports.clock.now();
        let keys = self.reload_keys(now).await?;
        let expected = find_current(&keys, alg).map(|k| k.kid);
        let new = self.ports.minter.generate_key(alg, now)?;
        if !self.ports.keys.rotate(&new, expected.as_deref()).await? {
            return Err(KeyError::Store(StoreError::Unknown(anyhow::anyhow!(
                "another rotation of the {} key happened at the same time",
                alg.as_str()
            ))));
        }
        self.reload_keys(now).await?;
        Ok(new.kid)
    }

    /// The JWKS document: every current and previous public key.
    ///
    /// # Errors
    /// [`StoreError`] when the key store cannot be read.
    pub async fn jwks(&self) -> Result<serde_json::Value, StoreError> {
        Ok(jwks_document(&self.active_keys().await?))
    }
}

fn find_current(keys: &[SigningKey], alg: SigningAlg) -> Option<SigningKey> {
    keys.iter()
        .find(|k| k.alg == alg && k.status == KeyStatus::Current)
        .cloned()
}
