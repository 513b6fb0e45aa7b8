//! `client_credentials`: a confidential client's own token for an API, with
//! only the scopes of its client grant (`[[clients.api_grants]]`), on the
//! testkit harness.

#![expect(
    clippy::unwrap_used,
    clippy::panic,
    reason = "test helpers: a broken step should fail the test loudly"
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;
use sesame_domain::mfa::MfaPolicy;
use sesame_domain::service::{
    ClientCredentials, ClientCredentialsError, ClientCredentialsGrant, GrantError, TokenError,
    TokenRequest,
};
use sesame_domain::{ApiGrant, ClientId, ClientSecretHash, GrantType, TokenSet};
use sesame_testkit::Harness;
use sesame_testkit::harness::defaults::{API_IDENTIFIER, confidential_client, public_client};

const M2M: &str = "m2m-backend";
const M2M_SECRET: &str = "a machine's secret, long enough";

fn m2m_client(grants: Vec<ApiGrant>) -> sesame_domain::Client {
    let mut c = confidential_client();
    c.id = ClientId::parse(M2M).unwrap();
    c.secret = Some(ClientSecretHash::of(M2M_SECRET));
    c.api_grants = grants;
    c
}

async fn harness(policy: MfaPolicy) -> Harness {
    let grants = vec![
        ApiGrant {
            audience: API_IDENTIFIER.into(),
            scopes: vec!["read:messages".into()],
        },
        ApiGrant {
            audience: "https://sesame.test/api/v2/".into(),
            scopes: vec!["read:users".into(), "delete:users".into()],
        },
    ];
    Harness::builder()
        .configure(move |c| c.mfa.require = policy)
        .with_client(m2m_client(grants))
        .build()
        .await
        .unwrap()
}

fn m2m() -> ClientCredentials {
    ClientCredentials {
        client_id: ClientId::parse(M2M).unwrap(),
        client_secret: Some(SecretString::from(M2M_SECRET)),
    }
}

async fn ask(
    h: &Harness,
    creds: ClientCredentials,
    audience: Option<&str>,
    scope: Option<&str>,
) -> Result<TokenSet, TokenError> {
    h.service
        .token(TokenRequest::new(
            creds,
            ClientCredentialsGrant {
                audience: audience.map(str::to_owned),
                scope: scope.map(str::to_owned),
            },
        ))
        .await
}

fn claims(jwt: &str) -> serde_json::Value {
    let payload = jwt.split('.').nth(1).unwrap();
    serde_json::from_slice(&URL_SAFE_NO_PAD.decode(payload).unwrap()).unwrap()
}

fn refusal(e: &TokenError) -> &ClientCredentialsError {
    match e {
        TokenError::Grant(GrantError::ClientCredentials(c)) => c,
        other => panic!("expected a client_credentials refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn a_client_gets_its_own_token_with_the_scopes_of_its_grant() {
    // MFA applies to users only: a client's own token is never asked for it.
    let h = harness(MfaPolicy::Always).await;
    let tokens = ask(&h, m2m(), Some(API_IDENTIFIER), None).await.unwrap();
    assert_eq!(tokens.scope, "read:messages");
    assert!(tokens.id_token.is_none() && tokens.refresh_token.is_none());
    assert_eq!(tokens.token_type, "Bearer");
    assert_eq!(tokens.expires_in, 3600, "the API's lifetime");
    let c = claims(tokens.access_token());
    assert_eq!(c["sub"], format!("{M2M}@clients"));
    assert_eq!(c["gty"], "client-credentials");
    assert_eq!(c["azp"], M2M);
    assert_eq!(
        c["aud"],
        serde_json::json!([API_IDENTIFIER]),
        "no userinfo audience"
    );
}

#[tokio::test]
async fn a_scope_outside_the_grant_or_the_api_is_dropped() {
    let h = harness(MfaPolicy::Never).await;
    let tokens = ask(
        &h,
        m2m(),
        Some(API_IDENTIFIER),
        Some("read:messages write:messages openid offline_access"),
    )
    .await
    .unwrap();
    assert_eq!(tokens.scope, "read:messages");
    let none = ask(&h, m2m(), Some(API_IDENTIFIER), Some("write:messages"))
        .await
        .unwrap();
    assert_eq!(none.scope, "");
}

#[tokio::test]
async fn the_management_api_is_built_in() {
    let h = harness(MfaPolicy::Never).await;
    let audience = h.service.management_audience();
    assert_eq!(audience, "https://sesame.test/api/v2/");
    let tokens = ask(&h, m2m(), Some(&audience), Some("read:users update:users"))
        .await
        .unwrap();
    assert_eq!(
        tokens.scope, "read:users",
        "update:users is not in the grant"
    );
    assert_eq!(tokens.expires_in, 86_400);
}

#[tokio::test]
async fn an_api_without_a_client_grant_is_access_denied_in_auth0s_words() {
    let h = harness(MfaPolicy::Never).await;
    let err = ask(&h, Harness::confidential(), Some(API_IDENTIFIER), None)
        .await
        .unwrap_err();
    assert!(matches!(
        refusal(&err),
        ClientCredentialsError::NoClientGrant(_)
    ));
    assert_eq!(
        err.to_string(),
        "Client is not authorized to access \"https://api.sesame.test/\". You need to create a client-grant associated to this API."
    );
    let err = ask(&h, m2m(), None, None).await.unwrap_err();
    assert!(matches!(refusal(&err), ClientCredentialsError::NoAudience));
    let err = ask(&h, m2m(), Some("https://nope.example/"), None)
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::UnknownAudience(_)), "{err:?}");
}

#[tokio::test]
async fn a_public_client_or_a_wrong_secret_gets_nothing() {
    let h = harness(MfaPolicy::Never).await;
    assert!(
        public_client()
            .grant_types
            .contains(&GrantType::ClientCredentials)
    );
    let err = ask(&h, Harness::public(), Some(API_IDENTIFIER), None)
        .await
        .unwrap_err();
    assert!(matches!(
        refusal(&err),
        ClientCredentialsError::PublicClient
    ));
    let mut wrong = m2m();
    wrong.client_secret = Some(SecretString::from("not the secret at all"));
    let err = ask(&h, wrong, Some(API_IDENTIFIER), None)
        .await
        .unwrap_err();
    assert!(matches!(err, TokenError::InvalidClient), "{err:?}");
}

#[tokio::test]
async fn a_client_without_the_grant_type_is_refused() {
    let mut client = m2m_client(vec![ApiGrant {
        audience: API_IDENTIFIER.into(),
        scopes: vec![],
    }]);
    client.grant_types = vec![GrantType::PasswordlessOtp];
    let h = Harness::builder()
        .with_client(client)
        .build()
        .await
        .unwrap();
    let err = ask(&h, m2m(), Some(API_IDENTIFIER), None)
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            TokenError::GrantNotAllowed(GrantType::ClientCredentials)
        ),
        "{err:?}"
    );
}
