//! Checking an access token: the key named by `kid`, that key's algorithm
//! only, its signature and the issuer. Expiry and audience are left to the
//! domain, which checks them against its own clock.

use std::collections::HashSet;

use jsonwebtoken::{Validation, decode, decode_header};
use sesame_domain::ports::SigningError;
use sesame_domain::{AccessClaims, SigningKey};

use crate::cache::{KeyCache, jwt_alg};

/// Tokens longer than this are refused before any decoding. Sesame's own
/// access tokens are about 1 KiB; the bound keeps a hostile input from
/// costing more than a real one.
pub const MAX_TOKEN_LEN: usize = 16 * 1024;

/// Verifies `token` against `keys` and `issuer`; see
/// [`sesame_domain::ports::TokenMinter::verify_access`].
pub(crate) fn verify_access(
    cache: &KeyCache,
    token: &str,
    keys: &[SigningKey],
    issuer: &str,
) -> Result<AccessClaims, SigningError> {
    if token.len() > MAX_TOKEN_LEN {
        return Err(SigningError::Invalid);
    }
    // Only the header is read before the signature is checked, and only to
    // pick the key: an unknown `alg` (including `none`) does not parse.
    let header = decode_header(token).map_err(|_| SigningError::Invalid)?;
    let kid = header.kid.as_deref().ok_or(SigningError::Invalid)?;
    let key = keys
        .iter()
        .find(|k| k.kid == kid)
        .ok_or(SigningError::Invalid)?;
    let alg = jwt_alg(key.alg);
    // The key decides the algorithm, never the token.
    if header.alg != alg {
        return Err(SigningError::Invalid);
    }
    // A stored key that cannot be loaded verifies nothing; signing with it
    // fails loudly with `SigningError::Key`, so the operator hears of it there.
    let cached = cache.get(key).map_err(|_| SigningError::Invalid)?;

    let mut validation = Validation::new(alg);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.leeway = 0;
    // jsonwebtoken only compares `iss` when the token has one: require it.
    validation.required_spec_claims = HashSet::from(["iss".to_owned()]);
    validation.set_issuer(&[issuer]);

    let claims = decode::<AccessClaims>(token, cached.verifier(), &validation)
        .map_err(|_| SigningError::Invalid)?
        .claims;
    // jsonwebtoken also accepts an `iss` array that contains `issuer`; the
    // claims type already refuses arrays, and this says exactly what is meant.
    if claims.iss != issuer {
        return Err(SigningError::Invalid);
    }
    Ok(claims)
}
