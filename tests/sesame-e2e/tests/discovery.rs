//! OIDC discovery, the JWKS and the health probes, as a client library or
//! an orchestrator sees them.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use serde_json::{Value, json};
use sesame_e2e::{Backend, OTP_GRANT, TestApp};

/// The string at `key` of the discovery document.
fn endpoint<'a>(doc: &'a Value, key: &str) -> &'a str {
    doc[key].as_str().unwrap_or_else(|| panic_missing(key, doc))
}

#[expect(clippy::panic, reason = "a missing key fails the test")]
fn panic_missing(key: &str, doc: &Value) -> ! {
    panic!("no {key} in the discovery document: {doc}")
}

async fn discovery_names_the_issuer_and_endpoints_that_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let reply = app.get("/.well-known/openid-configuration").await;
    let doc = reply.expect_status(200).clone();
    assert!(app.issuer.ends_with('/'));
    assert_eq!(doc["issuer"], app.issuer.as_str());

    for key in [
        "authorization_endpoint",
        "token_endpoint",
        "userinfo_endpoint",
        "jwks_uri",
        "revocation_endpoint",
    ] {
        let url = endpoint(&doc, key);
        assert!(
            url.starts_with(&format!("{}/", app.address)),
            "{key} = {url} is not an absolute URL on {}",
            app.address
        );
    }

    // jwks_uri serves the key set.
    let jwks = app.send(app.client.get(endpoint(&doc, "jwks_uri"))).await;
    let keys = jwks.expect_status(200)["keys"]
        .as_array()
        .expect("a keys array")
        .clone();
    assert!(!keys.is_empty());
    for key in &keys {
        assert!(key["kid"].is_string() && key["kty"].is_string(), "{key}");
        assert!(key.get("d").is_none(), "a private part is published: {key}");
    }

    // token_endpoint takes POSTs (an empty grant is a client error).
    let token = app
        .send(
            app.client
                .post(endpoint(&doc, "token_endpoint"))
                .json(&json!({})),
        )
        .await;
    token.expect_error(400, "invalid_request", None);
    // userinfo_endpoint wants a bearer token; revocation_endpoint a client.
    app.send(app.client.get(endpoint(&doc, "userinfo_endpoint")))
        .await
        .expect_error(401, "invalid_token", None);
    app.send(
        app.client
            .post(endpoint(&doc, "revocation_endpoint"))
            .json(&json!({"token": "x"})),
    )
    .await
    .expect_error(400, "invalid_request", None);

    let grants = doc["grant_types_supported"]
        .as_array()
        .expect("grant_types_supported");
    assert!(grants.contains(&json!(OTP_GRANT)), "{grants:?}");
    assert!(grants.contains(&json!("refresh_token")), "{grants:?}");
    assert!(grants.contains(&json!("authorization_code")), "{grants:?}");
    let algs = doc["id_token_signing_alg_values_supported"]
        .as_array()
        .expect("id_token_signing_alg_values_supported");
    assert!(algs.contains(&json!("RS256")));
}

async fn the_jwks_holds_a_key_for_every_configured_algorithm(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let jwks = app.jwks().await;
    for alg in ["RS256", "ES256"] {
        assert!(
            jwks.keys.iter().any(|k| k
                .common
                .key_algorithm
                .is_some_and(|a| format!("{a:?}") == alg)),
            "no {alg} key in the JWKS"
        );
    }
}

async fn healthz_answers_and_readyz_lists_the_backends(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.expect_status(200)["status"], "ok");

    let ready = app.get("/readyz").await;
    let body = ready.expect_status(200);
    assert_eq!(body["status"], "ok");
    let mut names: Vec<&str> = body["backends"]
        .as_array()
        .expect("a backends list")
        .iter()
        .map(|b| {
            assert_eq!(b["ready"], true, "{b}");
            b["name"].as_str().expect("a backend name")
        })
        .collect();
    names.sort_unstable();
    let expected: &[&str] = match backend {
        Backend::Sqlite => &["sqlite"],
        Backend::PostgresRedis => &["postgres", "redis"],
    };
    assert_eq!(names, expected);
}

sesame_e2e::on_every_backend!(
    discovery_names_the_issuer_and_endpoints_that_answer,
    the_jwks_holds_a_key_for_every_configured_algorithm,
    healthz_answers_and_readyz_lists_the_backends,
);
