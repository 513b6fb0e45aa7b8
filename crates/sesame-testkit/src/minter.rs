//! A fake token signer with no real cryptography dependency.
//!
//! Tokens are JWT shaped (`header.payload.signature`, base64url) and signed
//! with HMAC-SHA256 over the key's secret bytes, whatever algorithm the key
//! is labelled with. Verification really checks the signature, the `kid`, the
//! header `alg` and the issuer, so tests of forged or foreign tokens mean
//! something. The result is NOT a standard JWS: for tests only; the server
//! signs with `sesame-token-jwt`.

use std::sync::Arc;

use async_trait::async_trait;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use secrecy::SecretBox;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sesame_domain::ports::{SigningError, TokenMinter};
use sesame_domain::{AccessClaims, IdClaims, KeyStatus, SigningAlg, SigningKey, Timestamp};
use sha2::{Digest, Sha256};

use crate::fixtures::random_bytes;

/// The header `typ` of access tokens (RFC 9068), so an id token is never
/// accepted as an access token.
const ACCESS_TYP: &str = "at+jwt";
/// The header `typ` of id tokens.
const ID_TYP: &str = "JWT";

/// A [`TokenMinter`] that signs with HMAC-SHA256 over each key's 32 secret
/// bytes (kept in [`SigningKey::private_der`], which is therefore not DER).
///
/// A key's `public_jwk` is `{"kty":"oct","x":…,"kid":…,"alg":…,"use":"sig"}`
/// where `x` is a SHA-256 commitment to the secret, never the secret itself,
/// and `kid` is the base64url SHA-256 of `{"kty":"oct","x":…}`: the
/// RFC 7638 recipe applied to the members that can be published.
#[derive(Debug, Clone, Copy, Default)]
pub struct MemoryTokenMinter;

#[derive(Serialize, Deserialize)]
struct Header {
    alg: String,
    kid: String,
    typ: String,
}

impl MemoryTokenMinter {
    /// A minter.
    #[must_use]
    pub const fn new() -> Self {
        Self
    }

    /// Checks an id token as [`TokenMinter::verify_access`] checks an access
    /// token, and returns its claims.
    ///
    /// # Errors
    /// [`SigningError::Invalid`] for a malformed or foreign token or a bad
    /// signature.
    pub fn verify_id(
        &self,
        token: &str,
        keys: &[SigningKey],
        issuer: &str,
    ) -> Result<IdClaims, SigningError> {
        let claims: IdClaims = verify(token, keys, ID_TYP)?;
        if claims.iss == issuer {
            Ok(claims)
        } else {
            Err(SigningError::Invalid)
        }
    }
}

fn hmac_of(secret: &[u8]) -> Result<Hmac<Sha256>, SigningError> {
    if secret.is_empty() {
        return Err(SigningError::Key("the key has no secret bytes".to_owned()));
    }
    Hmac::<Sha256>::new_from_slice(secret).map_err(|e| SigningError::Key(e.to_string()))
}

fn sign(key: &SigningKey, typ: &str, claims: &impl Serialize) -> Result<String, SigningError> {
    let header = Header {
        alg: key.alg.as_str().to_owned(),
        kid: key.kid.clone(),
        typ: typ.to_owned(),
    };
    let input = format!("{}.{}", b64_json(&header)?, b64_json(claims)?);
    let mut mac = hmac_of(key.private_der())?;
    mac.update(input.as_bytes());
    let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
    Ok(format!("{input}.{signature}"))
}

fn b64_json(value: &impl Serialize) -> Result<String, SigningError> {
    let json = serde_json::to_vec(value).map_err(|e| SigningError::Unknown(e.into()))?;
    Ok(URL_SAFE_NO_PAD.encode(json))
}

fn verify<T: DeserializeOwned>(
    token: &str,
    keys: &[SigningKey],
    typ: &str,
) -> Result<T, SigningError> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(SigningError::Invalid);
    };
    let decode = |part: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| SigningError::Invalid)
    };
    let header: Header = serde_json::from_slice(&decode(h)?).map_err(|_| SigningError::Invalid)?;
    let key = keys
        .iter()
        .find(|k| k.kid == header.kid)
        .ok_or(SigningError::Invalid)?;
    if header.alg != key.alg.as_str() || header.typ != typ {
        return Err(SigningError::Invalid);
    }
    let mut mac = hmac_of(key.private_der()).map_err(|_| SigningError::Invalid)?;
    mac.update(h.as_bytes());
    mac.update(b".");
    mac.update(p.as_bytes());
    mac.verify_slice(&decode(s)?)
        .map_err(|_| SigningError::Invalid)?;
    serde_json::from_slice(&decode(p)?).map_err(|_| SigningError::Invalid)
}

#[async_trait]
impl TokenMinter for MemoryTokenMinter {
    fn generate_key(&self, alg: SigningAlg, now: Timestamp) -> Result<SigningKey, SigningError> {
        let secret: [u8; 32] = random_bytes();
        let mut commitment = Sha256::new();
        commitment.update(b"sesame-testkit/public");
        commitment.update(secret);
        let x = URL_SAFE_NO_PAD.encode(commitment.finalize());
        // RFC 7638: the required members, in lexicographic order, no spaces.
        let thumbprint_input = format!(r#"{{"kty":"oct","x":"{x}"}}"#);
        let kid = URL_SAFE_NO_PAD.encode(Sha256::digest(thumbprint_input.as_bytes()));
        let public_jwk = serde_json::json!({
            "kty": "oct",
            "x": x,
            "kid": kid,
            "alg": alg.as_str(),
            "use": "sig",
        });
        Ok(SigningKey {
            kid,
            alg,
            private_der: Arc::new(SecretBox::new(Box::from(secret.as_slice()))),
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
        sign(key, ACCESS_TYP, claims)
    }

    async fn sign_id(&self, key: &SigningKey, claims: &IdClaims) -> Result<String, SigningError> {
        sign(key, ID_TYP, claims)
    }

    fn verify_access(
        &self,
        token: &str,
        keys: &[SigningKey],
        issuer: &str,
    ) -> Result<AccessClaims, SigningError> {
        let claims: AccessClaims = verify(token, keys, ACCESS_TYP)?;
        if claims.iss == issuer {
            Ok(claims)
        } else {
            Err(SigningError::Invalid)
        }
    }
}

#[cfg(test)]
#[path = "minter_tests.rs"]
mod tests;
