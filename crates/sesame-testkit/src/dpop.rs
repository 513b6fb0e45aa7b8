//! DPoP proofs for tests and the load bench: a client key ([`DpopKey`]),
//! a builder of proofs signed with it ([`ProofBuilder`]), bad proofs on
//! purpose, and [`MemoryDpopVerifier`], the harness's verifier.
//!
//! ```
//! use sesame_testkit::dpop::DpopKey;
//!
//! let key = DpopKey::es256_test_key(0);
//! let proof = key
//!     .proof("POST", "https://auth.example.com/oauth/token")
//!     .nonce(Some("n0nce"))
//!     .sign();
//! assert_eq!(proof.split('.').count(), 3);
//! ```

use std::sync::atomic::{AtomicU64, Ordering};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
use jsonwebtoken::{Algorithm, EncodingKey};
use serde_json::{Map, Value, json};
use sesame_domain::dpop::{Jkt, ProofClaims, VerifiedProof};
use sesame_domain::ports::{DpopProofVerifier, ProofRejected};
use sha2::{Digest as _, Sha256};

/// Two fixed P-256 keys (PKCS#8 PEM), for tests that need a second key.
const TEST_KEYS: [&str; 2] = [
    "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7zJUIbkjaXuCMh92
Ibsi2AJfXwnOROBsS0Olr4Lrqh6hRANCAARlgqgtCKgwuqv8txGAUm0L3gpg+R9t
8o7LusoXKjMNxp1UV/CYd3+j74joRhm8vwdRlvKQuryPhrz5fPxgr79i
-----END PRIVATE KEY-----
",
    "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgidGIKfViKn23vrlg
b6zeU4Ib1aADb2IDj93YvXfbGj+hRANCAAQp8/faRNvmm7RHAKynax8JDtIkUMDb
h0Mlt9mVxPWGFH0ZM97WF8Z3qoBhgnBMDYE8eo4E9ADITK4nMS8hQLhW
-----END PRIVATE KEY-----
",
];

/// Makes every proof's `jti` unique within the process.
static NEXT_JTI: AtomicU64 = AtomicU64::new(0);

/// A client's ES256 DPoP key: signs proofs, knows its public JWK and its
/// RFC 7638 thumbprint.
#[derive(Clone)]
pub struct DpopKey {
    key: EncodingKey,
    jwk: Value,
    jkt: String,
}

impl std::fmt::Debug for DpopKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DpopKey").field("jkt", &self.jkt).finish()
    }
}

impl DpopKey {
    /// An ES256 key from its PKCS#8 PEM.
    ///
    /// # Errors
    /// When `pem` is not a P-256 private key.
    pub fn from_es256_pem(pem: &[u8]) -> Result<Self, jsonwebtoken::errors::Error> {
        let key = EncodingKey::from_ec_pem(pem)?;
        let mut jwk = Jwk::from_encoding_key(&key, Algorithm::ES256)?;
        let jkt = jwk.thumbprint(ThumbprintHash::SHA256)?;
        // Only the key's members travel in a proof.
        jwk.common = jsonwebtoken::jwk::CommonParameters::default();
        let jwk = serde_json::to_value(&jwk)?;
        Ok(Self { key, jwk, jkt })
    }

    /// One of two fixed test keys (`n` modulo 2): no key generation needed.
    #[must_use]
    #[expect(clippy::expect_used, reason = "the fixed test keys are valid")]
    pub fn es256_test_key(n: usize) -> Self {
        Self::from_es256_pem(TEST_KEYS[n % TEST_KEYS.len()].as_bytes())
            .expect("a fixed test key parses")
    }

    /// The public key as a JWK (`kty`, `crv`, `x`, `y`).
    #[must_use]
    pub const fn public_jwk(&self) -> &Value {
        &self.jwk
    }

    /// The RFC 7638 SHA-256 thumbprint: what tokens are bound to (`cnf.jkt`).
    #[must_use]
    pub fn jkt(&self) -> &str {
        &self.jkt
    }

    /// A proof for `htm` and `htu`, to adjust and [`ProofBuilder::sign`]:
    /// `iat` now, a fresh `jti`, no nonce, no `ath`.
    #[must_use]
    pub fn proof(&self, htm: &str, htu: &str) -> ProofBuilder<'_> {
        let mut header = Map::new();
        header.insert("typ".into(), json!("dpop+jwt"));
        header.insert("alg".into(), json!("ES256"));
        header.insert("jwk".into(), self.jwk.clone());
        let mut claims = Map::new();
        let n = NEXT_JTI.fetch_add(1, Ordering::Relaxed);
        claims.insert(
            "jti".into(),
            json!(format!("jti-{n}-{}", uuid::Uuid::new_v4())),
        );
        claims.insert("htm".into(), json!(htm));
        claims.insert("htu".into(), json!(htu));
        claims.insert("iat".into(), json!(unix_now()));
        ProofBuilder {
            key: self,
            header,
            claims,
            signing: Signing::Es256,
        }
    }
}

/// The wall clock in Unix seconds (proofs default to "now").
fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// base64url SHA-256 of an access token: a proof's `ath`.
#[must_use]
pub fn ath(access_token: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(access_token.as_bytes()))
}

/// How a built proof is signed.
enum Signing {
    Es256,
    /// `alg: none`, empty signature.
    Unsigned,
    /// HS256 with this secret.
    Hmac(Vec<u8>),
    /// A signature over other bytes.
    Wrong,
}

/// A proof being built; [`ProofBuilder::sign`] makes the compact JWS.
pub struct ProofBuilder<'a> {
    key: &'a DpopKey,
    header: Map<String, Value>,
    claims: Map<String, Value>,
    signing: Signing,
}

impl std::fmt::Debug for ProofBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProofBuilder").finish_non_exhaustive()
    }
}

impl ProofBuilder<'_> {
    /// Sets the server nonce (`None` leaves it out).
    #[must_use]
    pub fn nonce(mut self, nonce: Option<&str>) -> Self {
        match nonce {
            Some(n) => self.claims.insert("nonce".into(), json!(n)),
            None => self.claims.remove("nonce"),
        };
        self
    }

    /// Binds the proof to `access_token` (`ath`), for resource requests.
    #[must_use]
    pub fn access_token(mut self, access_token: &str) -> Self {
        self.claims.insert("ath".into(), json!(ath(access_token)));
        self
    }

    /// Sets `iat` (Unix seconds).
    #[must_use]
    pub fn iat(mut self, iat: i64) -> Self {
        self.claims.insert("iat".into(), json!(iat));
        self
    }

    /// Sets `jti`, e.g. to replay one.
    #[must_use]
    pub fn jti(mut self, jti: &str) -> Self {
        self.claims.insert("jti".into(), json!(jti));
        self
    }

    /// Sets any claim.
    #[must_use]
    pub fn claim(mut self, name: &str, value: Value) -> Self {
        self.claims.insert(name.into(), value);
        self
    }

    /// Sets any header member (`typ`, …).
    #[must_use]
    pub fn header(mut self, name: &str, value: Value) -> Self {
        self.header.insert(name.into(), value);
        self
    }

    /// Adds a private member (`d`) to the header's `jwk`.
    #[must_use]
    pub fn with_private_jwk(mut self) -> Self {
        if let Some(Value::Object(jwk)) = self.header.get_mut("jwk") {
            jwk.insert("d".into(), json!(URL_SAFE_NO_PAD.encode([7_u8; 32])));
        }
        self
    }

    /// `alg: none` and no signature.
    #[must_use]
    pub fn unsigned(mut self) -> Self {
        self.header.insert("alg".into(), json!("none"));
        self.signing = Signing::Unsigned;
        self
    }

    /// HS256 with `secret`, and a symmetric `jwk` holding it.
    #[must_use]
    pub fn hs256(mut self, secret: &[u8]) -> Self {
        self.header.insert("alg".into(), json!("HS256"));
        self.header.insert(
            "jwk".into(),
            json!({"kty": "oct", "k": URL_SAFE_NO_PAD.encode(secret)}),
        );
        self.signing = Signing::Hmac(secret.to_vec());
        self
    }

    /// A valid-looking signature over other content.
    #[must_use]
    pub fn badly_signed(mut self) -> Self {
        self.signing = Signing::Wrong;
        self
    }

    /// The claims as they stand.
    #[must_use]
    pub fn claims(&self) -> &Map<String, Value> {
        &self.claims
    }

    /// The compact JWS.
    #[must_use]
    #[expect(clippy::expect_used, reason = "test keys and JSON always sign")]
    pub fn sign(self) -> String {
        let encode = |v: &Map<String, Value>| {
            URL_SAFE_NO_PAD.encode(serde_json::to_vec(v).expect("JSON serializes"))
        };
        let input = format!("{}.{}", encode(&self.header), encode(&self.claims));
        let signature = match self.signing {
            Signing::Es256 => {
                jsonwebtoken::crypto::sign(input.as_bytes(), &self.key.key, Algorithm::ES256)
                    .expect("ES256 signs")
            }
            Signing::Wrong => {
                jsonwebtoken::crypto::sign(b"something else", &self.key.key, Algorithm::ES256)
                    .expect("ES256 signs")
            }
            Signing::Unsigned => String::new(),
            Signing::Hmac(secret) => jsonwebtoken::crypto::sign(
                input.as_bytes(),
                &EncodingKey::from_secret(&secret),
                Algorithm::HS256,
            )
            .expect("HS256 signs"),
        };
        format!("{input}.{signature}")
    }
}

/// The harness's [`DpopProofVerifier`]: reads the header and claims and
/// computes the thumbprint, and checks `typ` and that the key is public, but
/// verifies NO signature (like [`crate::MemoryTokenMinter`], a fake for
/// testing the domain's rules; the real one is `sesame-token-jwt`'s).
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryDpopVerifier;

impl DpopProofVerifier for MemoryDpopVerifier {
    fn verify(&self, proof: &str) -> Result<VerifiedProof, ProofRejected> {
        let bad = |why: &str| ProofRejected(format!("DPoP proof {why}"));
        let part = |i: usize| -> Result<Map<String, Value>, ProofRejected> {
            let raw = proof.split('.').nth(i).ok_or_else(|| bad("is not a JWS"))?;
            let bytes = URL_SAFE_NO_PAD
                .decode(raw)
                .map_err(|_| bad("is not base64url"))?;
            serde_json::from_slice(&bytes).map_err(|_| bad("is not JSON"))
        };
        let header = part(0)?;
        if header.get("typ") != Some(&json!("dpop+jwt")) {
            return Err(bad("typ must be dpop+jwt"));
        }
        let jwk = header.get("jwk").ok_or_else(|| bad("header has no jwk"))?;
        if jwk.get("d").is_some() || jwk.get("k").is_some() {
            return Err(bad("jwk must not contain a private key"));
        }
        let jwk: Jwk = serde_json::from_value(jwk.clone()).map_err(|_| bad("jwk is invalid"))?;
        let jkt = jwk
            .thumbprint(ThumbprintHash::SHA256)
            .map_err(|_| bad("jwk is invalid"))?;
        let claims: ClaimsIn = serde_json::from_value(Value::Object(part(1)?))
            .map_err(|_| bad("claims are invalid"))?;
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

#[derive(serde::Deserialize)]
struct ClaimsIn {
    jti: String,
    htm: String,
    htu: String,
    iat: i64,
    #[serde(default)]
    nonce: Option<String>,
    #[serde(default)]
    ath: Option<String>,
}
