//! What every harness registers and is configured with, unless told not to.

use std::time::Duration;

use sesame_domain::{Api, Client, ClientSecretHash, Connection, GrantType, SigningAlg};

/// The issuer of the harness service.
pub const ISSUER: &str = "https://sesame.test/";

/// The id of the default confidential client ("regular web application").
pub const CONFIDENTIAL_CLIENT_ID: &str = "testkit-confidential";
/// The secret of the default confidential client.
pub const CONFIDENTIAL_CLIENT_SECRET: &str = "testkit-confidential-secret-not-for-production";
/// The id of the default public client (native app or SPA): no secret.
pub const PUBLIC_CLIENT_ID: &str = "testkit-public";
/// The display name both default clients carry.
pub const APPLICATION_NAME: &str = "Testkit App";
/// The callback URL both default clients allow.
pub const CALLBACK_URL: &str = "https://app.sesame.test/callback";
/// The web origin both default clients allow.
pub const WEB_ORIGIN: &str = "https://app.sesame.test";

/// The identifier of the default API.
pub const API_IDENTIFIER: &str = "https://api.sesame.test/";
/// How long the default API's access tokens live.
pub const API_TOKEN_LIFETIME: Duration = Duration::from_secs(3_600);
/// How the default API's access tokens are signed.
pub const API_SIGNING_ALG: SigningAlg = SigningAlg::RS256;
/// The permissions the default API defines.
pub const API_SCOPES: [&str; 2] = ["read:messages", "write:messages"];

/// The server secret that keys the harness's MACs (32 bytes).
pub const MAC_SECRET: &[u8; 32] = b"sesame-testkit-mac-secret-32byte";

const ALL_GRANTS: [GrantType; 8] = [
    GrantType::PasswordlessOtp,
    GrantType::RefreshToken,
    GrantType::AuthorizationCode,
    GrantType::Implicit,
    GrantType::ClientCredentials,
    GrantType::MfaOtp,
    GrantType::MfaOob,
    GrantType::MfaRecoveryCode,
];

/// The default confidential client: every grant, both connections, trusts
/// `auth0-forwarded-for`.
#[must_use]
pub fn confidential_client() -> Client {
    Client {
        id: crate::fixtures::client_id(CONFIDENTIAL_CLIENT_ID),
        name: APPLICATION_NAME.to_owned(),
        secret: Some(ClientSecretHash::of(CONFIDENTIAL_CLIENT_SECRET)),
        callbacks: vec![CALLBACK_URL.to_owned()],
        grant_types: ALL_GRANTS.to_vec(),
        connections: vec![Connection::Email, Connection::Sms],
        trust_forwarded_for: true,
        web_origins: vec![WEB_ORIGIN.to_owned()],
        magic_link: sesame_domain::MagicLinkSettings::default(),
        require_dpop: false,
        mfa: None,
        api_grants: Vec::new(),
    }
}

/// The default public client: every grant, both connections, no secret.
#[must_use]
pub fn public_client() -> Client {
    Client {
        id: crate::fixtures::client_id(PUBLIC_CLIENT_ID),
        name: APPLICATION_NAME.to_owned(),
        secret: None,
        callbacks: vec![CALLBACK_URL.to_owned()],
        grant_types: ALL_GRANTS.to_vec(),
        connections: vec![Connection::Email, Connection::Sms],
        trust_forwarded_for: false,
        web_origins: vec![WEB_ORIGIN.to_owned()],
        magic_link: sesame_domain::MagicLinkSettings::default(),
        require_dpop: false,
        mfa: None,
        api_grants: Vec::new(),
    }
}

/// The default API, defining [`API_SCOPES`].
#[must_use]
pub fn api() -> Api {
    Api {
        identifier: API_IDENTIFIER.to_owned(),
        token_lifetime: API_TOKEN_LIFETIME,
        signing_alg: API_SIGNING_ALG,
        scopes: API_SCOPES.iter().map(|s| (*s).to_owned()).collect(),
    }
}
