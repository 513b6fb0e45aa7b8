//! Where signing keys are kept.

use async_trait::async_trait;

use super::StoreError;
use crate::token::SigningKey;

/// Storage for signing keys: per algorithm, one current and at most one
/// previous key.
///
/// The private key bytes a store holds ([`SigningKey::private_der`] as read
/// and written here) are opaque to it: the domain seals them with the
/// [`KeySealer`](super::KeySealer) port before writing, so they are never a
/// usable key at rest.
#[async_trait]
pub trait KeyStore: Send + Sync {
    /// Every current and previous key, of every algorithm.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn active(&self) -> Result<Vec<SigningKey>, StoreError>;

    /// Makes `new` the current key for `new.alg`, if the current key of that
    /// algorithm is still `expected_current` (`None`: there is none yet).
    /// Returns whether it did.
    ///
    /// # Errors
    /// - MUST be atomic compare-and-set: of concurrent rotations expecting the
    ///   same current key, exactly one returns `true`.
    /// - On success the old current key becomes previous, and the old previous
    ///   key of that algorithm is dropped; other algorithms are untouched.
    /// - On `false` nothing changes.
    /// - MUST keep the private key bytes unchanged (they are secret: an
    ///   adapter MUST NOT log them).
    async fn rotate(
        &self,
        new: &SigningKey,
        expected_current: Option<&str>,
    ) -> Result<bool, StoreError>;

    /// Replaces the stored private bytes of key `kid` with `to`, if they are
    /// still `from`. Returns whether it did. Used once per key to seal a key
    /// that an older version stored in clear, keeping its `kid`.
    ///
    /// # Errors
    /// - MUST be atomic compare-and-set on the bytes: of concurrent calls with
    ///   the same `from`, exactly one returns `true`.
    /// - MUST change nothing else about the key (`kid`, status, JWK, age).
    /// - `false` for an unknown `kid` or other bytes; nothing changes.
    async fn reseal(&self, kid: &str, from: &[u8], to: &[u8]) -> Result<bool, StoreError>;
}
