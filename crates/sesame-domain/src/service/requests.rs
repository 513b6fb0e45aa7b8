//! What each use case takes and gives back.

use std::fmt;
use std::net::IpAddr;

use secrecy::SecretString;

use crate::challenge::{RawAuthParams, SendMode};
use crate::client::ClientId;
use crate::rate_limit::RateDecision;
use crate::recipient::Recipient;

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
    /// OAuth parameters as sent; parsed, checked and replayed at redemption.
    pub auth_params: RawAuthParams,
    /// The caller's IP as the transport saw it.
    pub ip: Option<IpAddr>,
    /// The end user's IP from `auth0-forwarded-for`; honoured only for a
    /// confidential client that authenticated and is trusted to send it.
    pub forwarded_for: Option<IpAddr>,
    /// The requested language, e.g. from `x-request-language`.
    pub locale: Option<String>,
    /// The caller's `User-Agent`, for the log event.
    pub user_agent: Option<String>,
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

/// `POST /oauth/revoke`.
#[derive(Debug, Clone)]
pub struct RevokeRequest {
    /// Who asks.
    pub client: ClientCredentials,
    /// The refresh token to revoke, with its whole family.
    pub token: SecretString,
}
