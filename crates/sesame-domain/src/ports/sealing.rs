//! Sealing signing keys at rest.
//!
//! The [`KeyStore`](super::KeyStore) only ever holds private keys as sealed
//! by this port: a backup, a replica or a readable database file then holds
//! nothing that signs a token. The domain seals a key before it reaches the
//! store and opens it after reading it back; the cipher lives in an adapter.

use secrecy::SecretBox;

use crate::client::SigningAlg;

/// Opening a stored private key failed.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    /// The sealed bytes do not open under this key with this `kid` and
    /// algorithm: another server secret sealed them, or they were altered.
    #[error("the sealed key does not open with this secret")]
    WrongKey,
    /// Anything else (the cipher failed).
    #[error(transparent)]
    Unknown(anyhow::Error),
}

/// What a stored private key turned out to be.
pub enum Opened {
    /// Sealed bytes, opened: the PKCS#8 DER.
    Sealed(SecretBox<[u8]>),
    /// Not sealed at all: a row written by a version that stored keys in
    /// clear. The stored bytes are the PKCS#8 DER; the caller seals them in
    /// place.
    Clear,
}

/// Seals and opens private keys, binding each to its `kid` and algorithm.
pub trait KeySealer: Send + Sync {
    /// The stored form of `private_der`, the PKCS#8 DER of key `kid`.
    ///
    /// # Errors
    /// [`SealError::Unknown`] when the cipher fails. MUST NOT return or log
    /// the clear bytes in an error.
    fn seal(&self, kid: &str, alg: SigningAlg, private_der: &[u8]) -> Result<Vec<u8>, SealError>;

    /// Opens what [`Self::seal`] stored for `kid` and `alg`, or recognises a
    /// clear PKCS#8 key written before keys were sealed.
    ///
    /// # Errors
    /// [`SealError::WrongKey`] when the bytes are sealed but do not open with
    /// this sealer's key, `kid` and `alg` (MUST: a key sealed for one `kid`
    /// or algorithm never opens as another).
    fn open(&self, kid: &str, alg: SigningAlg, stored: &[u8]) -> Result<Opened, SealError>;

    /// The stored form of a second-factor secret (a TOTP secret, an MFA
    /// phone number), bound to `context` (the authenticator's id).
    ///
    /// # Errors
    /// [`SealError::Unknown`] when the cipher fails. MUST be independent of
    /// [`Self::seal`]: a sealed signing key never opens as a secret, nor a
    /// secret as a key.
    fn seal_secret(&self, context: &str, clear: &[u8]) -> Result<Vec<u8>, SealError>;

    /// Opens what [`Self::seal_secret`] stored for `context`.
    ///
    /// # Errors
    /// [`SealError::WrongKey`] when the bytes do not open with this
    /// sealer's key for `context` (MUST: a secret sealed for one context
    /// never opens for another), or were never sealed.
    fn open_secret(&self, context: &str, stored: &[u8]) -> Result<SecretBox<[u8]>, SealError>;
}
