//! `--dpop`: each virtual user holds its own ES256 key and signs a DPoP
//! proof (RFC 9449) for every token request, as a sender-constrained client
//! would. The server's nonce is kept from each answer's `DPoP-Nonce` and
//! put in the next proof, so only a virtual user's first request (or one
//! after the nonce rotates) is answered `use_dpop_nonce` and sent again.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, anyhow};
use aws_lc_rs::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, EllipticCurveKeyParameters,
    EllipticCurveKeyType, Jwk,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

/// A proof's claims (RFC 9449 §4.2).
#[derive(Serialize)]
struct Claims<'a> {
    jti: String,
    htm: &'a str,
    htu: &'a str,
    iat: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    nonce: Option<String>,
}

/// One client's DPoP key, the server's latest nonce, and a proof counter.
pub struct DpopKey {
    encoding: EncodingKey,
    header: Header,
    /// Makes `jti` unique: this key's random tag and a counter.
    tag: String,
    sent: AtomicU64,
    nonce: Mutex<Option<String>>,
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopKey")
            .field("tag", &self.tag)
            .finish_non_exhaustive()
    }
}

impl DpopKey {
    /// A fresh P-256 key.
    ///
    /// # Errors
    /// The key cannot be made.
    pub fn generate() -> anyhow::Result<Self> {
        let pair = EcdsaKeyPair::generate(&ECDSA_P256_SHA256_FIXED_SIGNING)
            .map_err(|_| anyhow!("could not make a P-256 key"))?;
        let pkcs8 = pair
            .to_pkcs8v1()
            .map_err(|_| anyhow!("could not encode the P-256 key"))?;
        // The uncompressed point: 0x04 ‖ x ‖ y.
        let point = pair.public_key().as_ref();
        let (x, y) = point
            .get(1..33)
            .zip(point.get(33..65))
            .context("a P-256 public key is 65 bytes")?;
        let jwk = Jwk {
            common: CommonParameters::default(),
            algorithm: AlgorithmParameters::EllipticCurve(EllipticCurveKeyParameters {
                key_type: EllipticCurveKeyType::EC,
                curve: EllipticCurve::P256,
                x: URL_SAFE_NO_PAD.encode(x),
                y: URL_SAFE_NO_PAD.encode(y),
            }),
        };
        let mut header = Header::new(Algorithm::ES256);
        header.typ = Some("dpop+jwt".to_owned());
        header.jwk = Some(jwk);
        let mut tag = [0_u8; 9];
        aws_lc_rs::rand::fill(&mut tag).map_err(|_| anyhow!("no randomness for jti"))?;
        let tag = URL_SAFE_NO_PAD.encode(tag);
        Ok(Self {
            encoding: EncodingKey::from_ec_der(pkcs8.as_ref()),
            header,
            tag,
            sent: AtomicU64::new(0),
            nonce: Mutex::new(None),
        })
    }

    /// A proof for `htm` `htu`, with the last nonce the server gave.
    ///
    /// # Errors
    /// Signing failed.
    pub fn proof(&self, htm: &str, htu: &str) -> anyhow::Result<String> {
        let iat = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let claims = Claims {
            jti: format!("{}-{}", self.tag, self.sent.fetch_add(1, Ordering::Relaxed)),
            htm,
            htu,
            iat,
            nonce: self.nonce.lock().ok().and_then(|n| n.clone()),
        };
        Ok(jsonwebtoken::encode(&self.header, &claims, &self.encoding)?)
    }

    /// Keeps the server's `DPoP-Nonce`, if the answer had one.
    pub fn remember_nonce(&self, nonce: Option<&str>) {
        if let (Some(nonce), Ok(mut kept)) = (nonce, self.nonce.lock()) {
            *kept = Some(nonce.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jsonwebtoken::{DecodingKey, Validation};

    #[derive(serde::Deserialize)]
    struct Seen {
        jti: String,
        htm: String,
        htu: String,
        nonce: Option<String>,
    }

    #[test]
    fn a_proof_verifies_with_the_jwk_in_its_own_header_and_carries_the_nonce() {
        let key = DpopKey::generate().expect("key");
        let first = key
            .proof("POST", "http://127.0.0.1:3000/oauth/token")
            .expect("proof");
        key.remember_nonce(Some("n-1"));
        let second = key
            .proof("POST", "http://127.0.0.1:3000/oauth/token")
            .expect("proof");

        let header = jsonwebtoken::decode_header(&second).expect("header");
        assert_eq!(header.typ.as_deref(), Some("dpop+jwt"));
        let jwk = header.jwk.expect("jwk");
        let mut validation = Validation::new(Algorithm::ES256);
        validation.required_spec_claims.clear();
        validation.validate_exp = false;
        let decoding = DecodingKey::from_jwk(&jwk).expect("decoding key");
        let a = jsonwebtoken::decode::<Seen>(&first, &decoding, &validation).expect("first");
        let b = jsonwebtoken::decode::<Seen>(&second, &decoding, &validation).expect("second");
        assert_eq!(a.claims.nonce, None);
        assert_eq!(b.claims.nonce.as_deref(), Some("n-1"));
        assert_eq!(b.claims.htm, "POST");
        assert_eq!(b.claims.htu, "http://127.0.0.1:3000/oauth/token");
        assert_ne!(a.claims.jti, b.claims.jti, "every proof has its own jti");
    }
}
