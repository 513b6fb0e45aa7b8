//! What an operator does with keys: make the first ones, rotate, list.

use std::time::Duration;

use super::{KeyError, find_current};
use crate::client::SigningAlg;
use crate::service::Passwordless;
use crate::time::Timestamp;
use crate::token::{KeyStatus, SigningKey};

/// Where a key is in its life, as listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyState {
    /// Signs new tokens.
    Current,
    /// Rotated out, still published so the tokens it signed verify.
    Previous,
    /// Rotated out longer ago than any token it signed can live: no longer
    /// published nor trusted, dropped at the next rotation.
    Retired,
}

impl KeyState {
    /// `current`, `previous` or `retired`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Current => "current",
            Self::Previous => "previous",
            Self::Retired => "retired",
        }
    }
}

/// A key as `sesame keys list` shows it: never its material.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// Its id (the JWK thumbprint, public).
    pub kid: String,
    /// Its algorithm.
    pub alg: SigningAlg,
    /// Current, previous or retired.
    pub state: KeyState,
    /// When it was made.
    pub created_at: Timestamp,
    /// How long ago that was.
    pub age: Duration,
}

/// When the previous key of `key`'s algorithm retires: `lifetime` after the
/// current key of that algorithm replaced it.
pub(super) fn retires_at(
    key: &SigningKey,
    all: &[SigningKey],
    lifetime: Duration,
) -> Option<Timestamp> {
    (key.status == KeyStatus::Previous)
        .then(|| find_current(all, key.alg))
        .flatten()
        .map(|current| current.created_at.plus(lifetime))
}

/// Whether `key` is a previous key past its lifetime.
pub(super) fn is_retired(
    key: &SigningKey,
    all: &[SigningKey],
    lifetime: Duration,
    now: Timestamp,
) -> bool {
    retires_at(key, all, lifetime).is_some_and(|at| now >= at)
}

impl Passwordless {
    /// Makes a current key for every algorithm in `algs` that has none.
    /// Safe to call from many instances at once: the store's
    /// compare-and-set keeps exactly one. Also opens (and, for a key stored
    /// in clear by an older version, seals) every stored key, so a wrong
    /// `secret` stops the start here rather than making a new key.
    ///
    /// # Errors
    /// [`KeyError`] when the store, key generation or sealing fails, or a
    /// stored key does not open ([`KeyError::CannotUnwrap`]).
    pub async fn ensure_signing_keys(&self, algs: &[SigningAlg]) -> Result<(), KeyError> {
        let now = self.ports.clock.now();
        let keys = self.reload_keys(now).await?;
        for &alg in algs {
            if find_current(&keys, alg).is_none() {
                let new = self.ports.minter.generate_key(alg, now)?;
                // Losing the race to another instance is fine: it made one.
                self.ports.keys.rotate(&self.sealed(&new)?, None).await?;
            }
        }
        self.reload_keys(now).await?;
        Ok(())
    }

    /// Rotates the `alg` key: a new key signs from now on and the old one
    /// stays published as previous until
    /// [`previous_key_lifetime`](crate::PasswordlessConfig::previous_key_lifetime)
    /// has passed. Returns the new key's `kid`.
    ///
    /// # Errors
    /// - [`KeyError::PreviousStillPublished`] while the key an earlier
    ///   rotation replaced may still verify live tokens: rotating would drop
    ///   it.
    /// - [`KeyError::RotationRaced`] when another instance rotated at the
    ///   same moment (try again).
    /// - [`KeyError`] when the store, key generation or sealing fails.
    pub async fn rotate_signing_key(&self, alg: SigningAlg) -> Result<String, KeyError> {
        let now = self.ports.clock.now();
        let stored = self.ports.keys.active().await?;
        let lifetime = self.config.previous_key_lifetime();
        for key in stored.iter().filter(|k| k.alg == alg) {
            if let Some(until) = retires_at(key, &stored, lifetime)
                && now < until
            {
                return Err(KeyError::PreviousStillPublished {
                    alg: alg.as_str(),
                    kid: key.kid.clone(),
                    until: until.to_rfc3339(),
                });
            }
        }
        // Opens every key first: a wrong secret must not rotate.
        self.reload_keys(now).await?;
        let expected = find_current(&stored, alg).map(|k| k.kid);
        let new = self.ports.minter.generate_key(alg, now)?;
        if !self
            .ports
            .keys
            .rotate(&self.sealed(&new)?, expected.as_deref())
            .await?
        {
            return Err(KeyError::RotationRaced(alg.as_str()));
        }
        self.reload_keys(now).await?;
        Ok(new.kid)
    }

    /// Every stored key: id, algorithm, state and age, never key material.
    /// Current keys first, then by algorithm.
    ///
    /// # Errors
    /// [`KeyError::Store`] when the store cannot be read.
    pub async fn list_signing_keys(&self) -> Result<Vec<KeyInfo>, KeyError> {
        let now = self.ports.clock.now();
        let stored = self.ports.keys.active().await?;
        let lifetime = self.config.previous_key_lifetime();
        let mut listed: Vec<KeyInfo> = stored
            .iter()
            .map(|k| KeyInfo {
                kid: k.kid.clone(),
                alg: k.alg,
                state: match k.status {
                    KeyStatus::Current => KeyState::Current,
                    _ if is_retired(k, &stored, lifetime, now) => KeyState::Retired,
                    KeyStatus::Previous => KeyState::Previous,
                },
                created_at: k.created_at,
                age: now.since(k.created_at),
            })
            .collect();
        listed.sort_by_key(|k| (k.state != KeyState::Current, k.alg.as_str(), k.kid.clone()));
        Ok(listed)
    }
}
