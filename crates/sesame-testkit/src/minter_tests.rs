use sesame_domain::token::jwks_document;

use super::*;

const ISS: &str = "https://issuer.test/";

fn claims() -> AccessClaims {
    AccessClaims {
        iss: ISS.to_owned(),
        sub: "email|0123456789abcdef01234567".to_owned(),
        aud: vec!["https://api.test/".to_owned(), format!("{ISS}userinfo")],
        azp: "app".to_owned(),
        scope: "openid".to_owned(),
        iat: 1,
        exp: 2,
        jti: "j".to_owned(),
        cnf: None,
        gty: None,
    }
}

fn key(alg: SigningAlg) -> SigningKey {
    MemoryTokenMinter
        .generate_key(alg, Timestamp::from_unix_seconds(5))
        .unwrap()
}

fn sign_now(k: &SigningKey, c: &AccessClaims) -> String {
    futures::executor::block_on(MemoryTokenMinter.sign_access(k, c)).unwrap()
}

#[test]
fn a_signed_access_token_verifies_with_its_key() {
    let k = key(SigningAlg::RS256);
    let token = sign_now(&k, &claims());
    let other = key(SigningAlg::RS256);
    let got = MemoryTokenMinter
        .verify_access(&token, &[other, k], ISS)
        .unwrap();
    assert_eq!(got, claims());
}

#[test]
fn the_header_names_the_kid_and_the_keys_algorithm() {
    let k = key(SigningAlg::ES256);
    let token = sign_now(&k, &claims());
    let header = token.split('.').next().unwrap();
    let header: serde_json::Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(header["kid"], k.kid.as_str());
    assert_eq!(header["alg"], "ES256");
}

#[test]
fn unknown_kids_other_issuers_and_tampering_are_refused() {
    let k = key(SigningAlg::RS256);
    let token = sign_now(&k, &claims());
    let m = MemoryTokenMinter;
    assert!(matches!(
        m.verify_access(&token, &[key(SigningAlg::RS256)], ISS),
        Err(SigningError::Invalid)
    ));
    assert!(
        m.verify_access(&token, std::slice::from_ref(&k), "https://other.test/")
            .is_err()
    );
    let mut forged = claims();
    forged.sub = "email|ffffffffffffffffffffffff".to_owned();
    let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
    let parts: Vec<&str> = token.split('.').collect();
    let tampered = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    assert!(
        m.verify_access(&tampered, std::slice::from_ref(&k), ISS)
            .is_err()
    );
    for junk in ["", "a.b", "a.b.c.d", "....", &format!("{token}x")] {
        assert!(
            m.verify_access(junk, std::slice::from_ref(&k), ISS)
                .is_err()
        );
    }
}

#[test]
fn a_key_relabelled_with_another_algorithm_does_not_verify() {
    let k = key(SigningAlg::RS256);
    let token = sign_now(&k, &claims());
    let relabelled = SigningKey {
        alg: SigningAlg::EdDSA,
        ..k
    };
    assert!(
        MemoryTokenMinter
            .verify_access(&token, &[relabelled], ISS)
            .is_err()
    );
}

#[test]
fn an_id_token_is_not_an_access_token() {
    let k = key(SigningAlg::RS256);
    let id = IdClaims {
        iss: ISS.to_owned(),
        sub: "email|0123456789abcdef01234567".to_owned(),
        aud: "app".to_owned(),
        iat: 1,
        exp: 2,
        nonce: Some("n".to_owned()),
        at_hash: None,
        amr: None,
        email: None,
        email_verified: None,
        phone_number: None,
        phone_verified: None,
        name: "n".to_owned(),
        nickname: "n".to_owned(),
        updated_at: "1970-01-01T00:00:00.000Z".to_owned(),
    };
    let token = futures::executor::block_on(MemoryTokenMinter.sign_id(&k, &id)).unwrap();
    let m = MemoryTokenMinter;
    assert_eq!(
        m.verify_id(&token, std::slice::from_ref(&k), ISS).unwrap(),
        id
    );
    assert!(m.verify_access(&token, &[k], ISS).is_err());
}

#[test]
fn keys_are_fresh_and_publish_no_secret() {
    let a = key(SigningAlg::RS256);
    let b = key(SigningAlg::RS256);
    assert_ne!(a.kid, b.kid);
    assert_ne!(a.private_der(), b.private_der());
    assert_eq!(a.private_der().len(), 32);
    assert_eq!(a.status, KeyStatus::Current);
    assert_eq!(a.created_at, Timestamp::from_unix_seconds(5));
    assert_eq!(a.public_jwk["kid"], a.kid.as_str());
    assert_eq!(a.public_jwk["alg"], "RS256");
    let published = jwks_document(std::slice::from_ref(&a)).to_string();
    for encoded in [
        URL_SAFE_NO_PAD.encode(a.private_der()),
        base64::engine::general_purpose::STANDARD.encode(a.private_der()),
        hex::encode(a.private_der()),
    ] {
        assert!(!published.contains(&encoded));
    }
    assert!(!format!("{a:?}").contains(&hex::encode(a.private_der())));
}

#[test]
fn a_key_without_secret_bytes_cannot_sign() {
    let k = SigningKey {
        private_der: Arc::new(SecretBox::new(Box::from(&[][..]))),
        ..key(SigningAlg::RS256)
    };
    let err = futures::executor::block_on(MemoryTokenMinter.sign_access(&k, &claims()));
    assert!(matches!(err, Err(SigningError::Key(_))));
}
