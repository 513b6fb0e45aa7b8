//! DPoP over HTTP, on the real `Passwordless` over the testkit's in-memory
//! adapters: the `DPoP` and `DPoP-Nonce` headers, every error's status and
//! body, `/userinfo`'s `WWW-Authenticate` challenges, discovery and CORS.

use std::sync::Arc;

use axum::body::Body;
use http::{Method, Request, StatusCode};
use serde_json::json;
use sesame_domain::ports::Clock as _;
use sesame_domain::{Client, GrantType};
use sesame_http::{HttpConfig, Services, router};
use sesame_testkit::dpop::DpopKey;
use sesame_testkit::harness::defaults::{
    CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, ISSUER, PUBLIC_CLIENT_ID,
    confidential_client,
};
use sesame_testkit::{Harness, fixtures};

use crate::common::*;
use crate::pages::EnglishPages;

fn app(h: &Harness) -> axum::Router {
    router(
        Services::of(&h.service, Arc::new(EnglishPages)),
        HttpConfig {
            cors_allowed_origins: vec!["https://app.example.com".into()],
            ..HttpConfig::default()
        },
    )
}

fn token_url() -> String {
    format!("{ISSUER}oauth/token")
}

fn userinfo_url() -> String {
    format!("{ISSUER}userinfo")
}

/// Starts a login for a fresh address as `client_id` and returns the token
/// request's form (with `offline_access`).
async fn otp_form(h: &Harness, client_id: &str, secret: Option<&str>) -> String {
    let alice = fixtures::fresh_email();
    let mut start = Harness::start_request(&alice);
    start.client = if secret.is_some() {
        Harness::confidential()
    } else {
        Harness::public()
    };
    h.service.start(start).await.unwrap();
    let code = h.code_for(&alice).unwrap();
    let secret = secret
        .map(|s| format!("&client_secret={s}"))
        .unwrap_or_default();
    format!(
        "grant_type={}&client_id={client_id}{secret}&username={}&otp={code}&realm=email\
         &scope=openid%20offline_access",
        GrantType::PASSWORDLESS_OTP,
        alice.as_str().replace('@', "%40"),
    )
}

fn token_request(form: &str, proofs: &[String]) -> Request<Body> {
    let mut req = post_form("/oauth/token", form);
    for p in proofs {
        req.headers_mut().append("dpop", p.parse().unwrap());
    }
    req
}

fn now(h: &Harness) -> i64 {
    h.clock.now().unix_seconds()
}

#[tokio::test]
async fn a_public_client_gets_a_nonce_then_dpop_bound_tokens() {
    let h = Harness::new().await.unwrap();
    let key = DpopKey::es256_test_key(0);
    let form = otp_form(&h, PUBLIC_CLIENT_ID, None).await;
    let first = key.proof("POST", &token_url()).iat(now(&h)).sign();
    let r = send(app(&h), token_request(&form, &[first])).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "use_dpop_nonce",
        "Authorization server requires nonce in DPoP proof",
    );
    let nonce = r
        .header("dpop-nonce")
        .expect("a DPoP-Nonce header")
        .to_owned();
    let second = key
        .proof("POST", &token_url())
        .iat(now(&h))
        .nonce(Some(&nonce))
        .sign();
    let r = send(app(&h), token_request(&form, &[second])).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["token_type"], "DPoP");
    assert!(
        r.header("dpop-nonce").is_some(),
        "every DPoP answer has a nonce"
    );
}

#[tokio::test]
async fn bad_proofs_are_invalid_dpop_proof_with_a_nonce() {
    let h = Harness::new().await.unwrap();
    let key = DpopKey::es256_test_key(0);
    let secret = Some(CONFIDENTIAL_CLIENT_SECRET);
    let cases = [
        (
            vec![
                key.proof("POST", &token_url()).iat(now(&h)).sign(),
                key.proof("POST", &token_url()).iat(now(&h)).sign(),
            ],
            "Exactly one DPoP header is allowed",
        ),
        (
            vec![
                key.proof("POST", "https://evil.example.com/oauth/token")
                    .iat(now(&h))
                    .sign(),
            ],
            "DPoP proof htu does not match the request URL",
        ),
        (
            vec![key.proof("POST", &token_url()).iat(now(&h) - 3_600).sign()],
            "DPoP proof iat is not within the acceptable window",
        ),
        (
            vec![
                key.proof("POST", &token_url())
                    .iat(now(&h))
                    .with_private_jwk()
                    .sign(),
            ],
            "DPoP proof jwk must not contain a private key",
        ),
    ];
    for (proofs, why) in cases {
        let form = otp_form(&h, CONFIDENTIAL_CLIENT_ID, secret).await;
        let r = send(app(&h), token_request(&form, &proofs)).await;
        r.assert_error(StatusCode::BAD_REQUEST, "invalid_dpop_proof", why);
        assert!(r.header("dpop-nonce").is_some());
    }
}

#[tokio::test]
async fn a_client_that_requires_dpop_gets_invalid_request_without_a_proof() {
    let strict = Client {
        require_dpop: true,
        mfa: None,
        api_grants: Vec::new(),
        ..confidential_client()
    };
    let h = Harness::builder()
        .with_client(strict)
        .build()
        .await
        .unwrap();
    let form = otp_form(&h, CONFIDENTIAL_CLIENT_ID, Some(CONFIDENTIAL_CLIENT_SECRET)).await;
    let r = send(app(&h), token_request(&form, &[])).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "DPoP proof required for this client",
    );
    assert!(r.header("dpop-nonce").is_none());
}

fn userinfo(token: &str, scheme: &str, proof: Option<String>) -> Request<Body> {
    let mut req = Request::get("/userinfo")
        .header("authorization", format!("{scheme} {token}"))
        .body(Body::empty())
        .unwrap();
    if let Some(p) = proof {
        req.headers_mut().insert("dpop", p.parse().unwrap());
    }
    req
}

#[tokio::test]
async fn userinfo_and_refresh_want_the_tokens_key() {
    let h = Harness::new().await.unwrap();
    let key = DpopKey::es256_test_key(0);
    let other = DpopKey::es256_test_key(1);
    let form = otp_form(&h, CONFIDENTIAL_CLIENT_ID, Some(CONFIDENTIAL_CLIENT_SECRET)).await;
    let proof = key.proof("POST", &token_url()).iat(now(&h)).sign();
    let login = send(app(&h), token_request(&form, &[proof])).await;
    assert_eq!(login.status, StatusCode::OK, "{}", login.body);
    let at = login.body["access_token"].as_str().unwrap().to_owned();
    let rt = login.body["refresh_token"].as_str().unwrap().to_owned();

    let r = send(app(&h), userinfo(&at, "Bearer", None)).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(
        r.header("www-authenticate")
            .unwrap()
            .starts_with(r#"DPoP error="invalid_token""#),
        "{:?}",
        r.header("www-authenticate")
    );
    let good = key
        .proof("GET", &userinfo_url())
        .iat(now(&h))
        .access_token(&at)
        .sign();
    let r = send(app(&h), userinfo(&at, "DPoP", Some(good))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for proof in [
        None,
        Some(
            key.proof("GET", &userinfo_url())
                .iat(now(&h))
                .access_token("x")
                .sign(),
        ),
        Some(
            other
                .proof("GET", &userinfo_url())
                .iat(now(&h))
                .access_token(&at)
                .sign(),
        ),
    ] {
        let r = send(app(&h), userinfo(&at, "DPoP", proof)).await;
        assert_eq!(
            (r.status, r.error()),
            (StatusCode::UNAUTHORIZED, "invalid_dpop_proof")
        );
        assert!(
            r.header("www-authenticate")
                .unwrap()
                .starts_with(r#"DPoP error="invalid_dpop_proof""#)
        );
    }

    let refresh_form = format!(
        "grant_type=refresh_token&client_id={CONFIDENTIAL_CLIENT_ID}\
         &client_secret={CONFIDENTIAL_CLIENT_SECRET}&refresh_token={rt}"
    );
    let wrong = other.proof("POST", &token_url()).iat(now(&h)).sign();
    let r = send(app(&h), token_request(&refresh_form, &[wrong])).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "invalid_dpop_proof",
        "DPoP proof does not match the key the refresh token is bound to",
    );
    let right = key.proof("POST", &token_url()).iat(now(&h)).sign();
    let r = send(app(&h), token_request(&refresh_form, &[right])).await;
    assert_eq!(r.status, StatusCode::OK, "the family survived: {}", r.body);
    assert_eq!(r.body["token_type"], "DPoP");
}

#[tokio::test]
async fn discovery_lists_the_dpop_algorithms() {
    let h = Harness::new().await.unwrap();
    let r = send(app(&h), get("/.well-known/openid-configuration")).await;
    let algs = &r.body["dpop_signing_alg_values_supported"];
    assert_eq!(algs[0], json!("ES256"), "{}", r.body);
    assert!(!algs.as_array().unwrap().contains(&json!("HS256")));
    assert!(!algs.as_array().unwrap().contains(&json!("none")));
}

#[tokio::test]
async fn browsers_may_send_dpop_and_read_the_nonce() {
    let h = Harness::new().await.unwrap();
    let preflight = Request::builder()
        .method(Method::OPTIONS)
        .uri("/oauth/token")
        .header("origin", "https://app.example.com")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type,dpop")
        .body(Body::empty())
        .unwrap();
    let r = send(app(&h), preflight).await;
    assert!(
        r.header("access-control-allow-headers")
            .unwrap()
            .contains("dpop")
    );
    let mut req = get("/healthz");
    req.headers_mut()
        .insert("origin", "https://app.example.com".parse().unwrap());
    let r = send(app(&h), req).await;
    assert!(
        r.header("access-control-expose-headers")
            .unwrap()
            .contains("dpop-nonce")
    );
}
