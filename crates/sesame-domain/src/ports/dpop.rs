//! DPoP: checking a proof's signature, and remembering which proofs were
//! already used.

use async_trait::async_trait;

use super::StoreError;
use crate::dpop::VerifiedProof;
use crate::time::Timestamp;

/// A proof refused by the verifier; the text is for the client (it names
/// the rule, never the proof's content).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct ProofRejected(pub String);

/// Checks the header and signature of a DPoP proof (RFC 9449 §4.3, points
/// 2 to 6); the domain checks the claims.
pub trait DpopProofVerifier: Send + Sync {
    /// Parses the compact JWS `proof`, checks its header and signature and
    /// returns its claims and the signing key's RFC 7638 SHA-256 thumbprint.
    ///
    /// # Errors
    /// [`ProofRejected`], and MUST refuse:
    /// - anything but a compact JWS of three base64url parts with JSON
    ///   header and claims;
    /// - a `typ` other than `dpop+jwt`;
    /// - an `alg` not in [`SUPPORTED_ALGS`](crate::dpop::SUPPORTED_ALGS)
    ///   (so `none` and every HMAC), or one the `jwk` cannot verify;
    /// - a missing `jwk`, a symmetric one (`kty: oct`), or one holding a
    ///   private member (`d`, `p`, `q`, `dp`, `dq`, `qi`, `oth`, `k`);
    /// - a signature that does not verify with `jwk`;
    /// - claims without a string `jti`, `htm`, `htu` or an integer `iat`,
    ///   or with a non-string `nonce` or `ath`.
    ///
    /// MUST do at most one signature verification, and MUST NOT log the proof.
    fn verify(&self, proof: &str) -> Result<VerifiedProof, ProofRejected>;
}

/// Remembers proof ids (`jti`) until they can no longer be replayed,
/// shared by every instance.
#[async_trait]
pub trait DpopReplayStore: Send + Sync {
    /// Records `key` until `expires_at` and says whether it was new: `true`
    /// the first time, `false` while it is held.
    ///
    /// # Errors
    /// - MUST be atomic across every instance on the backend: of N
    ///   concurrent claims of one key, exactly one returns `true`.
    /// - A key held with `expires_at <= now` counts as new again (and is
    ///   replaced), so an entry never refuses past its expiry.
    /// - Entries MUST disappear by themselves after `expires_at` (a TTL), or
    ///   be removed by [`Housekeeping`](super::Housekeeping) once past
    ///   [`DPOP_JTI_RETENTION`](crate::retention::DPOP_JTI_RETENTION).
    /// - [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn claim(
        &self,
        key: &str,
        expires_at: Timestamp,
        now: Timestamp,
    ) -> Result<bool, StoreError>;
}
