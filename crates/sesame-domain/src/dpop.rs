//! DPoP (RFC 9449): proofs of possession that bind tokens to a client's key.
//!
//! A client signs a small JWT (the proof) with its private key for each
//! request and sends it in the `DPoP` header. The server checks it, and
//! binds the tokens it issues to the key's RFC 7638 thumbprint ([`Jkt`]):
//! the access token carries `cnf.jkt`, the refresh family remembers it, and
//! a stolen token is useless without the key.
//!
//! The signature is checked by the
//! [`DpopProofVerifier`](crate::ports::DpopProofVerifier) port (crypto is not
//! the domain's); every other rule (method, URL, time, nonce, replay) is in
//! `service/dpop/`.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

/// The longest proof accepted, in bytes: a proof with an RSA-4096 key is
/// about 1.5 KiB; anything near this bound is not a real client.
pub const MAX_PROOF_LEN: usize = 8 * 1024;

/// The `alg` values a proof may use: asymmetric only, never `none` or HMAC.
/// Published as `dpop_signing_alg_values_supported`.
pub const SUPPORTED_ALGS: &[&str] = &[
    "ES256", "ES384", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "EdDSA",
];

/// An RFC 7638 SHA-256 JWK thumbprint, base64url without padding: what
/// tokens are bound to (`cnf.jkt`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Jkt(String);

impl Jkt {
    /// A thumbprint as computed by the verifier or read back from storage.
    #[must_use]
    pub fn new(thumbprint: impl Into<String>) -> Self {
        Self(thumbprint.into())
    }

    /// The thumbprint.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Jkt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A public key's hash: not secret, but no need to print it whole.
        write!(f, "Jkt({}…)", self.0.get(..8).unwrap_or(""))
    }
}

/// What a request presented as DPoP: every `DPoP` header value, as sent,
/// and the request's HTTP method. The URL is the endpoint's, as the issuer
/// publishes it; the domain knows it.
#[derive(Clone, Default)]
pub struct DpopProof {
    /// Every `DPoP` header value (exactly one is valid).
    pub headers: Vec<String>,
    /// The request's method, e.g. `POST`.
    pub method: String,
}

impl DpopProof {
    /// One proof sent with `method`.
    #[must_use]
    pub fn new(proof: impl Into<String>, method: impl Into<String>) -> Self {
        Self {
            headers: vec![proof.into()],
            method: method.into(),
        }
    }
}

impl fmt::Debug for DpopProof {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DpopProof")
            .field("headers", &self.headers.len())
            .field("method", &self.method)
            .finish()
    }
}

/// The claims of a proof whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofClaims {
    /// Unique id of the proof.
    pub jti: String,
    /// The HTTP method the proof is for.
    pub htm: String,
    /// The URL the proof is for.
    pub htu: String,
    /// When it was made, in Unix seconds.
    pub iat: i64,
    /// The server nonce, when one was included.
    pub nonce: Option<String>,
    /// base64url SHA-256 of the access token, at resource servers.
    pub ath: Option<String>,
}

/// A proof whose header and signature checked out: its claims and the
/// thumbprint of the key that signed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedProof {
    /// The claims.
    pub claims: ProofClaims,
    /// The signing key's thumbprint.
    pub jkt: Jkt,
}

/// Why a DPoP proof, or its absence, was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DpopError {
    /// The proof is malformed, badly signed, stale, replayed or for another
    /// request (`invalid_dpop_proof`); the text says which.
    #[error("{0}")]
    InvalidProof(String),
    /// The proof lacks the current server nonce (`use_dpop_nonce`).
    #[error("Authorization server requires nonce in DPoP proof")]
    UseNonce,
    /// The client must use DPoP and sent no proof (`invalid_request`).
    #[error("DPoP proof required for this client")]
    Required,
}

impl DpopError {
    /// An `invalid_dpop_proof` with `why`.
    #[must_use]
    pub fn invalid(why: impl Into<String>) -> Self {
        Self::InvalidProof(why.into())
    }
}

/// Which clients must include a server nonce in their proofs at the token
/// endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NonceRule {
    /// Never ask for one.
    Never,
    /// Public clients (no secret) only: the default. A confidential client's
    /// secret already limits who can use a pre-made proof.
    #[default]
    Public,
    /// Every client.
    Always,
}

/// The DPoP rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DpopConfig {
    /// How far a proof's `iat` may be from the server's clock, either side
    /// (default 60 s). Its `jti` is remembered this long.
    pub iat_window: Duration,
    /// How long one server nonce is current (default 300 s); the previous
    /// one stays accepted, so a nonce lives up to twice this.
    pub nonce_window: Duration,
    /// Who must include a nonce (default [`NonceRule::Public`]).
    pub require_nonce: NonceRule,
}

impl DpopConfig {
    /// Default [`iat_window`](Self::iat_window): 60 s.
    pub const DEFAULT_IAT_WINDOW: Duration = Duration::from_secs(60);
    /// Default [`nonce_window`](Self::nonce_window): 300 s.
    pub const DEFAULT_NONCE_WINDOW: Duration = Duration::from_secs(300);
}

impl Default for DpopConfig {
    fn default() -> Self {
        Self {
            iat_window: Self::DEFAULT_IAT_WINDOW,
            nonce_window: Self::DEFAULT_NONCE_WINDOW,
            require_nonce: NonceRule::default(),
        }
    }
}
