//! The per-`kid` cache of parsed keys, so that signing and verifying never
//! parse key material on the hot path.
//!
//! A `kid` is the thumbprint of the public key, and an entry is only made
//! after checking that the stored key's private half really has that
//! thumbprint and that its published JWK matches, so one `kid` names one key
//! pair and an entry never goes stale. Keys rotate rarely and the domain keeps
//! at most a current and a previous key per algorithm, so the cache holds a
//! handful of entries; past `capacity` it is simply emptied and refilled.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, PoisonError, RwLock};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, DecodingKey, Header};
use serde::Serialize;
use sesame_domain::SigningAlg;
use sesame_domain::SigningKey;
use sesame_domain::ports::SigningError;

use crate::jwk::PublicParts;
use crate::keypair::ParsedKey;

/// How many keys [`JwtMinter::new`](crate::JwtMinter::new) caches before starting over: a current
/// and a previous key for each algorithm, with room to spare.
pub const DEFAULT_CAPACITY: usize = 16;

/// The JOSE algorithm for `alg`.
pub(crate) const fn jwt_alg(alg: SigningAlg) -> Algorithm {
    match alg {
        SigningAlg::RS256 => Algorithm::RS256,
        SigningAlg::ES256 => Algorithm::ES256,
        SigningAlg::EdDSA => Algorithm::EdDSA,
    }
}

/// One key, parsed and checked: its signer, its verifier, and its encoded
/// JWS header (which is the same for every token it signs).
pub(crate) struct CachedKey {
    kid: String,
    signer: ParsedKey,
    verifier: DecodingKey,
    header_b64: String,
}

impl fmt::Debug for CachedKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedKey")
            .field("kid", &self.kid)
            .field("alg", &self.signer.alg())
            .finish_non_exhaustive()
    }
}

impl CachedKey {
    /// Parses `key` and checks that its `kid` and public JWK belong to it.
    fn load(key: &SigningKey) -> Result<Self, SigningError> {
        let signer = ParsedKey::from_pkcs8(key.alg, key.private_der())?;
        let parts = signer.public_parts()?;
        if parts.thumbprint() != key.kid {
            return Err(SigningError::Key(format!(
                "kid {} is not the thumbprint of its key",
                key.kid
            )));
        }
        if !parts.matches_jwk(&key.kid, key.alg, &key.public_jwk) {
            return Err(SigningError::Key(format!(
                "the published JWK of {} does not match its private key",
                key.kid
            )));
        }
        let verifier = match &parts {
            PublicParts::Rsa { n, e } => DecodingKey::from_rsa_components(n, e),
            PublicParts::P256 { x, y } => DecodingKey::from_ec_components(x, y),
            PublicParts::Ed25519 { x } => DecodingKey::from_ed_components(x),
        }
        .map_err(|e| SigningError::Key(format!("public key of {}: {e}", key.kid)))?;
        let mut header = Header::new(jwt_alg(key.alg));
        header.kid = Some(key.kid.clone());
        let header_json =
            serde_json::to_vec(&header).map_err(|e| SigningError::Unknown(e.into()))?;
        Ok(Self {
            kid: key.kid.clone(),
            signer,
            verifier,
            header_b64: URL_SAFE_NO_PAD.encode(header_json),
        })
    }

    /// The algorithm the key signs with.
    pub(crate) const fn alg(&self) -> SigningAlg {
        self.signer.alg()
    }

    /// The key for checking signatures.
    pub(crate) const fn verifier(&self) -> &DecodingKey {
        &self.verifier
    }

    /// A compact JWS of `claims`: header (`alg`, `typ`, `kid`), payload and
    /// signature, each base64url.
    pub(crate) fn sign<T: Serialize>(&self, claims: &T) -> Result<String, SigningError> {
        self.finish_signing(self.signing_input(claims)?)
    }

    /// The `header.payload` text that gets signed.
    pub(crate) fn signing_input<T: Serialize>(&self, claims: &T) -> Result<String, SigningError> {
        let payload = serde_json::to_vec(claims).map_err(|e| SigningError::Unknown(e.into()))?;
        // Room for the payload's base64 and an RSA-2048 signature (342).
        let mut token = String::with_capacity(self.header_b64.len() + payload.len() * 4 / 3 + 350);
        token.push_str(&self.header_b64);
        token.push('.');
        URL_SAFE_NO_PAD.encode_string(&payload, &mut token);
        Ok(token)
    }

    /// Signs a [`Self::signing_input`] and appends the signature.
    pub(crate) fn finish_signing(&self, mut input: String) -> Result<String, SigningError> {
        let signature = self.signer.sign(input.as_bytes())?;
        input.push('.');
        URL_SAFE_NO_PAD.encode_string(signature, &mut input);
        Ok(input)
    }
}

/// Parsed keys by `kid`.
pub(crate) struct KeyCache {
    entries: RwLock<HashMap<String, Arc<CachedKey>>>,
    capacity: usize,
}

impl KeyCache {
    /// An empty cache that holds up to `capacity` keys (at least one).
    pub(crate) fn new(capacity: usize) -> Self {
        Self {
            entries: RwLock::new(HashMap::new()),
            capacity: capacity.max(1),
        }
    }

    /// How many keys are cached.
    pub(crate) fn len(&self) -> usize {
        self.entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// The parsed form of `key`, parsing and checking it on first use.
    ///
    /// # Errors
    /// [`SigningError::Key`] when the key does not parse, its `kid` or JWK
    /// does not match it, or the `kid` is cached under another algorithm.
    pub(crate) fn get(&self, key: &SigningKey) -> Result<Arc<CachedKey>, SigningError> {
        let hit = self
            .entries
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key.kid)
            .cloned();
        let entry = match hit {
            Some(entry) => entry,
            None => {
                // Parse outside the lock: an RSA parse takes a while and other
                // keys' lookups should not wait for it. Two threads may both
                // parse a new key; the first insert wins.
                let fresh = Arc::new(CachedKey::load(key)?);
                let mut entries = self.entries.write().unwrap_or_else(PoisonError::into_inner);
                if entries.len() >= self.capacity && !entries.contains_key(&key.kid) {
                    entries.clear();
                }
                Arc::clone(entries.entry(key.kid.clone()).or_insert(fresh))
            }
        };
        if entry.alg() == key.alg {
            Ok(entry)
        } else {
            Err(SigningError::Key(format!(
                "kid {} is a {} key, not {}",
                key.kid,
                entry.alg().as_str(),
                key.alg.as_str()
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use sesame_domain::ports::TokenMinter as _;
    use sesame_domain::{SigningAlg, Timestamp};

    use super::*;
    use crate::JwtMinter;

    fn key(alg: SigningAlg) -> SigningKey {
        JwtMinter::new()
            .generate_key(alg, Timestamp::from_unix_seconds(0))
            .unwrap()
    }

    #[test]
    fn a_key_is_parsed_once_and_then_served_from_the_cache() {
        let cache = KeyCache::new(4);
        let k = key(SigningAlg::RS256);
        let first = cache.get(&k).unwrap();
        let second = cache.get(&k).unwrap();
        assert!(Arc::ptr_eq(&first, &second));
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn a_cached_kid_under_another_algorithm_is_refused() {
        let cache = KeyCache::new(4);
        let k = key(SigningAlg::EdDSA);
        cache.get(&k).unwrap();
        let relabelled = SigningKey {
            alg: SigningAlg::ES256,
            ..k
        };
        assert!(matches!(cache.get(&relabelled), Err(SigningError::Key(_))));
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = KeyCache::new(2);
        let keys: Vec<_> = (0..3).map(|_| key(SigningAlg::ES256)).collect();
        for k in &keys {
            cache.get(k).unwrap();
        }
        assert_eq!(cache.len(), 1);
        assert!(format!("{:?}", cache.get(&keys[2]).unwrap()).contains(&keys[2].kid));
    }
}
