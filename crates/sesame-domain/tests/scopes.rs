//! Scopes on the whole service: an access token carries only the OIDC
//! scopes and the permissions its API defines, through every grant that
//! mints (OTP, a magic link's code, its fragment, a refresh), and a refresh
//! may narrow the scope but never widen it.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "tests: a failed step should fail loudly"
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret as _, SecretString};
use sesame_domain::service::{
    CodeGrant, GrantError, LinkRedirect, RefreshError, RefreshGrant, TokenError,
};
use sesame_domain::{RawAuthParams, Recipient, SendMode, TokenSet};
use sesame_testkit::harness::defaults::{self, CALLBACK_URL};
use sesame_testkit::{Harness, fixtures};

/// What a greedy client asks for: OIDC scopes, one permission the default
/// API defines, and two it does not.
const GREEDY: &str = "openid admin:all email read:messages offline_access delete:everything";
/// What it gets for the default API.
const GRANTED: &str = "openid email read:messages offline_access";

fn claims(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn access_scope(t: &TokenSet) -> String {
    claims(t.access_token())["scope"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// An OTP login asking for `scope`, for `audience`.
async fn otp_login(
    h: &Harness,
    who: &Recipient,
    scope: &str,
    audience: Option<&str>,
) -> Result<TokenSet, TokenError> {
    h.codes.push("424242");
    h.start(who).await.unwrap();
    let mut grant = Harness::otp_grant(who, "424242");
    grant.scope = Some(scope.to_owned());
    grant.audience = audience.map(str::to_owned);
    h.exchange(grant).await
}

/// Starts a link login as the confidential client (no PKCE needed) and
/// spends it; returns where the browser is sent.
async fn spend_link(h: &Harness, who: &Recipient, params: RawAuthParams) -> LinkRedirect {
    let mut req = Harness::start_request(who);
    req.send = SendMode::Link;
    req.auth_params = params;
    h.service.start(req).await.unwrap();
    let req = h.link_request_for(who).expect("a magic link was sent");
    h.service.redeem_link(req).await.unwrap()
}

fn greedy_params(response_type: Option<&str>) -> RawAuthParams {
    RawAuthParams {
        scope: Some(GREEDY.to_owned()),
        audience: Some(defaults::API_IDENTIFIER.to_owned()),
        response_type: response_type.map(str::to_owned),
        nonce: Some("n-scopes".to_owned()),
        ..RawAuthParams::default()
    }
}

#[tokio::test]
async fn an_otp_login_gets_only_the_oidc_scopes_and_the_permissions_its_api_defines() {
    let h = Harness::new().await.unwrap();
    let t = otp_login(
        &h,
        &fixtures::fresh_email(),
        GREEDY,
        Some(defaults::API_IDENTIFIER),
    )
    .await
    .unwrap();
    assert_eq!(t.scope, GRANTED, "the response says what was granted");
    assert_eq!(access_scope(&t), GRANTED);
}

#[tokio::test]
async fn without_an_api_only_the_oidc_scopes_are_granted() {
    let h = Harness::new().await.unwrap();
    let t = otp_login(&h, &fixtures::fresh_email(), GREEDY, None)
        .await
        .unwrap();
    assert_eq!(t.scope, "openid email offline_access");
    assert_eq!(access_scope(&t), "openid email offline_access");
}

#[tokio::test]
async fn an_api_that_defines_no_permissions_grants_none() {
    let mut bare = defaults::api();
    bare.scopes = Vec::new();
    let h = Harness::new().await.unwrap();
    h.registered_apis().upsert(bare);
    let t = otp_login(
        &h,
        &fixtures::fresh_email(),
        "read:messages phone profile",
        Some(defaults::API_IDENTIFIER),
    )
    .await
    .unwrap();
    assert_eq!(t.scope, "phone profile");
}

#[tokio::test]
async fn a_link_code_exchange_gets_only_the_scopes_the_api_defines() {
    let h = Harness::new().await.unwrap();
    let redirect = spend_link(&h, &fixtures::fresh_email(), greedy_params(None)).await;
    let LinkRedirect::Code { code, .. } = redirect else {
        panic!("expected a code");
    };
    let t = h
        .exchange(CodeGrant {
            code: SecretString::from(code.expose_secret().to_owned()),
            redirect_uri: Some(CALLBACK_URL.to_owned()),
            code_verifier: None,
        })
        .await
        .unwrap();
    // A link gives no refresh token by default, so no offline_access.
    assert_eq!(t.scope, "openid email read:messages");
    assert_eq!(access_scope(&t), "openid email read:messages");
}

#[tokio::test]
async fn a_link_fragment_gets_only_the_scopes_the_api_defines() {
    let h = Harness::new().await.unwrap();
    let redirect = spend_link(&h, &fixtures::fresh_email(), greedy_params(Some("token"))).await;
    let LinkRedirect::Fragment { tokens, .. } = redirect else {
        panic!("expected a fragment");
    };
    assert_eq!(tokens.scope, "openid email read:messages");
    assert_eq!(access_scope(&tokens), "openid email read:messages");
}

#[tokio::test]
async fn a_refresh_gets_only_the_scopes_the_api_still_defines() {
    let h = Harness::new().await.unwrap();
    let t = otp_login(
        &h,
        &fixtures::fresh_email(),
        GREEDY,
        Some(defaults::API_IDENTIFIER),
    )
    .await
    .unwrap();
    let first = h.refresh(t.refresh_token().unwrap()).await.unwrap();
    assert_eq!(first.scope, GRANTED);
    assert_eq!(access_scope(&first), GRANTED);

    // The operator withdraws the permission: the session's next access
    // token no longer carries it.
    let mut withdrawn = defaults::api();
    withdrawn.scopes = vec!["write:messages".to_owned()];
    h.registered_apis().upsert(withdrawn);
    let second = h.refresh(first.refresh_token().unwrap()).await.unwrap();
    assert_eq!(second.scope, "openid email offline_access");
    assert_eq!(access_scope(&second), "openid email offline_access");
}

#[tokio::test]
async fn a_refresh_may_narrow_the_scope_but_never_widen_it() {
    let h = Harness::new().await.unwrap();
    let t = otp_login(
        &h,
        &fixtures::fresh_email(),
        GREEDY,
        Some(defaults::API_IDENTIFIER),
    )
    .await
    .unwrap();
    let rt = t.refresh_token().unwrap().to_owned();
    for wider in ["openid admin:all", "openid write:messages"] {
        let err = h
            .exchange(RefreshGrant {
                refresh_token: SecretString::from(rt.clone()),
                scope: Some(wider.to_owned()),
            })
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                TokenError::Grant(GrantError::RefreshToken(RefreshError::ScopeNotGranted(_)))
            ),
            "{wider}: {err:?}"
        );
    }
    let narrower = h
        .exchange(RefreshGrant {
            refresh_token: SecretString::from(rt),
            scope: Some("read:messages openid".to_owned()),
        })
        .await
        .unwrap();
    assert_eq!(narrower.scope, "read:messages openid");
    assert_eq!(access_scope(&narrower), "read:messages openid");
    // The refresh token keeps the whole grant: the next refresh may ask
    // for it all again.
    let again = h.refresh(narrower.refresh_token().unwrap()).await.unwrap();
    assert_eq!(again.scope, GRANTED);
}
