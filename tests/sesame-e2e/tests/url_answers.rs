//! The answers that travel in a URL, over HTTP on every backend: the seeds'
//! native-app link start (no `authParams`) is answered as at Auth0 and its
//! code is bound to the callback, implicit links need a nonce, an id token
//! beside an access token in the fragment carries `at_hash`, and a code
//! exchange names the `redirect_uri` the start named.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sesame_e2e::callback::param;
use sesame_e2e::jwt::verify;
use sesame_e2e::link::{LinkLogin, code_grant, location_pairs};
use sesame_e2e::{Backend, CALLBACK, IMPLICIT_LINK_CLIENT, LINK_CLIENT, TestApp, fresh_email};
use sha2::{Digest as _, Sha256};

/// The code in the callback's query after confirming `link`.
async fn code_after(app: &TestApp, link: &str) -> String {
    let location = app.redirect_of(link).await;
    let pairs = location_pairs(&location, false);
    param(&pairs, "code").expect("a code").to_owned()
}

/// The seeds' "Send a magic link via email", word for word.
fn seed_start(email: &str) -> Value {
    json!({"client_id": LINK_CLIENT, "connection": "email", "email": email, "send": "link"})
}

/// An exchange without PKCE, naming `redirect_uri` or not.
fn bare_exchange(code: &str, redirect_uri: Option<&str>) -> Value {
    let mut grant = json!({
        "grant_type": "authorization_code",
        "client_id": LINK_CLIENT,
        "code": code,
    });
    if let Some(uri) = redirect_uri {
        grant["redirect_uri"] = uri.into();
    }
    grant
}

async fn the_seeds_native_app_link_start_is_answered_and_its_code_is_bound_to_the_callback(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let link = app.issue_link(&who, &seed_start(who.as_str())).await;
    let code = code_after(&app, &link).await;
    app.token_json(&bare_exchange(&code, None))
        .await
        .expect_error(403, "invalid_grant", Some("Invalid authorization code"));
    // That refusal spent it.
    app.token_json(&bare_exchange(&code, Some(CALLBACK)))
        .await
        .expect_error(403, "invalid_grant", Some("Invalid authorization code"));

    let link = app.issue_link(&who, &seed_start(who.as_str())).await;
    let code = code_after(&app, &link).await;
    let tokens = app
        .token_json(&bare_exchange(&code, Some(CALLBACK)))
        .await
        .expect_status(200)
        .clone();
    assert!(tokens["access_token"].is_string(), "{tokens}");
    app.token_json(&bare_exchange(&code, Some(CALLBACK)))
        .await
        .expect_error(403, "invalid_grant", Some("Invalid authorization code"));
}

async fn an_implicit_link_without_a_nonce_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for response_type in ["token", "id_token", "id_token token"] {
        let mut body = LinkLogin::new(IMPLICIT_LINK_CLIENT)
            .start_body(&fresh_email(), &json!({"response_type": response_type}));
        body["authParams"]
            .as_object_mut()
            .map(|p| p.remove("nonce"));
        app.start(&body).await.expect_error(
            400,
            "bad.authParams",
            Some("error in authParams - nonce is required for response_type token or id_token"),
        );
    }
    assert_eq!(app.outbox.count(), 0);
}

async fn an_id_token_beside_an_access_token_in_the_fragment_carries_at_hash(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let login = LinkLogin::new(IMPLICIT_LINK_CLIENT);
    let body = login.start_body(&who, &json!({"response_type": "id_token token"}));
    let link = app.issue_link(&who, &body).await;
    let location = app.redirect_of(&link).await;
    let pairs = location_pairs(&location, true);
    let access = param(&pairs, "access_token").expect("an access token");
    let id = verify(
        param(&pairs, "id_token").expect("an id token"),
        &app.jwks().await,
        &app.issuer,
        IMPLICIT_LINK_CLIENT,
    );
    assert_eq!(id.claims["nonce"], login.nonce.as_str());
    let digest = Sha256::digest(access.as_bytes());
    assert_eq!(id.claims["at_hash"], URL_SAFE_NO_PAD.encode(&digest[..16]));
}

async fn a_code_exchange_must_name_the_redirect_uri_the_start_named(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let login = LinkLogin::new(LINK_CLIENT);
    let body = login.start_body(&who, &json!({"redirect_uri": CALLBACK}));
    let link = app.issue_link(&who, &body).await;
    let code = code_after(&app, &link).await;
    let mut grant = code_grant(LINK_CLIENT, &code, CALLBACK, &login.pkce.verifier);
    grant.as_object_mut().map(|g| g.remove("redirect_uri"));
    app.token_json(&grant).await.expect_error(
        403,
        "invalid_grant",
        Some("Invalid authorization code"),
    );

    // With PKCE and no redirect_uri at start, the exchange may leave it out.
    let login = LinkLogin::new(LINK_CLIENT);
    let link = app
        .issue_link(&who, &login.start_body(&who, &json!({})))
        .await;
    let code = code_after(&app, &link).await;
    let mut grant = code_grant(LINK_CLIENT, &code, CALLBACK, &login.pkce.verifier);
    grant.as_object_mut().map(|g| g.remove("redirect_uri"));
    app.token_json(&grant).await.expect_status(200);
}

sesame_e2e::on_every_backend!(
    the_seeds_native_app_link_start_is_answered_and_its_code_is_bound_to_the_callback,
    an_implicit_link_without_a_nonce_is_refused,
    an_id_token_beside_an_access_token_in_the_fragment_carries_at_hash,
    a_code_exchange_must_name_the_redirect_uri_the_start_named,
);
