//! Revocation, `/userinfo`, the JWKS, discovery and the health probes.

use axum::body::Body;
use http::{Request, StatusCode};
use secrecy::ExposeSecret;
use serde_json::json;
use sesame_domain::ports::StoreError;
use sesame_domain::service::{BackendStatus, Profile, RevokeError, RevokeRequest, UserinfoError};

use crate::common::*;

#[tokio::test]
async fn revoking_answers_200_with_an_empty_body() {
    let seen: Captured<RevokeRequest> = slot();
    let mut m = mock();
    let s = seen.clone();
    m.revocation.expect_revoke().times(1).returning(move |req| {
        *s.lock().unwrap() = Some(req);
        Ok(())
    });
    let r = send(
        app(m),
        post_json(
            "/oauth/revoke",
            &json!({"client_id": "app", "token": "rt-1", "token_type_hint": "refresh_token"}),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.raw.is_empty());
    let req = taken(&seen);
    assert_eq!(req.client.client_id.as_str(), "app");
    assert_eq!(req.token.expose_secret(), "rt-1");
}

#[tokio::test]
async fn revoking_needs_a_token_and_a_valid_client() {
    let r = send(app(mock()), post_form("/oauth/revoke", "client_id=app")).await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Missing required parameter: token",
    );
    let mut m = mock();
    m.revocation
        .expect_revoke()
        .returning(|_| Err(RevokeError::InvalidClient));
    let r = send(app(m), post_form("/oauth/revoke", "client_id=app&token=x")).await;
    r.assert_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    let mut m = mock();
    m.revocation
        .expect_revoke()
        .returning(|_| Err(RevokeError::Unavailable(anyhow::anyhow!("down"))));
    let r = send(app(m), post_form("/oauth/revoke", "client_id=app&token=x")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
}

fn profile() -> Profile {
    Profile {
        sub: "email|abc".into(),
        email: Some("a@example.com".into()),
        email_verified: Some(true),
        phone_number: None,
        phone_verified: None,
        name: "a@example.com".into(),
        nickname: "a".into(),
        updated_at: "2026-01-01T00:00:00.000Z".into(),
    }
}

fn bearer(token: &str) -> Request<Body> {
    Request::get("/userinfo")
        .header("authorization", format!("Bearer {token}"))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn userinfo_answers_the_profile_of_a_valid_token() {
    let mut m = mock();
    m.userinfo
        .expect_userinfo()
        .withf(|t| t == "at.jwt")
        .returning(|_| Ok(profile()));
    let r = send(app(m), bearer("at.jwt")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.body,
        json!({"sub": "email|abc", "email": "a@example.com", "email_verified": true,
               "name": "a@example.com", "nickname": "a", "updated_at": "2026-01-01T00:00:00.000Z"})
    );
}

#[tokio::test]
async fn userinfo_without_or_with_a_bad_token_is_401_with_a_bearer_challenge() {
    let r = send(app(mock()), get("/userinfo")).await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::UNAUTHORIZED, "invalid_token")
    );
    assert_eq!(
        r.header("www-authenticate"),
        Some(r#"Bearer error="invalid_token""#)
    );
    let mut m = mock();
    m.userinfo
        .expect_userinfo()
        .returning(|_| Err(UserinfoError::InvalidToken));
    let r = send(app(m), bearer("forged")).await;
    r.assert_error(
        StatusCode::UNAUTHORIZED,
        "invalid_token",
        "The access token is invalid or has expired.",
    );
    assert_eq!(
        r.header("www-authenticate"),
        Some(r#"Bearer error="invalid_token""#)
    );
}

#[tokio::test]
async fn userinfo_on_a_dead_backend_is_503_not_401() {
    let mut m = mock();
    m.userinfo
        .expect_userinfo()
        .returning(|_| Err(UserinfoError::Unavailable(anyhow::anyhow!("down"))));
    let r = send(app(m), bearer("at")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(r.header("www-authenticate").is_none());
}

#[tokio::test]
async fn the_jwks_is_served_cacheable_and_a_dead_key_store_is_503() {
    let mut m = mock();
    let key = json!({"alg": "EdDSA", "crv": "Ed25519", "kid": "k1", "kty": "OKP", "use": "sig", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"});
    let keys = json!({"keys": [key]});
    let served = keys.clone();
    m.discovery
        .expect_jwks()
        .returning(move || Ok(served.clone()));
    let r = send(app(m), get("/.well-known/jwks.json")).await;
    assert_eq!(r.body, keys);
    assert_eq!(r.raw, serde_json::to_vec(&keys).unwrap());
    assert_eq!(r.header("cache-control"), Some("public, max-age=60"));
    let mut m = mock();
    m.discovery
        .expect_jwks()
        .returning(|| Err(StoreError::Unavailable(anyhow::anyhow!("down"))));
    let r = send(app(m), get("/.well-known/jwks.json")).await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable")
    );
}

#[tokio::test]
async fn discovery_derives_every_endpoint_from_the_issuer() {
    let r = send(app(mock()), get("/.well-known/openid-configuration")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let d = &r.body;
    assert_eq!(d["issuer"], ISSUER);
    assert_eq!(
        d["authorization_endpoint"],
        "https://auth.example.com/authorize"
    );
    assert_eq!(d["token_endpoint"], "https://auth.example.com/oauth/token");
    assert_eq!(d["userinfo_endpoint"], "https://auth.example.com/userinfo");
    assert_eq!(
        d["jwks_uri"],
        "https://auth.example.com/.well-known/jwks.json"
    );
    assert_eq!(
        d["revocation_endpoint"],
        "https://auth.example.com/oauth/revoke"
    );
    assert_eq!(d["subject_types_supported"], json!(["public"]));
    assert_eq!(
        d["id_token_signing_alg_values_supported"],
        json!(["RS256", "ES256", "EdDSA"])
    );
    assert_eq!(d["code_challenge_methods_supported"], json!(["S256"]));
    assert_eq!(
        d["token_endpoint_auth_methods_supported"],
        json!(["client_secret_basic", "client_secret_post", "none"])
    );
    let grants = d["grant_types_supported"].as_array().unwrap();
    assert!(grants.contains(&json!("http://auth0.com/oauth/grant-type/passwordless/otp")));
    assert!(grants.contains(&json!("refresh_token")));
    assert!(grants.contains(&json!("authorization_code")), "magic links");
    assert!(grants.contains(&json!("implicit")), "fragment answers");
    assert_eq!(d["response_modes_supported"], json!(["query", "fragment"]));
}

#[tokio::test]
async fn healthz_is_always_ok() {
    let r = send(app(mock()), get("/healthz")).await;
    assert_eq!(
        (r.status, r.body.clone()),
        (StatusCode::OK, json!({"status": "ok"}))
    );
}

#[tokio::test]
async fn readyz_is_503_while_any_backend_is_down_and_lists_them() {
    let mut m = mock();
    m.readiness.expect_readiness().returning(|| {
        vec![
            BackendStatus {
                name: "postgres",
                ready: true,
            },
            BackendStatus {
                name: "redis",
                ready: false,
            },
        ]
    });
    let r = send(app(m), get("/readyz")).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        r.body["backends"],
        json!([{"name": "postgres", "ready": true}, {"name": "redis", "ready": false}])
    );
    let mut m = mock();
    m.readiness.expect_readiness().returning(|| {
        vec![BackendStatus {
            name: "postgres",
            ready: true,
        }]
    });
    let r = send(app(m), get("/readyz")).await;
    assert_eq!(r.status, StatusCode::OK);
}
