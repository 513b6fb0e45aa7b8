//! # sesame-token-jwt
//!
//! Sesame's [`TokenMinter`](sesame_domain::ports::TokenMinter): signing keys
//! made with aws-lc-rs (RS256 with 2048-bit RSA, the default Auth0 SDKs
//! expect; ES256 on P-256; EdDSA on Ed25519), stored as PKCS#8 DER and named
//! by their RFC 7638 thumbprint; access and id tokens signed as compact JWS
//! with `alg`, `typ: "JWT"` and `kid`; access tokens checked with
//! jsonwebtoken.
//!
//! [`JwtDpopVerifier`] checks DPoP proofs (RFC 9449): their header, the
//! public key they carry, and their signature.
//!
//! Private keys are sealed at rest by [`AesGcmKeySealer`] (AES-256-GCM
//! under a key derived from the server secret), so the key store never
//! holds a usable key.
//!
//! Parsed keys are cached by `kid`, so the hot path does no key parsing.
//! Signing is inline; the `tokio` feature adds
//! `JwtMinter::offload_rs256`, which moves RS256 signatures to tokio's
//! blocking pool.
//!
//! ```
//! use sesame_domain::ports::TokenMinter;
//! use sesame_domain::{SigningAlg, Timestamp};
//! use sesame_token_jwt::JwtMinter;
//!
//! let minter = JwtMinter::new();
//! let key = minter.generate_key(SigningAlg::EdDSA, Timestamp::from_unix_seconds(0))?;
//! assert_eq!(key.public_jwk["kid"], key.kid.as_str());
//! # Ok::<(), sesame_domain::ports::SigningError>(())
//! ```

mod cache;
mod dpop;
mod jwk;
mod keypair;
mod minter;
#[cfg(feature = "tokio")]
mod offload;
mod sealer;
mod verify;

pub use cache::DEFAULT_CAPACITY;
pub use dpop::JwtDpopVerifier;
pub use jwk::PublicParts;
pub use minter::JwtMinter;
pub use sealer::AesGcmKeySealer;
pub use verify::MAX_TOKEN_LEN;
