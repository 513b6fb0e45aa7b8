//! The claims on the wire, as Auth0 SDKs read them.

use sesame_domain::ports::TokenMinter;
use sesame_domain::{IdClaims, SigningAlg};
use sesame_token_jwt::JwtMinter;

use crate::support::{ISSUER, access_claims, email_id_claims, key, payload};

#[tokio::test]
async fn an_email_users_id_token_has_the_email_claims_and_no_nonce_unless_given() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::RS256);
    let token = minter.sign_id(&k, &email_id_claims(None)).await.unwrap();
    let p = payload(&token);
    assert_eq!(p["email"], "ada@example.com");
    assert_eq!(p["email_verified"], true);
    assert_eq!(p["name"], "ada@example.com");
    assert_eq!(p["nickname"], "ada");
    assert_eq!(p["aud"], "client-1");
    assert_eq!(p["iss"], ISSUER);
    assert!(p["updated_at"].as_str().unwrap().ends_with(".000Z"));
    for absent in ["nonce", "phone_number", "phone_verified"] {
        assert!(p.get(absent).is_none(), "{absent} in {p}");
    }

    let token = minter
        .sign_id(&k, &email_id_claims(Some("n-0S6_WzA2Mj")))
        .await
        .unwrap();
    assert_eq!(payload(&token)["nonce"], "n-0S6_WzA2Mj");
}

#[tokio::test]
async fn an_sms_users_id_token_has_the_phone_claims() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::ES256);
    let claims = IdClaims {
        sub: "sms|0123456789abcdef01234567".to_owned(),
        email: None,
        email_verified: None,
        phone_number: Some("+14155550100".to_owned()),
        phone_verified: Some(true),
        name: "+14155550100".to_owned(),
        nickname: "+14155550100".to_owned(),
        ..email_id_claims(None)
    };
    let p = payload(&minter.sign_id(&k, &claims).await.unwrap());
    assert_eq!(p["phone_number"], "+14155550100");
    assert_eq!(p["phone_verified"], true);
    assert!(
        p.get("email").is_none() && p.get("email_verified").is_none(),
        "{p}"
    );
}

#[tokio::test]
async fn an_access_token_carries_an_audience_array_scope_and_azp() {
    let minter = JwtMinter::new();
    let k = key(&minter, SigningAlg::EdDSA);
    let p = payload(&minter.sign_access(&k, &access_claims()).await.unwrap());
    assert_eq!(
        p["aud"],
        serde_json::json!(["https://api.example.com", "https://sesame.test/userinfo"])
    );
    assert_eq!(p["scope"], "openid email offline_access");
    assert_eq!(p["azp"], "client-1");
    assert!(p["iat"].is_i64() && p["exp"].is_i64() && p["jti"].is_string());
}
