//! Applications that may ask for codes and tokens, and the APIs they ask for.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::recipient::Connection;

/// An application's public identifier: 1 to 256 characters, none of them a
/// control character.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);

/// Empty, longer than 256 characters, or holding a control character.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a client id is 1 to 256 characters, none of them a control character")]
pub struct InvalidClientId;

impl ClientId {
    /// The longest identifier accepted.
    pub const MAX_LEN: usize = 256;

    /// Parses an identifier; lookups then decide whether it names a client.
    ///
    /// # Errors
    /// [`InvalidClientId`] when it is empty, too long or has a control
    /// character.
    pub fn parse(id: impl Into<String>) -> Result<Self, InvalidClientId> {
        let id = id.into();
        if id.is_empty() || id.len() > Self::MAX_LEN || id.chars().any(char::is_control) {
            return Err(InvalidClientId);
        }
        Ok(Self(id))
    }

    /// The identifier.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ClientId {
    type Error = InvalidClientId;

    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(s)
    }
}

impl From<ClientId> for String {
    fn from(id: ClientId) -> Self {
        id.0
    }
}

/// A grant an application may use at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GrantType {
    /// `http://auth0.com/oauth/grant-type/passwordless/otp`
    PasswordlessOtp,
    /// `refresh_token`
    RefreshToken,
    /// `authorization_code`, used by magic links.
    AuthorizationCode,
    /// `implicit`: fragment responses from magic links.
    Implicit,
    /// `client_credentials`: the client's own token for an API.
    ClientCredentials,
    /// `http://auth0.com/oauth/grant-type/mfa-otp`
    MfaOtp,
    /// `http://auth0.com/oauth/grant-type/mfa-oob`
    MfaOob,
    /// `http://auth0.com/oauth/grant-type/mfa-recovery-code`
    MfaRecoveryCode,
}

impl GrantType {
    /// Auth0's name for the passwordless OTP grant.
    pub const PASSWORDLESS_OTP: &'static str = "http://auth0.com/oauth/grant-type/passwordless/otp";

    /// The wire name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::PasswordlessOtp => Self::PASSWORDLESS_OTP,
            Self::RefreshToken => "refresh_token",
            Self::AuthorizationCode => "authorization_code",
            Self::Implicit => "implicit",
            Self::ClientCredentials => "client_credentials",
            Self::MfaOtp => "http://auth0.com/oauth/grant-type/mfa-otp",
            Self::MfaOob => "http://auth0.com/oauth/grant-type/mfa-oob",
            Self::MfaRecoveryCode => "http://auth0.com/oauth/grant-type/mfa-recovery-code",
        }
    }
}

impl fmt::Display for GrantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A grant type this server does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown grant type {0:?}")]
pub struct UnknownGrantType(pub String);

impl FromStr for GrantType {
    type Err = UnknownGrantType;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [
            Self::PasswordlessOtp,
            Self::RefreshToken,
            Self::AuthorizationCode,
            Self::Implicit,
            Self::ClientCredentials,
            Self::MfaOtp,
            Self::MfaOob,
            Self::MfaRecoveryCode,
        ]
        .into_iter()
        .find(|g| g.as_str() == s)
        .ok_or_else(|| UnknownGrantType(s.to_owned()))
    }
}

impl Serialize for GrantType {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for GrantType {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The SHA-256 of a client secret.
///
/// Client secrets are long random strings handed out by the operator, so a
/// fast hash loses nothing against guessing and keeps the token endpoint fast;
/// the digest keeps them out of storage in clear.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ClientSecretHash(String);

impl ClientSecretHash {
    /// Hashes a secret in clear.
    #[must_use]
    pub fn of(secret: &str) -> Self {
        Self(hex::encode(Sha256::digest(secret.as_bytes())))
    }

    /// Rebuilds a hash read back from storage (lower-case hex).
    #[must_use]
    pub fn from_stored(hex_digest: impl Into<String>) -> Self {
        Self(hex_digest.into())
    }

    /// The stored form.
    #[must_use]
    pub fn as_stored(&self) -> &str {
        &self.0
    }

    /// Whether `presented` hashes to this value, compared in constant time.
    #[must_use]
    pub fn verify(&self, presented: &str) -> bool {
        Self::of(presented)
            .0
            .as_bytes()
            .ct_eq(self.0.as_bytes())
            .into()
    }
}

impl fmt::Debug for ClientSecretHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ClientSecretHash(<redacted>)")
    }
}

/// An application registered with Sesame.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    /// Public identifier.
    pub id: ClientId,
    /// Display name, shown in messages and on the link confirm page.
    pub name: String,
    /// Hash of the secret; `None` for a public (native or SPA) client.
    pub secret: Option<ClientSecretHash>,
    /// Allowed callback URLs, matched exactly.
    pub callbacks: Vec<String>,
    /// Grants the client may use.
    pub grant_types: Vec<GrantType>,
    /// Connections the client may use.
    pub connections: Vec<Connection>,
    /// Whether `auth0-forwarded-for` is honoured when the client authenticates.
    pub trust_forwarded_for: bool,
    /// Origins allowed to call from a browser (CORS).
    pub web_origins: Vec<String>,
    /// How magic links behave for this client.
    #[serde(default)]
    pub magic_link: MagicLinkSettings,
    /// Whether every token request must carry a DPoP proof (RFC 9449).
    #[serde(default)]
    pub require_dpop: bool,
    /// This client's MFA policy, over `[mfa] require`.
    #[serde(default)]
    pub mfa: Option<crate::mfa::MfaPolicy>,
    /// The APIs this client may get its own tokens for
    /// (`client_credentials`), and with which scopes: Auth0's client grants.
    #[serde(default)]
    pub api_grants: Vec<ApiGrant>,
}

/// One client grant: the client may get tokens for `audience` carrying at
/// most `scopes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiGrant {
    /// The API's identifier.
    pub audience: String,
    /// The scopes granted; a token carries only those asked for among them.
    pub scopes: Vec<String>,
}

/// Per-client magic-link behaviour. Every default is the conservative one.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct MagicLinkSettings {
    /// Whether the confirm page submits itself with a tiny script. Scanners
    /// that do not run script still cannot spend the link; ones that do
    /// could, so this is opt-in.
    #[serde(default)]
    pub auto_submit: bool,
    /// Whether a link's tokens may include a refresh token (scope
    /// `offline_access` and the refresh grant still needed). Auth0 never
    /// gives one.
    #[serde(default)]
    pub refresh_tokens: bool,
    /// Where "back to the application" leads from a link's error page
    /// (Auth0's `initiate_login_uri`); without it, the origin of the first
    /// callback.
    #[serde(default)]
    pub login_uri: Option<String>,
    /// Whether this public client's code links must carry PKCE
    /// (`code_challenge`). Off by default, as at Auth0: without PKCE the
    /// code is still bound to its callback, single-use and lives 60 s.
    #[serde(default)]
    pub require_pkce: bool,
}

impl Client {
    /// Whether the client has a secret (a "regular web application").
    #[must_use]
    pub const fn is_confidential(&self) -> bool {
        self.secret.is_some()
    }

    /// Whether the client may use `grant`.
    #[must_use]
    pub fn allows_grant(&self, grant: GrantType) -> bool {
        self.grant_types.contains(&grant)
    }

    /// The client grant for `audience`, if it has one.
    #[must_use]
    pub fn api_grant(&self, audience: &str) -> Option<&ApiGrant> {
        self.api_grants.iter().find(|g| g.audience == audience)
    }

    /// Whether the client may use `connection`.
    #[must_use]
    pub fn allows_connection(&self, connection: Connection) -> bool {
        self.connections.contains(&connection)
    }

    /// Where "back to the application" leads: the login URI, or the origin
    /// of the first callback.
    #[must_use]
    pub fn back_url(&self) -> Option<String> {
        if let Some(u) = &self.magic_link.login_uri {
            return Some(u.clone());
        }
        let first = url::Url::parse(self.callbacks.first()?).ok()?;
        match first.origin() {
            o @ url::Origin::Tuple(..) => Some(format!("{}/", o.ascii_serialization())),
            url::Origin::Opaque(_) => None,
        }
    }

    /// Whether `uri` is exactly one of the registered callbacks.
    #[must_use]
    pub fn allows_callback(&self, uri: &str) -> bool {
        self.callbacks.iter().any(|c| c == uri)
    }
}

/// The algorithm an API's access tokens are signed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
pub enum SigningAlg {
    /// RSASSA-PKCS1-v1_5 with SHA-256, 2048-bit keys: what Auth0 SDKs expect.
    #[default]
    RS256,
    /// ECDSA on P-256 with SHA-256.
    ES256,
    /// Ed25519.
    EdDSA,
}

impl SigningAlg {
    /// Every algorithm Sesame signs with.
    pub const ALL: [Self; 3] = [Self::RS256, Self::ES256, Self::EdDSA];

    /// The JOSE name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::RS256 => "RS256",
            Self::ES256 => "ES256",
            Self::EdDSA => "EdDSA",
        }
    }
}

impl FromStr for SigningAlg {
    type Err = UnknownSigningAlg;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| UnknownSigningAlg(s.to_owned()))
    }
}

/// A signing algorithm Sesame does not support.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported signing algorithm {0:?}: use RS256, ES256 or EdDSA")]
pub struct UnknownSigningAlg(pub String);

/// Through [`FromStr`], so a configuration file and a parsed string refuse
/// an unknown algorithm with the same words.
impl<'de> Deserialize<'de> for SigningAlg {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// An API (an OAuth audience) that access tokens can be issued for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Api {
    /// The audience identifier, usually a URL.
    pub identifier: String,
    /// How long its access tokens live.
    pub token_lifetime: Duration,
    /// How its access tokens are signed.
    pub signing_alg: SigningAlg,
    /// The permissions it defines (Auth0's API "permissions"), each one
    /// scope token: the only non-OIDC scopes its access tokens can carry.
    /// None by default.
    #[serde(default)]
    pub scopes: Vec<String>,
}

impl Api {
    /// Whether the API defines the permission `scope`.
    #[must_use]
    pub fn defines(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_verifies_only_against_its_own_hash() {
        let h = ClientSecretHash::of("s3cret-value");
        assert!(h.verify("s3cret-value"));
        assert!(!h.verify("s3cret-valuf"));
        assert!(!h.verify(""));
        assert!(!format!("{h:?}").contains(h.as_stored()));
    }

    #[test]
    fn grant_types_round_trip_their_wire_names() {
        for g in [
            GrantType::PasswordlessOtp,
            GrantType::RefreshToken,
            GrantType::AuthorizationCode,
            GrantType::Implicit,
        ] {
            assert_eq!(g.as_str().parse::<GrantType>(), Ok(g));
        }
        assert!("password".parse::<GrantType>().is_err());
    }

    #[test]
    fn a_client_id_is_never_empty_nor_holds_control_characters() {
        assert_eq!(ClientId::parse("dev").unwrap().as_str(), "dev");
        assert_eq!(ClientId::parse(""), Err(InvalidClientId));
        assert_eq!(ClientId::parse("a\nb"), Err(InvalidClientId));
        assert_eq!(ClientId::parse("x".repeat(257)), Err(InvalidClientId));
        assert!(serde_json::from_str::<ClientId>("\"\"").is_err());
    }

    #[test]
    fn signing_algs_parse_their_jose_names() {
        assert_eq!("ES256".parse::<SigningAlg>(), Ok(SigningAlg::ES256));
        assert!("HS256".parse::<SigningAlg>().is_err());
    }

    #[test]
    fn signing_algs_deserialize_as_they_serialize_and_refuse_in_from_strs_words() {
        for alg in SigningAlg::ALL {
            let json = serde_json::to_string(&alg).unwrap();
            assert_eq!(serde_json::from_str::<SigningAlg>(&json).unwrap(), alg);
        }
        let err = serde_json::from_str::<SigningAlg>("\"HS256\"").unwrap_err();
        assert!(
            err.to_string()
                .starts_with(&UnknownSigningAlg("HS256".into()).to_string()),
            "{err}"
        );
    }
}
