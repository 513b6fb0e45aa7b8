//! [`JwtMinter`], the [`TokenMinter`] adapter.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use secrecy::SecretBox;
use serde::Serialize;
use sesame_domain::ports::{SigningError, TokenMinter};
use sesame_domain::{AccessClaims, IdClaims, KeyStatus, SigningAlg, SigningKey, Timestamp};

use crate::cache::{DEFAULT_CAPACITY, KeyCache};
use crate::keypair::ParsedKey;
use crate::verify;

/// Makes RS256, ES256 and EdDSA keys with aws-lc-rs and signs and checks
/// JWTs with them.
///
/// Keys are parsed once per `kid` and kept (see [`JwtMinter::with_cache_capacity`]),
/// so signing costs one signature, one JSON serialization and two base64
/// encodings. Signing runs inline on the calling task by default: a few
/// hundred microseconds for RS256, about 20 µs for ES256 and EdDSA (see
/// `benches/mint.rs`). With the `tokio` feature, `offload_rs256` moves RS256
/// signing to the blocking pool.
pub struct JwtMinter {
    cache: KeyCache,
    #[cfg(feature = "tokio")]
    offload_rs256: bool,
}

impl JwtMinter {
    /// A minter whose key cache holds up to 16 keys: far more than the
    /// current and previous key of each algorithm that are ever in use.
    #[must_use]
    pub fn new() -> Self {
        Self::with_cache_capacity(DEFAULT_CAPACITY)
    }

    /// A minter whose key cache holds up to `capacity` parsed keys (at least
    /// one). When a new key would exceed it, the cache is emptied and
    /// refilled as keys are used.
    #[must_use]
    pub fn with_cache_capacity(capacity: usize) -> Self {
        Self {
            cache: KeyCache::new(capacity),
            #[cfg(feature = "tokio")]
            offload_rs256: false,
        }
    }

    /// Signs RS256 tokens on tokio's blocking pool instead of inline, when
    /// called inside a tokio runtime (inline otherwise). Keeps the runtime's
    /// workers free during bursts of RS256 mints: in `benches/mint.rs` a task
    /// spawned behind 32 concurrent mints waited about 1.3 ms instead of
    /// 5 to 7 ms, while one mint's latency stayed within noise.
    #[cfg(feature = "tokio")]
    #[must_use]
    pub const fn offload_rs256(mut self) -> Self {
        self.offload_rs256 = true;
        self
    }

    /// How many parsed keys are cached.
    #[must_use]
    pub fn cached_keys(&self) -> usize {
        self.cache.len()
    }

    async fn sign<T: Serialize + Sync>(
        &self,
        key: &SigningKey,
        claims: &T,
    ) -> Result<String, SigningError> {
        let cached = self.cache.get(key)?;
        #[cfg(feature = "tokio")]
        if self.offload_rs256
            && let Some(signed) = crate::offload::sign_rs256(&cached, claims).await
        {
            return signed;
        }
        cached.sign(claims)
    }
}

impl Default for JwtMinter {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for JwtMinter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("JwtMinter");
        d.field("cached_keys", &self.cached_keys());
        #[cfg(feature = "tokio")]
        d.field("offload_rs256", &self.offload_rs256);
        d.finish_non_exhaustive()
    }
}

#[async_trait]
impl TokenMinter for JwtMinter {
    fn generate_key(&self, alg: SigningAlg, now: Timestamp) -> Result<SigningKey, SigningError> {
        let (pair, der) = ParsedKey::generate(alg)?;
        let parts = pair.public_parts()?;
        let kid = parts.thumbprint();
        let public_jwk = parts.to_jwk(&kid, alg);
        Ok(SigningKey {
            kid,
            alg,
            private_der: Arc::new(SecretBox::new(der.into_boxed_slice())),
            public_jwk,
            created_at: now,
            status: KeyStatus::Current,
        })
    }

    async fn sign_access(
        &self,
        key: &SigningKey,
        claims: &AccessClaims,
    ) -> Result<String, SigningError> {
        self.sign(key, claims).await
    }

    async fn sign_id(&self, key: &SigningKey, claims: &IdClaims) -> Result<String, SigningError> {
        self.sign(key, claims).await
    }

    fn verify_access(
        &self,
        token: &str,
        keys: &[SigningKey],
        issuer: &str,
    ) -> Result<AccessClaims, SigningError> {
        verify::verify_access(&self.cache, token, keys, issuer)
    }
}
