//! The answers that travel in a URL (issue 14, item 5): implicit links need
//! a nonce, an id token next to an access token in a fragment carries
//! `at_hash`, a code exchange names the `redirect_uri` the start named, and
//! a public client's link without PKCE is answered as at Auth0, its code
//! bound to the callback, single-use and good for a minute.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "tests: a failed step should fail loudly"
)]

use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret as _, SecretString};
use sesame_domain::service::{
    ClientCredentials, CodeGrant, CodeGrantError, GrantError, LinkRedirect, StartError, TokenError,
    TokenRequest,
};
use sesame_domain::{RawAuthParams, Recipient, SendMode};
use sesame_testkit::harness::defaults::{self, CALLBACK_URL};
use sesame_testkit::{Harness, fixtures};
use sha2::{Digest as _, Sha256};

fn claims(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

/// Starts a link login for `who` as `client` with `params`.
async fn start_link(
    h: &Harness,
    client: ClientCredentials,
    who: &Recipient,
    params: RawAuthParams,
) -> Result<(), StartError> {
    let mut req = Harness::start_request(who);
    req.client = client;
    req.send = SendMode::Link;
    req.auth_params = params;
    h.service.start(req).await.map(|_| ())
}

/// Spends the last link to `who`.
async fn spend(h: &Harness, who: &Recipient) -> LinkRedirect {
    let req = h.link_request_for(who).expect("a magic link was sent");
    h.service.redeem_link(req).await.unwrap()
}

fn code_of(redirect: &LinkRedirect) -> String {
    match redirect {
        LinkRedirect::Code { code, .. } => code.expose_secret().to_owned(),
        LinkRedirect::Fragment { .. } => panic!("expected a code"),
    }
}

fn exchange(client: ClientCredentials, code: &str, redirect_uri: Option<&str>) -> TokenRequest {
    TokenRequest::new(
        client,
        CodeGrant {
            code: SecretString::from(code.to_owned()),
            redirect_uri: redirect_uri.map(str::to_owned),
            code_verifier: None,
        },
    )
}

fn is_invalid_grant(r: &Result<sesame_domain::TokenSet, TokenError>) -> bool {
    matches!(
        r,
        Err(TokenError::Grant(GrantError::AuthorizationCode(
            CodeGrantError::InvalidGrant
        )))
    )
}

#[tokio::test]
async fn an_implicit_link_without_a_nonce_is_refused_at_start() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    for response_type in ["token", "id_token", "id_token token"] {
        let params = RawAuthParams {
            response_type: Some(response_type.to_owned()),
            ..RawAuthParams::default()
        };
        let r = start_link(&h, Harness::confidential(), &who, params.clone()).await;
        assert!(
            matches!(&r, Err(StartError::InvalidAuthParams(m)) if m.contains("nonce")),
            "{response_type}: {r:?}"
        );
        let with_nonce = RawAuthParams {
            nonce: Some("n-1".to_owned()),
            ..params
        };
        start_link(&h, Harness::confidential(), &who, with_nonce)
            .await
            .unwrap();
    }
    assert_eq!(
        h.outbox.count(),
        3,
        "only the starts with a nonce sent a link"
    );
}

#[tokio::test]
async fn an_id_token_beside_an_access_token_in_a_fragment_carries_its_at_hash() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    let params = RawAuthParams {
        response_type: Some("id_token token".to_owned()),
        nonce: Some("n-2".to_owned()),
        ..RawAuthParams::default()
    };
    start_link(&h, Harness::confidential(), &who, params)
        .await
        .unwrap();
    let LinkRedirect::Fragment { tokens, .. } = spend(&h, &who).await else {
        panic!("expected a fragment");
    };
    let id = claims(tokens.id_token().unwrap());
    let digest = Sha256::digest(tokens.access_token());
    assert_eq!(id["at_hash"], URL_SAFE_NO_PAD.encode(&digest[..16]));

    // Alone in a fragment, or from the token endpoint, there is no access
    // token beside it to vouch for.
    let params = RawAuthParams {
        response_type: Some("id_token".to_owned()),
        nonce: Some("n-3".to_owned()),
        ..RawAuthParams::default()
    };
    start_link(&h, Harness::confidential(), &who, params)
        .await
        .unwrap();
    let LinkRedirect::Fragment { tokens, .. } = spend(&h, &who).await else {
        panic!("expected a fragment");
    };
    assert!(claims(tokens.id_token().unwrap()).get("at_hash").is_none());
    let t = h.login(&fixtures::fresh_email()).await.unwrap();
    assert!(claims(t.id_token().unwrap()).get("at_hash").is_none());
}

#[tokio::test]
async fn a_code_exchange_must_name_the_redirect_uri_the_start_named() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    let named = RawAuthParams {
        redirect_uri: Some(CALLBACK_URL.to_owned()),
        ..RawAuthParams::default()
    };
    start_link(&h, Harness::confidential(), &who, named.clone())
        .await
        .unwrap();
    let code = code_of(&spend(&h, &who).await);
    let r = h
        .service
        .token(exchange(Harness::confidential(), &code, None))
        .await;
    assert!(is_invalid_grant(&r), "{r:?}");
    let r = h
        .service
        .token(exchange(Harness::confidential(), &code, Some(CALLBACK_URL)))
        .await;
    assert!(is_invalid_grant(&r), "the refused exchange spent the code");

    start_link(&h, Harness::confidential(), &who, named)
        .await
        .unwrap();
    let code = code_of(&spend(&h, &who).await);
    h.service
        .token(exchange(Harness::confidential(), &code, Some(CALLBACK_URL)))
        .await
        .unwrap();

    // A confidential client's start that named none may leave it out.
    start_link(&h, Harness::confidential(), &who, RawAuthParams::default())
        .await
        .unwrap();
    let code = code_of(&spend(&h, &who).await);
    h.service
        .token(exchange(Harness::confidential(), &code, None))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_public_clients_link_without_pkce_is_sent_and_its_code_is_bound_to_the_callback() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    // The seeds' native-app example: no authParams at all.
    start_link(&h, Harness::public(), &who, RawAuthParams::default())
        .await
        .expect("answered as Auth0 does");
    let code = code_of(&spend(&h, &who).await);
    let r = h
        .service
        .token(exchange(Harness::public(), &code, None))
        .await;
    assert!(is_invalid_grant(&r), "the callback binds it: {r:?}");

    start_link(&h, Harness::public(), &who, RawAuthParams::default())
        .await
        .unwrap();
    let code = code_of(&spend(&h, &who).await);
    let elsewhere = "https://app.sesame.test/elsewhere";
    let r = h
        .service
        .token(exchange(Harness::public(), &code, Some(elsewhere)))
        .await;
    assert!(is_invalid_grant(&r), "{r:?}");

    start_link(&h, Harness::public(), &who, RawAuthParams::default())
        .await
        .unwrap();
    let code = code_of(&spend(&h, &who).await);
    let t = h
        .service
        .token(exchange(Harness::public(), &code, Some(CALLBACK_URL)))
        .await
        .unwrap();
    assert!(t.id_token().is_some());
    let replay = h
        .service
        .token(exchange(Harness::public(), &code, Some(CALLBACK_URL)))
        .await;
    assert!(is_invalid_grant(&replay), "single use");

    start_link(&h, Harness::public(), &who, RawAuthParams::default())
        .await
        .unwrap();
    let code = code_of(&spend(&h, &who).await);
    h.clock.advance(Duration::from_secs(60));
    let late = h
        .service
        .token(exchange(Harness::public(), &code, Some(CALLBACK_URL)))
        .await;
    assert!(is_invalid_grant(&late), "good for a minute");
}

#[tokio::test]
async fn a_client_that_requires_pkce_gets_no_link_and_no_tokens_without_it() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    // A code issued before the operator turned require_pkce on.
    start_link(&h, Harness::public(), &who, RawAuthParams::default())
        .await
        .unwrap();
    let code = code_of(&spend(&h, &who).await);

    let mut strict = defaults::public_client();
    strict.magic_link.require_pkce = true;
    h.registered_clients().upsert(strict);
    let r = start_link(&h, Harness::public(), &who, RawAuthParams::default()).await;
    assert!(
        matches!(&r, Err(StartError::InvalidAuthParams(m)) if m.contains("code_challenge")),
        "{r:?}"
    );
    let r = h
        .service
        .token(exchange(Harness::public(), &code, Some(CALLBACK_URL)))
        .await;
    assert!(
        matches!(
            r,
            Err(TokenError::Grant(GrantError::AuthorizationCode(
                CodeGrantError::InvalidVerifier
            )))
        ),
        "{r:?}"
    );
}
