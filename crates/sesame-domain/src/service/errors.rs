//! One error enum per use case (the token endpoint's are in `token/`).

use crate::client::GrantType;
use crate::ports::{DeliveryError, RenderError, SigningError, StoreError};
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
    /// SMS to the number's country is not enabled (`[sms_guard]
    /// allowed_countries`), or its country cannot be told.
    #[error("SMS to this country is not enabled")]
    SmsCountryNotAllowed,
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
    /// The delivery queue is full; answered alike for every recipient.
    #[error("the delivery queue is full")]
    QueueFull,
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
    /// A token refused under the `DPoP` scheme: invalid as above, not bound
    /// to a key, or bound to one and presented as `Bearer` (RFC 9449 §7.2).
    #[error("invalid DPoP-bound access token")]
    InvalidDpopToken,
    /// The DPoP proof is missing, malformed, or not for this token, key or
    /// request.
    #[error(transparent)]
    InvalidDpopProof(crate::dpop::DpopError),
    /// Storage could not be reached.
    #[error("storage is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}

impl From<super::dpop::CheckError> for UserinfoError {
    fn from(e: super::dpop::CheckError) -> Self {
        match e {
            super::dpop::CheckError::Refused(d) => Self::InvalidDpopProof(d),
            super::dpop::CheckError::Store(s) => s.into(),
        }
    }
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

        impl From<SigningError> for $error {
            fn from(e: SigningError) -> Self {
                Self::Unknown(e.into())
            }
        }
    )*};
}

use super::link::LinkError;
use super::token::TokenError;

infrastructure_errors!(
    LinkError,
    StartError,
    TokenError,
    RevokeError,
    UserinfoError
);

impl From<RenderError> for StartError {
    fn from(e: RenderError) -> Self {
        Self::Unknown(e.into())
    }
}
