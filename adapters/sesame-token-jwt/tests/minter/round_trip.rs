//! Tokens that should verify do, with every algorithm, through this crate
//! and through an independent path built from the published JWKS.

use aws_lc_rs::signature::{
    ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, Ed25519KeyPair, RsaKeyPair,
};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use jsonwebtoken::jwk::{JwkSet, ThumbprintHash};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use sesame_domain::ports::TokenMinter;
use sesame_domain::token::jwks_document;
use sesame_domain::{AccessClaims, IdClaims, KeyStatus, SigningAlg};
use sesame_token_jwt::JwtMinter;

use crate::support::{ISSUER, access_claims, email_id_claims, header, key, now};

#[tokio::test]
async fn every_algorithm_round_trips_an_access_token() {
    let minter = JwtMinter::new();
    for alg in SigningAlg::ALL {
        let k = key(&minter, alg);
        let token = minter.sign_access(&k, &access_claims()).await.unwrap();
        let claims = minter
            .verify_access(&token, std::slice::from_ref(&k), ISSUER)
            .unwrap();
        assert_eq!(claims, access_claims(), "{alg:?}");
    }
}

#[tokio::test]
async fn the_header_names_the_algorithm_the_type_and_the_key() {
    let minter = JwtMinter::new();
    for alg in SigningAlg::ALL {
        let k = key(&minter, alg);
        for token in [
            minter.sign_access(&k, &access_claims()).await.unwrap(),
            minter.sign_id(&k, &email_id_claims(None)).await.unwrap(),
        ] {
            let h = header(&token);
            assert_eq!(h["alg"], alg.as_str());
            assert_eq!(h["typ"], "JWT");
            assert_eq!(h["kid"], k.kid.as_str());
            assert_eq!(h.as_object().unwrap().len(), 3, "{h}");
        }
    }
}

#[test]
fn a_new_key_is_current_named_by_its_thumbprint_and_publishes_nothing_private() {
    let minter = JwtMinter::new();
    for alg in SigningAlg::ALL {
        let k = key(&minter, alg);
        assert_eq!(k.alg, alg);
        assert_eq!(k.status, KeyStatus::Current);
        assert_eq!(k.created_at, now());
        let jwk: jsonwebtoken::jwk::Jwk = serde_json::from_value(k.public_jwk.clone()).unwrap();
        assert_eq!(jwk.thumbprint(ThumbprintHash::SHA256).unwrap(), k.kid);
        assert_eq!(k.public_jwk["kid"], k.kid.as_str());
        assert_eq!(k.public_jwk["alg"], alg.as_str());
        assert_eq!(k.public_jwk["use"], "sig");
        for private in ["d", "p", "q", "dp", "dq", "qi", "k", "oth"] {
            assert!(k.public_jwk.get(private).is_none(), "{alg:?} has {private}");
        }
        assert_ne!(key(&minter, alg).kid, k.kid, "two {alg:?} keys share a kid");
    }
}

#[test]
fn the_published_jwk_has_the_expected_shape() {
    let minter = JwtMinter::new();
    let rsa = key(&minter, SigningAlg::RS256).public_jwk;
    assert_eq!(rsa["kty"], "RSA");
    assert_eq!(rsa["e"], "AQAB");
    // 2048-bit modulus: 256 bytes, 342 base64url characters.
    assert_eq!(rsa["n"].as_str().unwrap().len(), 342);
    let ec = key(&minter, SigningAlg::ES256).public_jwk;
    assert_eq!((&ec["kty"], &ec["crv"]), (&"EC".into(), &"P-256".into()));
    assert_eq!(ec["x"].as_str().unwrap().len(), 43);
    assert_eq!(ec["y"].as_str().unwrap().len(), 43);
    let ed = key(&minter, SigningAlg::EdDSA).public_jwk;
    assert_eq!((&ed["kty"], &ed["crv"]), (&"OKP".into(), &"Ed25519".into()));
    assert_eq!(ed["x"].as_str().unwrap().len(), 43);
}

#[test]
fn private_keys_are_pkcs8_der() {
    let minter = JwtMinter::new();
    let rsa = key(&minter, SigningAlg::RS256);
    assert!(RsaKeyPair::from_pkcs8(rsa.private_der()).is_ok());
    let ec = key(&minter, SigningAlg::ES256);
    assert!(EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, ec.private_der()).is_ok());
    let ed = key(&minter, SigningAlg::EdDSA);
    assert!(Ed25519KeyPair::from_pkcs8(ed.private_der()).is_ok());
}

#[test]
fn jsonwebtoken_signs_with_our_rsa_key_through_pkcs8_pem() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::RS256);
    let pem = format!(
        "-----BEGIN PRIVATE KEY-----\n{}\n-----END PRIVATE KEY-----\n",
        STANDARD.encode(k.private_der())
    );
    let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(k.kid.clone());
    let token = jsonwebtoken::encode(&header, &access_claims(), &encoding).unwrap();
    assert!(minter.verify_access(&token, &[k], ISSUER).is_ok());
}

#[tokio::test]
async fn the_jwks_document_verifies_tokens_without_this_crate() {
    let minter = JwtMinter::new();
    let mut keys: Vec<_> = SigningAlg::ALL.iter().map(|&a| key(&minter, a)).collect();
    keys[0].status = KeyStatus::Previous;
    let jwks: JwkSet = serde_json::from_value(jwks_document(&keys)).unwrap();
    assert_eq!(jwks.keys.len(), 3);
    for k in &keys {
        let access = minter.sign_access(k, &access_claims()).await.unwrap();
        let id = minter
            .sign_id(k, &email_id_claims(Some("n-0S6")))
            .await
            .unwrap();

        let kid = jsonwebtoken::decode_header(&access).unwrap().kid.unwrap();
        let jwk = jwks.find(&kid).unwrap();
        let decoding = DecodingKey::from_jwk(jwk).unwrap();
        let mut validation = Validation::new(jsonwebtoken::decode_header(&id).unwrap().alg);
        validation.validate_exp = false;
        validation.set_issuer(&[ISSUER]);

        validation.set_audience(&["https://api.example.com"]);
        let got = jsonwebtoken::decode::<AccessClaims>(&access, &decoding, &validation).unwrap();
        assert_eq!(got.claims, access_claims());

        validation.set_audience(&["client-1"]);
        let got = jsonwebtoken::decode::<IdClaims>(&id, &decoding, &validation).unwrap();
        assert_eq!(got.claims, email_id_claims(Some("n-0S6")));
    }
}

#[tokio::test]
async fn expiry_and_audience_are_left_to_the_caller() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::ES256);
    let claims = AccessClaims {
        aud: vec!["https://somewhere-else.example".to_owned()],
        iat: 1,
        exp: 2,
        ..access_claims()
    };
    let token = minter.sign_access(&k, &claims).await.unwrap();
    assert_eq!(minter.verify_access(&token, &[k], ISSUER).unwrap(), claims);
}

#[tokio::test]
async fn a_previous_key_still_verifies_and_keys_are_found_by_kid() {
    let minter = JwtMinter::new();
    let mut old = key(&minter, SigningAlg::RS256);
    let token = minter.sign_access(&old, &access_claims()).await.unwrap();
    old.status = KeyStatus::Previous;
    let keys = [
        key(&minter, SigningAlg::EdDSA),
        key(&minter, SigningAlg::RS256),
        old,
    ];
    assert!(minter.verify_access(&token, &keys, ISSUER).is_ok());
}

#[tokio::test]
async fn a_fresh_minter_verifies_what_another_signed() {
    let signer = JwtMinter::new();
    let k = key(&signer, SigningAlg::RS256);
    let token = signer.sign_access(&k, &access_claims()).await.unwrap();
    let verifier = JwtMinter::new();
    assert!(verifier.verify_access(&token, &[k], ISSUER).is_ok());
    assert_eq!(verifier.cached_keys(), 1);
}

#[tokio::test]
async fn the_cache_stays_within_its_capacity_and_keeps_working() {
    let minter = JwtMinter::with_cache_capacity(2);
    let keys: Vec<_> = (0..5).map(|_| key(&minter, SigningAlg::EdDSA)).collect();
    for round in 0..2 {
        for k in &keys {
            let token = minter.sign_access(k, &access_claims()).await.unwrap();
            assert!(
                minter.verify_access(&token, &keys, ISSUER).is_ok(),
                "{round}"
            );
            assert!(minter.cached_keys() <= 2);
        }
    }
}

#[tokio::test]
async fn debug_output_holds_no_key_material() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::ES256);
    minter.sign_access(&k, &access_claims()).await.unwrap();
    let shown = format!("{minter:?} {k:?}");
    assert!(shown.contains("cached_keys: 1"), "{shown}");
    assert!(
        !shown.contains(k.public_jwk["x"].as_str().unwrap()),
        "{shown}"
    );
    assert!(
        !shown.contains(&format!("{:?}", &k.private_der()[..8])),
        "{shown}"
    );
}
