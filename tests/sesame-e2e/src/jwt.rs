//! Checking tokens as a resource server would: the key named by `kid` in
//! the served JWKS, its algorithm, the signature, issuer, audience and
//! expiry, with nothing but `jsonwebtoken`.

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

/// A token that verified: its header algorithm, `kid` and claims.
#[derive(Debug, Clone)]
pub struct Verified {
    /// `alg` of the header.
    pub alg: Algorithm,
    /// `kid` of the header.
    pub kid: String,
    /// The claims.
    pub claims: Value,
}

/// Verifies `token` against `jwks`: the key with its `kid`, the algorithm
/// that key declares, `iss == issuer` and `aud` naming `audience`.
///
/// # Errors
/// Why it does not verify, in words.
pub fn try_verify(
    token: &str,
    jwks: &JwkSet,
    issuer: &str,
    audience: &str,
) -> Result<Verified, String> {
    let header = decode_header(token).map_err(|e| format!("bad header: {e}"))?;
    let kid = header.kid.clone().ok_or("the header has no kid")?;
    let jwk = jwks
        .find(&kid)
        .ok_or_else(|| format!("kid {kid} is not in the JWKS"))?;
    if let Some(declared) = jwk.common.key_algorithm {
        let declared = format!("{declared:?}");
        if declared != format!("{:?}", header.alg) {
            return Err(format!(
                "the header says {:?}, the key {declared}",
                header.alg
            ));
        }
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable JWK: {e}"))?;
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    validation.leeway = 5;
    let data = decode::<Value>(token, &key, &validation).map_err(|e| format!("{e}"))?;
    Ok(Verified {
        alg: header.alg,
        kid,
        claims: data.claims,
    })
}

/// [`try_verify`], panicking with the reason.
///
/// # Panics
/// The token does not verify.
#[track_caller]
#[must_use]
pub fn verify(token: &str, jwks: &JwkSet, issuer: &str, audience: &str) -> Verified {
    try_verify(token, jwks, issuer, audience)
        .unwrap_or_else(|e| panic!("the token does not verify: {e}"))
}

/// The `aud` claim as a list (a single string is a list of one).
#[must_use]
pub fn audiences(claims: &Value) -> Vec<String> {
    match claims.get("aud") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(str::to_owned))
            .collect(),
        _ => Vec::new(),
    }
}
