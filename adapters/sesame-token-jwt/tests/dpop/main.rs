//! The real DPoP verifier: header, key and signature rules.

// Helpers count as test code too, for the unwrap/panic lints.
#![cfg(test)]

use sesame_domain::ports::DpopProofVerifier;
use sesame_testkit::dpop::DpopKey;
use sesame_token_jwt::JwtDpopVerifier;

const URL: &str = "https://sesame.test/oauth/token";

fn refusal(proof: &str) -> String {
    JwtDpopVerifier::new().verify(proof).unwrap_err().0
}

#[test]
fn a_good_es256_proof_verifies_and_names_its_keys_thumbprint() {
    let key = DpopKey::es256_test_key(0);
    let v = JwtDpopVerifier::new()
        .verify(&key.proof("POST", URL).nonce(Some("n")).sign())
        .unwrap();
    assert_eq!(v.jkt.as_str(), key.jkt());
    assert_eq!(v.claims.htm, "POST");
    assert_eq!(v.claims.htu, URL);
    assert_eq!(v.claims.nonce.as_deref(), Some("n"));
}

#[test]
fn alg_none_hs256_and_a_bad_signature_are_refused() {
    let key = DpopKey::es256_test_key(0);
    assert!(refusal(&key.proof("POST", URL).unsigned().sign()).contains("alg is not supported"));
    assert!(
        refusal(
            &key.proof("POST", URL)
                .hs256(b"0123456789abcdef0123456789abcdef")
                .sign()
        )
        .contains("alg is not supported")
    );
    assert!(
        refusal(&key.proof("POST", URL).badly_signed().sign()).contains("signature is invalid")
    );
}

#[test]
fn a_private_key_a_wrong_typ_or_no_jwk_is_refused() {
    let key = DpopKey::es256_test_key(0);
    assert!(refusal(&key.proof("POST", URL).with_private_jwk().sign()).contains("private key"));
    assert!(refusal(&key.proof("POST", URL).header("typ", "JWT".into()).sign()).contains("typ"));
    assert!(
        refusal(
            &key.proof("POST", URL)
                .header("jwk", serde_json::json!(null))
                .sign()
        )
        .contains("no jwk")
    );
    // Another key's jwk in the header: the signature does not verify.
    let other = DpopKey::es256_test_key(1);
    let swapped = key
        .proof("POST", URL)
        .header("jwk", other.public_jwk().clone())
        .sign();
    assert!(refusal(&swapped).contains("signature is invalid"));
}

#[test]
fn claims_without_a_jti_or_garbage_are_refused() {
    let key = DpopKey::es256_test_key(0);
    let no_jti = key
        .proof("POST", URL)
        .claim("jti", serde_json::json!(5))
        .sign();
    assert!(refusal(&no_jti).contains("claims"));
    assert!(refusal("not.a.jws.at.all").contains("compact JWS"));
    assert!(refusal("abc").contains("compact JWS"));
}
