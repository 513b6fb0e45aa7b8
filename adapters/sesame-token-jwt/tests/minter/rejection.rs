//! Tokens that must not verify, and keys that must not sign.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use secrecy::SecretBox;
use serde_json::json;
use sesame_domain::ports::{SigningError, TokenMinter};
use sesame_domain::{SigningAlg, SigningKey};
use sesame_token_jwt::{JwtMinter, MAX_TOKEN_LEN};

use crate::support::{
    ISSUER, access_claims, email_id_claims, encode_part, forge, key, parts, payload,
};

#[expect(clippy::panic, reason = "a test assertion")]
fn assert_invalid(minter: &JwtMinter, token: &str, keys: &[SigningKey], why: &str) {
    match minter.verify_access(token, keys, ISSUER) {
        Err(SigningError::Invalid) => {}
        other => panic!("{why}: expected Invalid, got {other:?}"),
    }
}

fn header_for(key: &SigningKey, alg: Algorithm) -> Header {
    let mut h = Header::new(alg);
    h.kid = Some(key.kid.clone());
    h
}

#[tokio::test]
async fn a_tampered_token_is_invalid() {
    let minter = JwtMinter::new();
    for alg in SigningAlg::ALL {
        let k = key(&minter, alg);
        let token = minter.sign_access(&k, &access_claims()).await.unwrap();
        let [h, p, s] = parts(&token);

        let mut claims = payload(&token);
        claims["sub"] = json!("email|someone-else");
        let other_payload = format!("{h}.{}.{s}", encode_part(&claims));
        assert_invalid(&minter, &other_payload, std::slice::from_ref(&k), "payload");

        let mut sig = URL_SAFE_NO_PAD.decode(s).unwrap();
        sig[0] ^= 1;
        let bad_sig = format!("{h}.{p}.{}", URL_SAFE_NO_PAD.encode(sig));
        assert_invalid(&minter, &bad_sig, std::slice::from_ref(&k), "signature");
        assert_invalid(&minter, &format!("{h}.{p}."), &[k], "no signature");
    }
}

#[tokio::test]
async fn a_token_whose_kid_is_not_in_the_key_set_is_invalid() {
    let minter = JwtMinter::new();
    let signer = key(&minter, SigningAlg::RS256);
    let others = [
        key(&minter, SigningAlg::RS256),
        key(&minter, SigningAlg::ES256),
    ];
    let token = minter.sign_access(&signer, &access_claims()).await.unwrap();
    assert_invalid(&minter, &token, &others, "unknown kid");
    assert_invalid(&minter, &token, &[], "no keys");
}

#[test]
fn a_token_without_a_kid_is_invalid() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::ES256);
    let token = forge(&k, &Header::new(Algorithm::ES256), &access_claims());
    assert_invalid(&minter, &token, &[k], "no kid");
}

#[test]
fn a_token_signed_by_another_key_under_this_kid_is_invalid() {
    let minter = JwtMinter::new();
    let named = key(&minter, SigningAlg::EdDSA);
    let signer = key(&minter, SigningAlg::EdDSA);
    let token = forge(
        &signer,
        &header_for(&named, Algorithm::EdDSA),
        &access_claims(),
    );
    assert_invalid(&minter, &token, &[named, signer], "wrong key");
}

#[tokio::test]
async fn another_issuer_is_invalid() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::EdDSA);
    let token = minter.sign_access(&k, &access_claims()).await.unwrap();
    for issuer in ["https://evil.test/", "https://sesame.test", ""] {
        assert!(matches!(
            minter.verify_access(&token, std::slice::from_ref(&k), issuer),
            Err(SigningError::Invalid)
        ));
    }
}

#[test]
fn a_missing_or_multiple_issuer_is_invalid() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::ES256);
    let h = header_for(&k, Algorithm::ES256);
    let mut claims = serde_json::to_value(access_claims()).unwrap();
    claims.as_object_mut().unwrap().remove("iss");
    assert_invalid(
        &minter,
        &forge(&k, &h, &claims),
        std::slice::from_ref(&k),
        "no iss",
    );
    claims["iss"] = json!(["https://evil.test/", ISSUER]);
    assert_invalid(&minter, &forge(&k, &h, &claims), &[k], "iss array");
}

#[test]
fn an_hmac_token_keyed_with_the_public_key_is_invalid() {
    let minter = JwtMinter::new();
    let rsa = key(&minter, SigningAlg::RS256);
    let ec = key(&minter, SigningAlg::ES256);
    for k in [&rsa, &ec] {
        let jwk_text = serde_json::to_vec(&k.public_jwk).unwrap();
        let member = |m: &str| {
            URL_SAFE_NO_PAD
                .decode(k.public_jwk[m].as_str().unwrap())
                .unwrap()
        };
        let n_or_x = member(if k.alg == SigningAlg::RS256 { "n" } else { "x" });
        for secret in [jwk_text, n_or_x, k.kid.as_bytes().to_vec()] {
            for alg in [Algorithm::HS256, Algorithm::HS384, Algorithm::HS512] {
                let token = jsonwebtoken::encode(
                    &header_for(k, alg),
                    &access_claims(),
                    &EncodingKey::from_secret(&secret),
                )
                .unwrap();
                assert_invalid(&minter, &token, &[rsa.clone(), ec.clone()], "HMAC");
            }
        }
    }
}

#[test]
fn a_header_algorithm_other_than_the_keys_is_invalid() {
    let minter = JwtMinter::new();
    let rsa = key(&minter, SigningAlg::RS256);
    let ec = key(&minter, SigningAlg::ES256);
    let ed = key(&minter, SigningAlg::EdDSA);
    let keys = [rsa.clone(), ec.clone(), ed.clone()];
    // A genuine ES256 signature, presented under the RSA key's kid.
    let token = forge(&ec, &header_for(&rsa, Algorithm::ES256), &access_claims());
    assert_invalid(&minter, &token, &keys, "ES256 under an RSA kid");
    let token = forge(&ed, &header_for(&ec, Algorithm::EdDSA), &access_claims());
    assert_invalid(&minter, &token, &keys, "EdDSA under an EC kid");
    // The right key, but the header claims another algorithm of its family.
    let token = forge(&ec, &header_for(&ec, Algorithm::ES256), &access_claims());
    let [_, p, s] = parts(&token);
    let mut h = serde_json::to_value(header_for(&ec, Algorithm::ES384)).unwrap();
    let relabelled = format!("{}.{p}.{s}", encode_part(&h));
    assert_invalid(&minter, &relabelled, &keys, "ES384 label");
    h["alg"] = json!("none");
    let unsigned = format!("{}.{p}.", encode_part(&h));
    assert_invalid(&minter, &unsigned, &keys, "alg none");
}

#[tokio::test]
async fn an_id_token_is_not_an_access_token() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::RS256);
    let id = minter.sign_id(&k, &email_id_claims(None)).await.unwrap();
    assert_invalid(&minter, &id, &[k], "id token");
}

#[tokio::test]
async fn malformed_tokens_are_invalid() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::EdDSA);
    let good = minter.sign_access(&k, &access_claims()).await.unwrap();
    let [h, p, s] = parts(&good);
    let oversized = format!("{h}.{p}{}.{s}", "A".repeat(MAX_TOKEN_LEN));
    let not_json = format!("{h}.{}.{s}", URL_SAFE_NO_PAD.encode(b"not json"));
    let garbage = [
        "",
        ".",
        "..",
        "a.b.c",
        "a.b.c.d",
        &format!("{h}.{p}"),
        &format!("{h}.{p}.{s}.{s}"),
        &format!("{h}.{p}.!!!"),
        &not_json,
        &oversized,
    ];
    for token in garbage {
        assert_invalid(
            &minter,
            token,
            std::slice::from_ref(&k),
            &token[..token.len().min(40)],
        );
    }
}

fn with_private(key: &SigningKey, der: Vec<u8>) -> SigningKey {
    SigningKey {
        private_der: Arc::new(SecretBox::new(der.into_boxed_slice())),
        ..key.clone()
    }
}

#[tokio::test]
async fn a_key_that_does_not_match_its_kid_or_jwk_cannot_sign() {
    let minter = JwtMinter::new();
    let a = key(&minter, SigningAlg::ES256);
    let b = key(&minter, SigningAlg::ES256);
    let swapped = with_private(&a, b.private_der().to_vec());
    let err = minter
        .sign_access(&swapped, &access_claims())
        .await
        .unwrap_err();
    assert!(matches!(err, SigningError::Key(_)), "{err:?}");

    let mut wrong_jwk = a.clone();
    wrong_jwk.public_jwk = b.public_jwk.clone();
    let err = minter
        .sign_access(&wrong_jwk, &access_claims())
        .await
        .unwrap_err();
    assert!(matches!(err, SigningError::Key(_)), "{err:?}");

    let mut wrong_alg = a.clone();
    wrong_alg.alg = SigningAlg::RS256;
    let err = minter
        .sign_access(&wrong_alg, &access_claims())
        .await
        .unwrap_err();
    assert!(matches!(err, SigningError::Key(_)), "{err:?}");
    assert_eq!(minter.cached_keys(), 0);
}

#[tokio::test]
async fn a_corrupt_key_is_a_key_error_that_does_not_show_the_key() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::RS256);
    let mut der = k.private_der().to_vec();
    let last = der.len() - 1;
    der[last] ^= 0xff;
    let corrupt = with_private(&k, der.clone());
    let err = minter
        .sign_id(&corrupt, &email_id_claims(None))
        .await
        .unwrap_err();
    assert!(matches!(err, SigningError::Key(_)), "{err:?}");
    let shown = format!("{err} {err:?}");
    assert!(
        !shown.contains(&URL_SAFE_NO_PAD.encode(&der[..16])),
        "{shown}"
    );
    assert!(!shown.contains(&format!("{:?}", &der[..8])), "{shown}");
    let truncated = with_private(&k, der[..100].to_vec());
    assert!(matches!(
        minter.sign_id(&truncated, &email_id_claims(None)).await,
        Err(SigningError::Key(_))
    ));
}
