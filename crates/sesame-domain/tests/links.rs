//! Magic links on the whole service over the testkit's in-memory adapters:
//! a GET never spends a link, the POST does once, the authorization code it
//! yields is exchanged once with PKCE, and every bad link gets its answer.

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
    CodeGrant, CodeGrantError, GrantError, LinkError, LinkRedirect, LinkRequest, RefreshGrant,
    StartError, TokenError, TokenRequest,
};
use sesame_domain::{
    Client, ClientId, GrantType, MagicLinkSettings, RawAuthParams, Recipient, SendMode,
};
use sesame_testkit::harness::defaults::{self, CALLBACK_URL};
use sesame_testkit::{Harness, fixtures};
use sha2::{Digest as _, Sha256};

const VERIFIER: &str = "a-verifier-of-at-least-forty-three-characters-long";

fn challenge_of(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn pkce_params() -> RawAuthParams {
    RawAuthParams {
        scope: Some("openid email".to_owned()),
        state: Some("st&te".to_owned()),
        nonce: Some("n-0815".to_owned()),
        code_challenge: Some(challenge_of(VERIFIER)),
        code_challenge_method: Some("S256".to_owned()),
        ..RawAuthParams::default()
    }
}

/// Starts a link login for `who` as the public client with `params`.
async fn start_link(h: &Harness, who: &Recipient, params: RawAuthParams) -> Result<(), StartError> {
    let mut req = Harness::start_request(who);
    req.client = Harness::public();
    req.send = SendMode::Link;
    req.auth_params = params;
    h.service.start(req).await.map(|_| ())
}

/// The link request the browser would send back for the last link to `who`.
fn link_request(h: &Harness, who: &Recipient) -> LinkRequest {
    h.link_request_for(who).expect("a magic link was sent")
}

fn code_of(redirect: &LinkRedirect) -> String {
    match redirect {
        LinkRedirect::Code { code, .. } => code.expose_secret().to_owned(),
        LinkRedirect::Fragment { .. } => panic!("expected a code"),
    }
}

/// Spends the last link to `who` and returns the authorization code it
/// redirected with.
async fn spend_link(h: &Harness, who: &Recipient) -> String {
    code_of(&h.service.redeem_link(link_request(h, who)).await.unwrap())
}

fn code_grant(code: &str, verifier: Option<&str>) -> CodeGrant {
    CodeGrant {
        code: SecretString::from(code.to_owned()),
        redirect_uri: Some(CALLBACK_URL.to_owned()),
        code_verifier: verifier.map(|v| SecretString::from(v.to_owned())),
    }
}

fn exchange(code: &str, verifier: Option<&str>) -> TokenRequest {
    TokenRequest::new(Harness::public(), code_grant(code, verifier))
}

fn claims(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

#[tokio::test]
async fn a_link_carries_a_long_random_token_not_the_code() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    start_link(&h, &who, pkce_params()).await.unwrap();
    let req = link_request(&h, &who);
    let token = req.verification_code.expose_secret();
    assert!(
        URL_SAFE_NO_PAD.decode(token).unwrap().len() * 8 >= 128,
        "{token}"
    );
    assert_ne!(Some(token.to_owned()), h.code_for(&who));
    let link = h.outbox.last_link_for(&who).unwrap();
    assert!(link.starts_with(&format!(
        "{}passwordless/verify_redirect?",
        defaults::ISSUER
    )));
}

#[tokio::test]
async fn looking_at_a_link_ten_times_leaves_it_usable_and_the_post_lands_on_the_callback() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    start_link(&h, &who, pkce_params()).await.unwrap();
    for _ in 0..10 {
        let preview = h
            .service
            .inspect_link(link_request(&h, &who))
            .await
            .unwrap();
        assert_eq!(preview.application_name, defaults::APPLICATION_NAME);
        assert_eq!(preview.redirect_uri.as_str(), CALLBACK_URL);
    }
    let redirect = h.service.redeem_link(link_request(&h, &who)).await.unwrap();
    let location = redirect.location();
    assert!(
        location.starts_with(&format!("{CALLBACK_URL}?code=")),
        "no redirect_uri at start: the first callback ({location})"
    );
    assert!(location.ends_with("&state=st%26te"), "{location}");
}

#[tokio::test]
async fn a_link_is_spent_once_and_then_reads_as_used() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    start_link(&h, &who, pkce_params()).await.unwrap();
    h.service.redeem_link(link_request(&h, &who)).await.unwrap();
    let again = h.service.redeem_link(link_request(&h, &who)).await;
    assert!(matches!(again, Err(LinkError::Used)), "{again:?}");
    let look = h.service.inspect_link(link_request(&h, &who)).await;
    assert!(matches!(look, Err(LinkError::Used)));
    let code = h.code_for(&who).unwrap();
    assert!(
        h.redeem(&who, &code).await.is_err(),
        "the code went with the link"
    );
}

#[tokio::test]
async fn the_code_is_exchanged_once_with_the_pkce_verifier_and_carries_the_nonce() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    start_link(&h, &who, pkce_params()).await.unwrap();
    let code = spend_link(&h, &who).await;
    let tokens = h
        .service
        .token(exchange(&code, Some(VERIFIER)))
        .await
        .unwrap();
    assert!(
        tokens.refresh_token().is_none(),
        "Auth0 gives links no refresh token"
    );
    let id = claims(tokens.id_token().unwrap());
    assert_eq!(id["nonce"], "n-0815");
    assert_eq!(id["email"], who.as_str());
    let replay = h.service.token(exchange(&code, Some(VERIFIER))).await;
    assert!(matches!(
        replay,
        Err(TokenError::Grant(GrantError::AuthorizationCode(
            CodeGrantError::InvalidGrant
        )))
    ));
}

#[tokio::test]
async fn a_wrong_or_missing_verifier_fails_and_burns_the_code() {
    let h = Harness::new().await.unwrap();
    for verifier in [Some("x".repeat(43)), None] {
        let who = fixtures::fresh_email();
        start_link(&h, &who, pkce_params()).await.unwrap();
        let code = spend_link(&h, &who).await;
        let r = h.service.token(exchange(&code, verifier.as_deref())).await;
        assert!(
            matches!(
                r,
                Err(TokenError::Grant(GrantError::AuthorizationCode(
                    CodeGrantError::InvalidVerifier
                )))
            ),
            "{r:?}"
        );
        let r = h.service.token(exchange(&code, Some(VERIFIER))).await;
        assert!(
            matches!(
                r,
                Err(TokenError::Grant(GrantError::AuthorizationCode(
                    CodeGrantError::InvalidGrant
                )))
            ),
            "{r:?}"
        );
    }
}

#[tokio::test]
async fn a_code_is_bound_to_its_client_its_callback_and_its_minute() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    start_link(&h, &who, pkce_params()).await.unwrap();
    let code = spend_link(&h, &who).await;
    let mut other_client = exchange(&code, Some(VERIFIER));
    other_client.client = Harness::confidential();
    let r = h.service.token(other_client).await;
    assert!(
        matches!(
            r,
            Err(TokenError::Grant(GrantError::AuthorizationCode(
                CodeGrantError::InvalidGrant
            )))
        ),
        "{r:?}"
    );

    start_link(&h, &who, pkce_params()).await.unwrap();
    let code = spend_link(&h, &who).await;
    let mut other_uri = code_grant(&code, Some(VERIFIER));
    other_uri.redirect_uri = Some("https://app.sesame.test/other".to_owned());
    let r = h
        .service
        .token(TokenRequest::new(Harness::public(), other_uri))
        .await;
    assert!(
        matches!(
            r,
            Err(TokenError::Grant(GrantError::AuthorizationCode(
                CodeGrantError::InvalidGrant
            )))
        ),
        "{r:?}"
    );

    start_link(&h, &who, pkce_params()).await.unwrap();
    let code = spend_link(&h, &who).await;
    h.clock.advance(Duration::from_secs(60));
    let r = h.service.token(exchange(&code, Some(VERIFIER))).await;
    assert!(
        matches!(
            r,
            Err(TokenError::Grant(GrantError::AuthorizationCode(
                CodeGrantError::InvalidGrant
            )))
        ),
        "{r:?}"
    );
}

fn refreshing_public_client() -> Client {
    Client {
        magic_link: MagicLinkSettings {
            refresh_tokens: true,
            ..MagicLinkSettings::default()
        },
        ..defaults::public_client()
    }
}

#[tokio::test]
async fn replaying_a_code_revokes_the_refresh_token_its_exchange_produced() {
    let h = Harness::builder()
        .without_default_registrations()
        .with_client(refreshing_public_client())
        .build()
        .await
        .unwrap();
    let who = fixtures::fresh_email();
    let mut params = pkce_params();
    params.scope = Some("openid offline_access".to_owned());
    start_link(&h, &who, params).await.unwrap();
    let code = spend_link(&h, &who).await;
    let tokens = h
        .service
        .token(exchange(&code, Some(VERIFIER)))
        .await
        .unwrap();
    let refresh = tokens
        .refresh_token()
        .expect("this client allows refresh tokens")
        .to_owned();
    let replay = h.service.token(exchange(&code, Some(VERIFIER))).await;
    assert!(matches!(
        replay,
        Err(TokenError::Grant(GrantError::AuthorizationCode(
            CodeGrantError::InvalidGrant
        )))
    ));
    let req = TokenRequest::new(
        Harness::public(),
        RefreshGrant {
            refresh_token: SecretString::from(refresh),
            scope: None,
        },
    );
    assert!(h.service.token(req).await.is_err(), "the family is revoked");
}

#[tokio::test]
async fn a_tampered_link_and_an_unknown_address_get_the_same_answer() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    start_link(&h, &who, pkce_params()).await.unwrap();
    let mut tampered = link_request(&h, &who);
    tampered.verification_code = SecretString::from("A".repeat(43));
    let mut stranger = link_request(&h, &who);
    stranger.email = fixtures::fresh_email().as_str().to_owned();
    let mut other_client = link_request(&h, &who);
    other_client.client_id = ClientId::parse("nobody").unwrap();
    for req in [tampered, stranger, other_client] {
        let r = h.service.inspect_link(req.clone()).await;
        assert!(matches!(r, Err(LinkError::Invalid)), "{r:?}");
        let r = h.service.redeem_link(req).await;
        assert!(matches!(r, Err(LinkError::Invalid)), "{r:?}");
    }
    h.service
        .inspect_link(link_request(&h, &who))
        .await
        .expect("wrong tokens count no attempts");
}

#[tokio::test]
async fn an_expired_link_says_so_only_to_its_holder() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    start_link(&h, &who, pkce_params()).await.unwrap();
    h.clock.advance(h.service.config().code_ttl);
    let r = h.service.redeem_link(link_request(&h, &who)).await;
    assert!(matches!(r, Err(LinkError::Expired)), "{r:?}");
    let mut tampered = link_request(&h, &who);
    tampered.verification_code = SecretString::from("B".repeat(43));
    let r = h.service.redeem_link(tampered).await;
    assert!(matches!(r, Err(LinkError::Invalid)), "{r:?}");
}

#[tokio::test]
async fn fragment_answers_need_the_implicit_grant_and_never_carry_a_refresh_token() {
    let mut no_implicit = defaults::public_client();
    no_implicit
        .grant_types
        .retain(|g| *g != GrantType::Implicit);
    let h = Harness::builder()
        .without_default_registrations()
        .with_client(no_implicit)
        .build()
        .await
        .unwrap();
    let who = fixtures::fresh_email();
    let params = RawAuthParams {
        response_type: Some("id_token token".to_owned()),
        ..pkce_params()
    };
    let r = start_link(&h, &who, params.clone()).await;
    assert!(
        matches!(r, Err(StartError::GrantNotAllowed(GrantType::Implicit))),
        "{r:?}"
    );

    let h = Harness::new().await.unwrap();
    start_link(&h, &who, params).await.unwrap();
    let redirect = h.service.redeem_link(link_request(&h, &who)).await.unwrap();
    let location = redirect.location();
    let fragment = location.split_once('#').expect("a fragment").1;
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(fragment.as_bytes())
        .into_owned()
        .collect();
    let names: Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    assert!(
        names.contains(&"access_token") && names.contains(&"id_token"),
        "{names:?}"
    );
    assert!(!names.contains(&"refresh_token"));
    let id = &pairs.iter().find(|(k, _)| k == "id_token").unwrap().1;
    assert_eq!(claims(id)["nonce"], "n-0815");
}

#[tokio::test]
async fn a_link_start_checks_what_the_link_will_need() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    let no_pkce = RawAuthParams::default();
    start_link(&h, &who, no_pkce)
        .await
        .expect("a public client's link without PKCE is answered, as at Auth0");
    let elsewhere = RawAuthParams {
        redirect_uri: Some("https://evil.example/cb".to_owned()),
        ..pkce_params()
    };
    let r = start_link(&h, &who, elsewhere).await;
    assert!(matches!(r, Err(StartError::InvalidAuthParams(_))), "{r:?}");
    let mut req = Harness::start_request(&who);
    req.send = SendMode::Link;
    h.service
        .start(req)
        .await
        .expect("a confidential client may skip PKCE");
    assert_eq!(h.outbox.count(), 2);
}

#[tokio::test]
async fn a_link_whose_callback_was_unregistered_since_never_redirects() {
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    let params = RawAuthParams {
        redirect_uri: Some(CALLBACK_URL.to_owned()),
        ..pkce_params()
    };
    start_link(&h, &who, params).await.unwrap();
    let mut moved = defaults::public_client();
    moved.callbacks = vec!["https://app.sesame.test/new-callback".to_owned()];
    h.registered_clients().upsert(moved);
    let r = h.service.redeem_link(link_request(&h, &who)).await;
    assert!(matches!(r, Err(LinkError::RedirectMismatch)), "{r:?}");
}

#[tokio::test]
async fn a_links_confirmation_is_bound_to_its_token_and_never_is_the_token() {
    let h = Harness::new().await.unwrap();
    let c = h.service.link_confirmation("token-a");
    assert_eq!(c.len(), 64);
    assert!(!c.contains("token-a"));
    assert!(h.service.confirms_link("token-a", &c));
    assert!(!h.service.confirms_link("token-b", &c), "bound to its link");
    assert_ne!(h.service.link_confirmation("token-b"), c);
    assert!(!h.service.confirms_link("token-a", "token-a"));
    assert!(!h.service.confirms_link("token-a", ""));
}

#[tokio::test]
async fn a_code_exchange_with_a_dpop_proof_binds_the_tokens_like_any_grant() {
    use sesame_domain::ports::Clock as _;
    let h = Harness::new().await.unwrap();
    let who = fixtures::fresh_email();
    start_link(&h, &who, pkce_params()).await.unwrap();
    let code = spend_link(&h, &who).await;
    let key = sesame_testkit::dpop::DpopKey::es256_test_key(0);
    // The public client must include the server nonce.
    let proof = key
        .proof("POST", &format!("{}oauth/token", defaults::ISSUER))
        .iat(h.clock.now().unix_seconds())
        .nonce(Some(&h.service.dpop_nonce()))
        .sign();
    let tokens = h
        .service
        .token(
            exchange(&code, Some(VERIFIER)).with_dpop(sesame_domain::DpopProof::new(proof, "POST")),
        )
        .await
        .unwrap();
    assert_eq!(tokens.token_type, "DPoP");
    assert_eq!(claims(tokens.access_token())["cnf"]["jkt"], key.jkt());
}
