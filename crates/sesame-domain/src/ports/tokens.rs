//! Signing and checking tokens.

use async_trait::async_trait;

use crate::client::SigningAlg;
use crate::time::Timestamp;
use crate::token::{AccessClaims, IdClaims, SigningKey};

/// A token operation failed.
#[derive(Debug, thiserror::Error)]
pub enum SigningError {
    /// A key could not be made or read.
    #[error("bad signing key: {0}")]
    Key(String),
    /// The token is malformed, its signature is wrong, or it was not issued
    /// by `issuer`.
    #[error("invalid token")]
    Invalid,
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}

/// Makes keys, signs tokens and checks them.
#[async_trait]
pub trait TokenMinter: Send + Sync {
    /// A fresh key pair for `alg`, with `kid` set to its RFC 7638 thumbprint
    /// and status current.
    ///
    /// # Errors
    /// [`SigningError::Key`] when key generation fails.
    fn generate_key(&self, alg: SigningAlg, now: Timestamp) -> Result<SigningKey, SigningError>;

    /// Signs access-token `claims` with `key`; the header carries `kid`.
    ///
    /// # Errors
    /// [`SigningError::Key`] when the key cannot sign. MUST NOT log the key.
    async fn sign_access(
        &self,
        key: &SigningKey,
        claims: &AccessClaims,
    ) -> Result<String, SigningError>;

    /// Signs id-token `claims` with `key`.
    ///
    /// # Errors
    /// [`SigningError::Key`] when the key cannot sign.
    async fn sign_id(&self, key: &SigningKey, claims: &IdClaims) -> Result<String, SigningError>;

    /// Checks the signature of access token `token` against `keys` (chosen
    /// by `kid`) and that `iss` is `issuer`, then returns its claims.
    /// Expiry and audience are the caller's to check, against its clock.
    ///
    /// # Errors
    /// [`SigningError::Invalid`] for a malformed token, an unknown `kid`, an
    /// algorithm other than the key's, a bad signature or another issuer.
    fn verify_access(
        &self,
        token: &str,
        keys: &[SigningKey],
        issuer: &str,
    ) -> Result<AccessClaims, SigningError>;
}
