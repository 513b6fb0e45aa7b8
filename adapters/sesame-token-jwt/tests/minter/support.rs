//! Fixtures and token surgery shared by the tests.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test fixtures: a broken fixture should fail the test loudly"
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::Value;
use sesame_domain::ports::TokenMinter;
use sesame_domain::{AccessClaims, IdClaims, SigningAlg, SigningKey, Timestamp};
use sesame_token_jwt::JwtMinter;

pub const ISSUER: &str = "https://sesame.test/";

pub fn now() -> Timestamp {
    Timestamp::from_unix_seconds(1_790_000_000)
}

pub fn key(minter: &JwtMinter, alg: SigningAlg) -> SigningKey {
    minter.generate_key(alg, now()).unwrap()
}

pub fn access_claims() -> AccessClaims {
    AccessClaims {
        iss: ISSUER.to_owned(),
        sub: "email|0123456789abcdef01234567".to_owned(),
        aud: vec![
            "https://api.example.com".to_owned(),
            format!("{ISSUER}userinfo"),
        ],
        azp: "client-1".to_owned(),
        scope: "openid email offline_access".to_owned(),
        iat: now().unix_seconds(),
        exp: now().unix_seconds() + 86_400,
        jti: "00112233445566778899aabbccddeeff".to_owned(),
        cnf: None,
        gty: None,
    }
}

pub fn email_id_claims(nonce: Option<&str>) -> IdClaims {
    IdClaims {
        iss: ISSUER.to_owned(),
        sub: "email|0123456789abcdef01234567".to_owned(),
        aud: "client-1".to_owned(),
        iat: now().unix_seconds(),
        exp: now().unix_seconds() + 36_000,
        nonce: nonce.map(str::to_owned),
        at_hash: None,
        amr: None,
        email: Some("ada@example.com".to_owned()),
        email_verified: Some(true),
        phone_number: None,
        phone_verified: None,
        name: "ada@example.com".to_owned(),
        nickname: "ada".to_owned(),
        updated_at: now().to_rfc3339(),
    }
}

/// The three base64url parts of a compact JWS.
pub fn parts(token: &str) -> [&str; 3] {
    let parts: Vec<&str> = token.split('.').collect();
    parts.try_into().unwrap()
}

pub fn decode_part(part: &str) -> Value {
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).unwrap()).unwrap()
}

pub fn encode_part(value: &Value) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
}

pub fn header(token: &str) -> Value {
    decode_part(parts(token)[0])
}

pub fn payload(token: &str) -> Value {
    decode_part(parts(token)[1])
}

/// Signs arbitrary `header` and `claims` with `key`'s private key through
/// jsonwebtoken's own `EncodingKey` (PKCS#8 for EC and Ed25519), to forge
/// tokens a correct minter would never make.
pub fn forge(
    key: &SigningKey,
    header: &jsonwebtoken::Header,
    claims: &impl serde::Serialize,
) -> String {
    let encoding = match key.alg {
        SigningAlg::ES256 => jsonwebtoken::EncodingKey::from_ec_der(key.private_der()),
        SigningAlg::EdDSA => jsonwebtoken::EncodingKey::from_ed_der(key.private_der()),
        SigningAlg::RS256 => panic!("forge with an ES256 or EdDSA key"),
    };
    jsonwebtoken::encode(header, claims, &encoding).unwrap()
}
