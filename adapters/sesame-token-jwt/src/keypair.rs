//! Key pairs in aws-lc-rs form: generation, PKCS#8 parsing, the public
//! members, and raw JWS signatures.
//!
//! A parsed pair is what the signing hot path needs. jsonwebtoken's
//! `EncodingKey` only holds DER bytes and its aws-lc-rs backend parses and
//! validates them again on every `encode` (for RSA that includes
//! `RSA_check_key` and rebuilding the Montgomery contexts), so signing from
//! a parsed pair is what makes caching worth it; `benches/mint.rs` measures
//! both.

use std::fmt;

use aws_lc_rs::encoding::AsDer as _;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::rsa::{KeySize, PublicKeyComponents};
use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, KeyPair as _, RSA_PKCS1_SHA256,
    RsaKeyPair,
};
use sesame_domain::SigningAlg;
use sesame_domain::ports::SigningError;

use crate::jwk::PublicParts;

/// A private key ready to sign, for one of the three algorithms.
pub enum ParsedKey {
    /// RS256: RSASSA-PKCS1-v1_5 with SHA-256.
    Rsa(RsaKeyPair),
    /// ES256: ECDSA P-256 with SHA-256, fixed-length `r || s` signatures.
    P256(EcdsaKeyPair),
    /// EdDSA over Ed25519.
    Ed25519(Ed25519KeyPair),
}

impl fmt::Debug for ParsedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "ParsedKey({})", self.alg().as_str())
    }
}

impl ParsedKey {
    /// A fresh key pair for `alg` and its PKCS#8 v1 DER encoding.
    ///
    /// # Errors
    /// [`SigningError::Key`] when aws-lc-rs cannot make or encode the key.
    pub fn generate(alg: SigningAlg) -> Result<(Self, Vec<u8>), SigningError> {
        let failed = || SigningError::Key(format!("{} key generation failed", alg.as_str()));
        match alg {
            SigningAlg::RS256 => {
                let pair = RsaKeyPair::generate(KeySize::Rsa2048).map_err(|_| failed())?;
                let der = pair.as_der().map_err(|_| failed())?.as_ref().to_vec();
                Ok((Self::Rsa(pair), der))
            }
            SigningAlg::ES256 => {
                let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
                    .map_err(|_| failed())?;
                let der = pair.to_pkcs8v1().map_err(|_| failed())?.as_ref().to_vec();
                Ok((Self::P256(pair), der))
            }
            SigningAlg::EdDSA => {
                let pair = Ed25519KeyPair::generate().map_err(|_| failed())?;
                let der = pair.to_pkcs8v1().map_err(|_| failed())?.as_ref().to_vec();
                Ok((Self::Ed25519(pair), der))
            }
        }
    }

    /// Parses (and validates) a PKCS#8 private key for `alg`.
    ///
    /// # Errors
    /// [`SigningError::Key`] when `der` is not a valid `alg` key. The message
    /// names the algorithm only, never the bytes.
    pub fn from_pkcs8(alg: SigningAlg, der: &[u8]) -> Result<Self, SigningError> {
        let rejected = |why: aws_lc_rs::error::KeyRejected| {
            SigningError::Key(format!("not a valid {} private key: {why}", alg.as_str()))
        };
        Ok(match alg {
            // aws-lc-rs refuses RSA keys under 2048 bits, as RFC 7518
            // section 3.3 requires for RS256.
            SigningAlg::RS256 => Self::Rsa(RsaKeyPair::from_pkcs8(der).map_err(rejected)?),
            SigningAlg::ES256 => Self::P256(
                EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, der)
                    .map_err(rejected)?,
            ),
            SigningAlg::EdDSA => Self::Ed25519(Ed25519KeyPair::from_pkcs8(der).map_err(rejected)?),
        })
    }

    /// The algorithm this key signs with.
    #[must_use]
    pub const fn alg(&self) -> SigningAlg {
        match self {
            Self::Rsa(_) => SigningAlg::RS256,
            Self::P256(_) => SigningAlg::ES256,
            Self::Ed25519(_) => SigningAlg::EdDSA,
        }
    }

    /// The public members, for the JWK and the thumbprint.
    ///
    /// # Errors
    /// [`SigningError::Key`] when aws-lc-rs returns a public key of an
    /// unexpected shape.
    pub fn public_parts(&self) -> Result<PublicParts, SigningError> {
        let parts = match self {
            Self::Rsa(pair) => {
                let c = PublicKeyComponents::<Vec<u8>>::from(pair.public_key());
                Some(PublicParts::rsa(&c.n, &c.e))
            }
            Self::P256(pair) => PublicParts::p256_uncompressed(pair.public_key().as_ref()),
            Self::Ed25519(pair) => PublicParts::ed25519(pair.public_key().as_ref()),
        };
        parts.ok_or_else(|| {
            SigningError::Key(format!(
                "unexpected {} public key encoding",
                self.alg().as_str()
            ))
        })
    }

    /// The raw JWS signature of `message` (the `header.payload` text).
    ///
    /// # Errors
    /// [`SigningError::Key`] when aws-lc-rs fails to sign.
    pub fn sign(&self, message: &[u8]) -> Result<Vec<u8>, SigningError> {
        let failed = || SigningError::Key(format!("{} signing failed", self.alg().as_str()));
        match self {
            Self::Rsa(pair) => {
                let mut signature = vec![0; pair.public_modulus_len()];
                // aws-lc-rs ignores the RNG argument for RSA (PKCS#1 v1.5 is
                // deterministic); it exists for ring compatibility.
                pair.sign(
                    &RSA_PKCS1_SHA256,
                    &SystemRandom::new(),
                    message,
                    &mut signature,
                )
                .map_err(|_| failed())?;
                Ok(signature)
            }
            Self::P256(pair) => Ok(pair
                .sign(&SystemRandom::new(), message)
                .map_err(|_| failed())?
                .as_ref()
                .to_vec()),
            Self::Ed25519(pair) => Ok(pair
                .try_sign(message)
                .map_err(|_| failed())?
                .as_ref()
                .to_vec()),
        }
    }
}
