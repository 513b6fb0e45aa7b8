//! One error enum per use case. The messages of the OTP errors are Auth0's,
//! word for word, since apps show them to users.

use crate::client::GrantType;
use crate::ports::{DeliveryError, RenderError, StoreError, TokenError};
use crate::rate_limit::RateDecision;
use crate::recipient::Connection;

/// Why `POST /passwordless/start` failed.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    /// No such client.
    #[error("unknown client")]
    UnknownClient,
    /// A confidential client sent no secret, or a wrong one.
    #[error("invalid client credentials")]
    InvalidClient,
    /// The client may not use this connection.
    #[error("connection {0} is not enabled for this client")]
    ConnectionDisabled(Connection),
    /// The client may not use the grant this start leads to.
    #[error("grant type '{0}' not allowed for the client")]
    GrantNotAllowed(GrantType),
    /// `send: "link"` on a server without magic links.
    #[error("magic links are not enabled on this server: use send \"code\"")]
    LinksDisabled,
    /// An `authParams` value is not acceptable; says which.
    #[error("invalid authParams: {0}")]
    InvalidAuthParams(String),
    /// A start rate limit is exhausted.
    #[error("too many requests")]
    RateLimited(RateDecision),
    /// The message could not be delivered; no usable challenge was left.
    #[error("delivery through {connection} failed")]
    Delivery {
        /// Which connection's provider failed.
        connection: Connection,
        /// What the provider said.
        #[source]
        source: DeliveryError,
    },
    /// Storage could not be reached.
    #[error("storage is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}

/// Why redeeming a one-time code failed.
#[derive(Debug, thiserror::Error)]
pub enum OtpError {
    /// Unknown client, or a confidential client with a missing or wrong secret.
    #[error("Unauthorized")]
    InvalidClient,
    /// The client may not use the passwordless OTP grant.
    #[error("Grant type '{0}' not allowed for the client.")]
    GrantNotAllowed(GrantType),
    /// The client may not use this connection.
    #[error("connection {0} is not enabled for this client")]
    ConnectionDisabled(Connection),
    /// `redirect_uri` is not one of the client's callbacks.
    #[error("redirect_uri is not an allowed callback URL for this client")]
    InvalidRedirectUri,
    /// No API has this identifier.
    #[error("Service not found: {0}")]
    UnknownAudience(String),
    /// The scope has characters RFC 6749 does not allow.
    #[error("{0}")]
    InvalidScope(super::scope::InvalidScope),
    /// Wrong code, or no code was sent to this recipient: deliberately the
    /// same answer.
    #[error("{}", wrong_code_message(*.0))]
    WrongCode(Connection),
    /// The code matched, but its challenge has expired.
    #[error("The verification code has expired. Please try to login again.")]
    Expired,
    /// The live challenge has no attempts left.
    #[error("You've reached the maximum number of attempts. Please try to login again.")]
    MaxAttempts,
    /// Too many failed redemptions for this recipient, across challenges.
    #[error("Too many failed attempts. Please try again later.")]
    TooManyAttempts(RateDecision),
    /// The user is blocked.
    #[error("user is blocked")]
    Blocked,
    /// The user does not exist and sign-ups are disabled.
    #[error("Signups are not allowed for this connection.")]
    SignupDisabled,
    /// Storage could not be reached.
    #[error("storage is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}

fn wrong_code_message(connection: Connection) -> &'static str {
    match connection {
        Connection::Email => "Wrong email or verification code.",
        Connection::Sms => "Wrong phone number or verification code.",
    }
}

/// Why the refresh-token grant failed.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Unknown client, or a confidential client with a missing or wrong secret.
    #[error("Unauthorized")]
    InvalidClient,
    /// The client may not use the refresh-token grant.
    #[error("Grant type '{0}' not allowed for the client.")]
    GrantNotAllowed(GrantType),
    /// Unknown, spent, revoked or expired token, or another client's.
    #[error("Unknown or invalid refresh token.")]
    InvalidToken,
    /// The requested scope is malformed, or wider than the one granted at
    /// login; the text says which.
    #[error("{0}")]
    InvalidScope(String),
    /// The user is blocked.
    #[error("user is blocked")]
    Blocked,
    /// Storage could not be reached.
    #[error("storage is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}

/// Why revoking a refresh token failed.
#[derive(Debug, thiserror::Error)]
pub enum RevokeError {
    /// Unknown client, or a confidential client with a missing or wrong secret.
    #[error("Unauthorized")]
    InvalidClient,
    /// Storage could not be reached.
    #[error("storage is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}

/// Why `/userinfo` failed.
#[derive(Debug, thiserror::Error)]
pub enum UserinfoError {
    /// Missing, malformed, expired or foreign access token, or unknown user.
    #[error("invalid access token")]
    InvalidToken,
    /// Storage could not be reached.
    #[error("storage is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}

/// Every use-case error has `Unavailable` and `Unknown` arms; storage and
/// token failures map onto them the same way.
macro_rules! infrastructure_errors {
    ($($error:ident),*) => {$(
        impl From<StoreError> for $error {
            fn from(e: StoreError) -> Self {
                match e {
                    StoreError::Unavailable(source) => Self::Unavailable(source),
                    other => Self::Unknown(other.into()),
                }
            }
        }

        impl From<TokenError> for $error {
            fn from(e: TokenError) -> Self {
                Self::Unknown(e.into())
            }
        }
    )*};
}

use super::link::{CodeGrantError, LinkError};

infrastructure_errors!(
    CodeGrantError,
    LinkError,
    StartError,
    OtpError,
    RefreshError,
    RevokeError,
    UserinfoError
);

impl From<RenderError> for StartError {
    fn from(e: RenderError) -> Self {
        Self::Unknown(e.into())
    }
}
