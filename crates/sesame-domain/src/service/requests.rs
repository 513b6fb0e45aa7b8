//! What each use case takes and gives back.

use std::fmt;
use std::net::IpAddr;

use secrecy::SecretString;
use serde::Serialize;

use crate::challenge::{AuthParams, SendMode};
use crate::client::ClientId;
use crate::code::Otp;
use crate::rate_limit::RateDecision;
use crate::recipient::{Connection, Recipient};

/// How a client identified itself: `client_secret_post`, `client_secret_basic`
/// or, for a public client, by id alone.
#[derive(Clone)]
pub struct ClientCredentials {
    /// The client id.
    pub client_id: ClientId,
    /// The secret, when one was sent.
    pub client_secret: Option<SecretString>,
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCredentials")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// `POST /passwordless/start`.
#[derive(Debug, Clone)]
pub struct StartRequest {
    /// Who asks.
    pub client: ClientCredentials,
    /// Where the code goes.
    pub recipient: Recipient,
    /// Code or link.
    pub send: SendMode,
    /// OAuth parameters, replayed at redemption.
    pub auth_params: AuthParams,
    /// The caller's IP as the transport saw it.
    pub ip: Option<IpAddr>,
    /// The end user's IP from `auth0-forwarded-for`; honoured only for a
    /// confidential client that authenticated and is trusted to send it.
    pub forwarded_for: Option<IpAddr>,
    /// The requested language, e.g. from `x-request-language`.
    pub locale: Option<String>,
}

/// A successful start.
#[derive(Debug, Clone)]
pub struct Started {
    /// An opaque id for the request (Auth0's `_id`).
    pub id: String,
    /// The canonical recipient.
    pub recipient: Recipient,
    /// The per-IP limit after this request, for `x-ratelimit-*` headers.
    pub rate: Option<RateDecision>,
}

/// `POST /oauth/token` with the passwordless OTP grant. Redacted in `Debug`:
/// `username` is an address or number as typed.
#[derive(Clone)]
pub struct OtpRequest {
    /// Who asks.
    pub client: ClientCredentials,
    /// `realm`: the connection.
    pub connection: Connection,
    /// `username`: the address or number, as typed.
    pub username: String,
    /// `otp`: the code, as typed.
    pub otp: Otp,
    /// `audience` (or `resource`).
    pub audience: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `redirect_uri`, which must be a registered callback when given.
    pub redirect_uri: Option<String>,
}

impl fmt::Debug for OtpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtpRequest")
            .field("client", &self.client)
            .field("connection", &self.connection)
            .field("audience", &self.audience)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// `POST /oauth/token` with the refresh-token grant.
#[derive(Debug, Clone)]
pub struct RefreshRequest {
    /// Who asks.
    pub client: ClientCredentials,
    /// The refresh token.
    pub refresh_token: SecretString,
    /// A narrower scope, when asked for.
    pub scope: Option<String>,
}

/// `POST /oauth/revoke`.
#[derive(Debug, Clone)]
pub struct RevokeRequest {
    /// Who asks.
    pub client: ClientCredentials,
    /// The refresh token to revoke, with its whole family.
    pub token: SecretString,
}

/// A user's profile claims, as `/userinfo` and the id token carry them.
#[derive(Clone, PartialEq, Eq, Serialize)]
pub struct Profile {
    /// The user id.
    pub sub: String,
    /// The email address, for the email connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    /// Whether the address is verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email_verified: Option<bool>,
    /// The phone number, for the sms connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_number: Option<String>,
    /// Whether the number is verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone_verified: Option<bool>,
    /// The address or number.
    pub name: String,
    /// The local part of the address, or the number.
    pub nickname: String,
    /// RFC 3339.
    pub updated_at: String,
}

impl fmt::Debug for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Profile")
            .field("sub", &self.sub)
            .finish_non_exhaustive()
    }
}
