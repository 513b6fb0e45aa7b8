//! Signing keys: an in-process snapshot of the key store, read lock-free on
//! the hot path and re-read periodically; sealing at rest; key creation on
//! first start, rotation, retirement and the JWKS.
//!
//! Every instance re-reads the key store at least once per `key_cache_ttl`
//! (the server also refreshes it from a background loop, so requests never
//! wait on the store for keys). A rotated-out key stays published as
//! "previous" for [`PasswordlessConfig::previous_key_lifetime`], so tokens
//! it signed, including those signed by an instance that had not yet seen
//! the rotation, verify everywhere until they expire; then it is retired.
//!
//! [`PasswordlessConfig::previous_key_lifetime`]: super::PasswordlessConfig::previous_key_lifetime

mod admin;
mod sealing;

use std::sync::Arc;

use arc_swap::ArcSwapOption;

pub use admin::{KeyInfo, KeyState};

use super::Passwordless;
use crate::client::SigningAlg;
use crate::ports::{SealError, SigningError, StoreError};
use crate::time::Timestamp;
use crate::token::{KeyStatus, SigningKey, jwks_document};

/// The keys in use, as last read from the store.
struct Snapshot {
    loaded_at: Timestamp,
    /// When it must be read again: `key_cache_ttl` after loading, or when
    /// the first previous key in it retires, whichever is sooner.
    stale_at: Timestamp,
    /// Current keys and previous keys not yet retired, opened.
    keys: Arc<Vec<SigningKey>>,
}

/// The snapshot, swapped whole: readers never take a lock.
#[derive(Default)]
pub(super) struct KeyRing {
    snapshot: ArcSwapOption<Snapshot>,
}

/// Making, storing or opening a key failed.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// The key store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Key generation failed.
    #[error(transparent)]
    Token(#[from] SigningError),
    /// A stored key is sealed under another secret (or was altered).
    #[error("cannot unwrap signing key {kid}: is `secret` the one this store was created with?")]
    CannotUnwrap {
        /// The key's id (public).
        kid: String,
    },
    /// The sealing cipher failed.
    #[error("sealing signing key {kid}: {source}")]
    Seal {
        /// The key's id (public).
        kid: String,
        /// What failed.
        source: SealError,
    },
    /// Rotating now would drop a previous key that may still verify live
    /// tokens.
    #[error(
        "the previous {alg} key {kid} stays published until {until} (the longest token lifetime after the last rotation); rotate again after that"
    )]
    PreviousStillPublished {
        /// Its algorithm.
        alg: &'static str,
        /// Its id.
        kid: String,
        /// When it retires, RFC 3339.
        until: String,
    },
    /// Another instance rotated the same algorithm at the same moment.
    #[error("another rotation of the {0} key happened at the same time; try again")]
    RotationRaced(&'static str),
}

impl From<KeyError> for StoreError {
    /// For the request path, which reports store failures: a key that does
    /// not open is corrupt data as far as a request can tell.
    fn from(e: KeyError) -> Self {
        match e {
            KeyError::Store(e) => e,
            other => Self::Corrupt(other.to_string()),
        }
    }
}

impl Passwordless {
    /// Every key that signs or verifies, from the snapshot while it is
    /// fresh (no lock, no store read), else read again.
    pub(super) async fn active_keys(&self) -> Result<Arc<Vec<SigningKey>>, StoreError> {
        let now = self.ports.clock.now();
        if let Some(snapshot) = self.keyring.snapshot.load().as_ref()
            && now < snapshot.stale_at
            && now >= snapshot.loaded_at
        {
            return Ok(Arc::clone(&snapshot.keys));
        }
        Ok(self.reload_keys(now).await?)
    }

    /// Reads the key store again now, so a rotation made by another
    /// instance is seen. The server calls it periodically; on failure the
    /// previous snapshot stays in use until it is `key_cache_ttl` old.
    ///
    /// # Errors
    /// [`KeyError`] when the store cannot be read or a key does not open.
    pub async fn refresh_signing_keys(&self) -> Result<(), KeyError> {
        self.reload_keys(self.ports.clock.now()).await.map(drop)
    }

    async fn reload_keys(&self, now: Timestamp) -> Result<Arc<Vec<SigningKey>>, KeyError> {
        let stored = self.ports.keys.active().await?;
        let lifetime = self.config.previous_key_lifetime();
        let mut keys = Vec::with_capacity(stored.len());
        let mut stale_at = now.plus(self.config.key_cache_ttl);
        for key in &stored {
            match admin::retires_at(key, &stored, lifetime) {
                Some(at) if now >= at => continue,
                Some(at) => stale_at = stale_at.min(at),
                None => {}
            }
            keys.push(self.open_key(key).await?);
        }
        let keys = Arc::new(keys);
        self.keyring.snapshot.store(Some(Arc::new(Snapshot {
            loaded_at: now,
            stale_at,
            keys: Arc::clone(&keys),
        })));
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
