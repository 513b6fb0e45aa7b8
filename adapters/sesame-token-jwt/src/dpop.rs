//! [`DpopProofVerifier`]: a DPoP proof's header and signature (RFC 9449
//! §4.3), checked with jsonwebtoken against the key the proof carries.
//!
//! The header is read by hand first, as JSON, because jsonwebtoken's `Jwk`
//! silently drops members it does not model, and a private member (`d`, …)
//! must be refused, not ignored.

use std::collections::HashSet;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode};
use serde::Deserialize;
use serde_json::{Map, Value};
use sesame_domain::dpop::{Jkt, ProofClaims, SUPPORTED_ALGS, VerifiedProof};
use sesame_domain::ports::{DpopProofVerifier, ProofRejected};

/// JWK members that only a private (or symmetric) key has.
const PRIVATE_MEMBERS: &[&str] = &["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/// Checks DPoP proofs with jsonwebtoken: one signature verification each.
#[derive(Debug, Clone, Copy, Default)]
pub struct JwtDpopVerifier;

impl JwtDpopVerifier {
    /// A verifier.
    #[must_use]
    pub const fn new() -> Self {
        Self
    }
}

/// The claims as the proof carries them.
#[derive(Deserialize)]
struct Claims {
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    ath: Option<String>,
}

fn rejected(why: &str) -> ProofRejected {
    ProofRejected(format!("DPoP proof {why}"))
}

/// The proof's protected header, as a JSON object.
fn header_of(proof: &str) -> Result<Map<String, Value>, ProofRejected> {
    let mut parts = proof.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(rejected("is not a compact JWS"));
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| rejected("header is not base64url"))?;
    serde_json::from_slice(&bytes).map_err(|_| rejected("header is not a JSON object"))
}

/// The algorithm named by the header, when it is one proofs may use.
fn algorithm(header: &Map<String, Value>) -> Result<Algorithm, ProofRejected> {
    let name = header
        .get("alg")
        .and_then(Value::as_str)
        .filter(|a| SUPPORTED_ALGS.contains(a))
        .ok_or_else(|| rejected("alg is not supported (asymmetric algorithms only)"))?;
    name.parse::<Algorithm>()
        .map_err(|_| rejected("alg is not supported (asymmetric algorithms only)"))
}

/// The public key in the header, refused when it is private or symmetric.
fn public_jwk(header: &Map<String, Value>) -> Result<Jwk, ProofRejected> {
    let jwk = header
        .get("jwk")
        .and_then(Value::as_object)
        .ok_or_else(|| rejected("header has no jwk"))?;
    if PRIVATE_MEMBERS.iter().any(|m| jwk.contains_key(*m)) {
        return Err(rejected("jwk must not contain a private key"));
    }
    if jwk.get("kty").and_then(Value::as_str) == Some("oct") {
        return Err(rejected("jwk must be an asymmetric public key"));
    }
    serde_json::from_value(Value::Object(jwk.clone()))
        .map_err(|_| rejected("jwk is not a valid public key"))
}

impl DpopProofVerifier for JwtDpopVerifier {
    fn verify(&self, proof: &str) -> Result<VerifiedProof, ProofRejected> {
        let header = header_of(proof)?;
        if header.get("typ").and_then(Value::as_str) != Some("dpop+jwt") {
            return Err(rejected("typ must be dpop+jwt"));
        }
        let alg = algorithm(&header)?;
        let jwk = public_jwk(&header)?;
        let key =
            DecodingKey::from_jwk(&jwk).map_err(|_| rejected("jwk is not a valid public key"))?;
        let mut validation = Validation::new(alg);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.leeway = 0;
        validation.required_spec_claims = HashSet::new();
        let claims = decode::<Claims>(proof, &key, &validation)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => rejected("signature is invalid"),
                ErrorKind::Json(_) => rejected("claims are missing or malformed"),
                ErrorKind::InvalidAlgorithm => rejected("alg does not match its jwk"),
                _ => rejected("is invalid"),
            })?
            .claims;
        let jkt = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|_| rejected("jwk has no thumbprint"))?;
        Ok(VerifiedProof {
            claims: ProofClaims {
                jti: claims.jti,
                htm: claims.htm,
                htu: claims.htu,
                iat: claims.iat,
                nonce: claims.nonce,
                ath: claims.ath,
            },
            jkt: Jkt::new(jkt),
        })
    }
}
