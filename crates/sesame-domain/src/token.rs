//! Tokens: what is minted, the claims inside, and the keys that sign them.

use std::fmt;
use std::sync::Arc;

use secrecy::{ExposeSecret, SecretBox, SecretString};
use serde::{Deserialize, Serialize};

use crate::client::SigningAlg;
use crate::time::Timestamp;

/// What the token endpoint returns.
#[derive(Clone)]
pub struct TokenSet {
    /// A JWT for the requested API (or for `/userinfo` alone).
    pub access_token: SecretString,
    /// A JWT about the user, when the scope has `openid`.
    pub id_token: Option<SecretString>,
    /// An opaque rotating token, when the scope has `offline_access` and the
    /// client may use the refresh grant.
    pub refresh_token: Option<SecretString>,
    /// `Bearer`, or `DPoP` when the tokens are bound to a DPoP key.
    pub token_type: &'static str,
    /// Seconds until the access token expires.
    pub expires_in: u64,
    /// The granted scope.
    pub scope: String,
    /// The recovery grant's new recovery code (the used one died).
    pub recovery_code: Option<SecretString>,
}

impl TokenSet {
    /// The access token, for the response body.
    #[must_use]
    pub fn access_token(&self) -> &str {
        self.access_token.expose_secret()
    }

    /// The id token, for the response body.
    #[must_use]
    pub fn id_token(&self) -> Option<&str> {
        self.id_token.as_ref().map(ExposeSecret::expose_secret)
    }

    /// The refresh token, for the response body.
    #[must_use]
    pub fn refresh_token(&self) -> Option<&str> {
        self.refresh_token.as_ref().map(ExposeSecret::expose_secret)
    }
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenSet")
            .field("id_token", &self.id_token.is_some())
            .field("refresh_token", &self.refresh_token.is_some())
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer, with a trailing slash.
    pub iss: String,
    /// The user id.
    pub sub: String,
    /// The API identifier (when one was asked for) and `{issuer}userinfo`.
    pub aud: Vec<String>,
    /// The client the token was issued to.
    pub azp: String,
    /// Granted scope, space separated.
    pub scope: String,
    /// Issued at, in seconds.
    pub iat: i64,
    /// Expires at, in seconds.
    pub exp: i64,
    /// Unique token id.
    pub jti: String,
    /// The DPoP key the token is bound to (RFC 9449 §6), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cnf: Option<Confirmation>,
    /// Auth0's grant marker: `client-credentials` on a client's own token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gty: Option<String>,
}

/// The `cnf` claim of a DPoP-bound access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confirmation {
    /// The RFC 7638 thumbprint of the client's DPoP key.
    pub jkt: String,
}

/// The claims of an id token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdClaims {
    /// Issuer, with a trailing slash.
    pub iss: String,
    /// The user id.
    pub sub: String,
    /// The client id.
    pub aud: String,
    /// Issued at, in seconds.
    pub iat: i64,
    /// Expires at, in seconds.
    pub exp: i64,
    /// The nonce from the start request, when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nonce: Option<String>,
    /// The access token's hash (OIDC Core §3.2.2.10), when the id token
    /// travels next to an access token in a URL fragment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_hash: Option<String>,
    /// How the user authenticated: `["mfa"]` after a second factor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amr: Option<Vec<String>>,
    /// The email address, for the email connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the address is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// The phone number, for the sms connection.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Whether the number is verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// Display name: the address or number, as Auth0 sets it.
    pub name: String,
    /// Short name: the local part of the address, or the number.
    pub nickname: String,
    /// When the profile last changed, as an RFC 3339 string (Auth0's form).
    pub updated_at: String,
}

/// Where a key is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyStatus {
    /// Signs new tokens.
    Current,
    /// No longer signs, still listed in the JWKS so tokens it signed verify.
    Previous,
}

/// A signing key pair.
#[derive(Clone)]
pub struct SigningKey {
    /// RFC 7638 JWK thumbprint of the public key.
    pub kid: String,
    /// The algorithm it signs with.
    pub alg: SigningAlg,
    /// The private key, PKCS#8 DER.
    pub private_der: Arc<SecretBox<[u8]>>,
    /// The public key as a JWK (with `kid`, `alg` and `use`).
    pub public_jwk: serde_json::Value,
    /// When it was made.
    pub created_at: Timestamp,
    /// Current or previous.
    pub status: KeyStatus,
}

impl SigningKey {
    /// The private key bytes, for the signer.
    #[must_use]
    pub fn private_der(&self) -> &[u8] {
        self.private_der.expose_secret()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("alg", &self.alg)
            .field("status", &self.status)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl PartialEq for SigningKey {
    fn eq(&self, other: &Self) -> bool {
        self.kid == other.kid
            && self.alg == other.alg
            && self.private_der() == other.private_der()
            && self.public_jwk == other.public_jwk
            && self.created_at == other.created_at
            && self.status == other.status
    }
}

/// The JWKS document for `keys`: every public key, current ones first.
#[must_use]
pub fn jwks_document(keys: &[SigningKey]) -> serde_json::Value {
    let mut sorted: Vec<&SigningKey> = keys.iter().collect();
    sorted.sort_by_key(|k| {
        (
            k.status != KeyStatus::Current,
            k.alg.as_str(),
            k.kid.clone(),
        )
    });
    serde_json::json!({ "keys": sorted.iter().map(|k| k.public_jwk.clone()).collect::<Vec<_>>() })
}
