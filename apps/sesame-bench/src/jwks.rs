//! Checking an id token as a relying party would: the key named by its
//! `kid` in the server's JWKS, that key's algorithm, the signature, the
//! issuer and the audience (the client id).

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use serde_json::Value;

/// Verifies `id_token` against `jwks`, expecting `iss == issuer` (when
/// given) and `aud` naming `client_id`. Returns the header's algorithm.
///
/// # Errors
/// Why the token does not verify, in words.
pub fn verify_id_token(
    id_token: &str,
    jwks: &JwkSet,
    issuer: Option<&str>,
    client_id: &str,
) -> Result<String, String> {
    let header = decode_header(id_token).map_err(|e| format!("bad header: {e}"))?;
    let kid = header.kid.as_deref().ok_or("the header has no kid")?;
    let jwk = jwks
        .find(kid)
        .ok_or_else(|| format!("kid {kid} is not in the JWKS"))?;
    if let Some(declared) = jwk.common.key_algorithm
        && format!("{declared:?}") != format!("{:?}", header.alg)
    {
        return Err(format!(
            "the header says {:?}, the JWK {declared:?}",
            header.alg
        ));
    }
    let key = DecodingKey::from_jwk(jwk).map_err(|e| format!("unusable JWK: {e}"))?;
    let mut validation = Validation::new(header.alg);
    if let Some(iss) = issuer {
        validation.set_issuer(&[iss]);
    }
    validation.set_audience(&[client_id]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    decode::<Value>(id_token, &key, &validation).map_err(|e| format!("{e}"))?;
    Ok(format!("{:?}", header.alg))
}
