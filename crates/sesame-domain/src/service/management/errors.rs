//! Why a Management API call was refused.

use crate::ports::StoreError;
use crate::rate_limit::RateDecision;

/// A Management API refusal; the edge answers it in Auth0's shape
/// (`statusCode`, `error`, `message`, `errorCode`).
#[derive(Debug, thiserror::Error)]
pub enum ManagementError {
    /// No bearer token.
    #[error("Missing authentication")]
    MissingToken,
    /// The token does not verify, has expired, is not for the Management
    /// API, or is bound to a DPoP key.
    #[error("Invalid token")]
    InvalidToken,
    /// The token lacks the scope the call needs.
    #[error("Insufficient scope, expected any of: {0}")]
    InsufficientScope(&'static str),
    /// No such user.
    #[error("The user does not exist.")]
    NoSuchUser,
    /// The body is not acceptable; says why.
    #[error("Payload validation error: {0}")]
    InvalidBody(String),
    /// A query parameter is not acceptable; says why.
    #[error("Query validation error: {0}")]
    InvalidQuery(String),
    /// The client's requests this minute are used up.
    #[error("Global limit has been reached")]
    RateLimited(RateDecision),
    /// Storage could not be reached.
    #[error("storage is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}

impl From<StoreError> for ManagementError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(e) => Self::Unavailable(e),
            e => Self::Unknown(e.into()),
        }
    }
}
