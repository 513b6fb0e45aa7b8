//! Why an MFA step refused.

use secrecy::SecretString;

use crate::mfa::Requirements;
use crate::ports::{SealError, StoreError};
use crate::rate_limit::RateDecision;
use crate::service::StartError;
use crate::service::token::Refusal;

/// The token endpoint's `mfa_required`: the first factor passed, a second
/// one is needed.
#[derive(Debug)]
pub struct MfaRequired {
    /// The opaque token the MFA API and grants take.
    pub mfa_token: SecretString,
    /// What the user must challenge or enroll.
    pub requirements: Requirements,
}

/// Why an MFA grant refused (the three grants share these).
#[derive(Debug, thiserror::Error)]
pub enum MfaGrantError {
    /// Not an `mfa_token` this server issued to this client, or spent.
    #[error("Malformed mfa_token")]
    MalformedToken,
    /// The `mfa_token` outlived `[mfa] token_ttl_secs`.
    #[error("mfa_token is expired")]
    ExpiredToken,
    /// The second factor is wrong; the text is Auth0's for the grant.
    #[error("{0}")]
    WrongFactor(&'static str),
    /// The user's budget of wrong second factors is spent.
    #[error("Too many failed MFA attempts. Try again later.")]
    TooManyAttempts(RateDecision),
}

impl MfaGrantError {
    /// How the token endpoint classes it.
    #[must_use]
    pub const fn refusal(&self) -> Refusal {
        match self {
            Self::TooManyAttempts(d) => Refusal::TooManyAttempts(*d),
            _ => Refusal::InvalidGrant,
        }
    }
}

impl From<StoreError> for MfaApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Unavailable(e) => Self::Unavailable(e),
            e => Self::Unknown(e.into()),
        }
    }
}

impl From<SealError> for MfaApiError {
    fn from(e: SealError) -> Self {
        Self::Unknown(e.into())
    }
}

/// Why an MFA API call (`/mfa/…`) refused.
#[derive(Debug, thiserror::Error)]
pub enum MfaApiError {
    /// The `mfa_token` or access token is missing, malformed, spent or
    /// another client's.
    #[error("{0}")]
    InvalidToken(&'static str),
    /// The client is unknown or its secret is wrong.
    #[error("Unauthorized")]
    InvalidClient,
    /// The access token lacks the scope the call needs.
    #[error("Insufficient scope, expected: {0}")]
    InsufficientScope(&'static str),
    /// The call is not allowed with what was presented (an `mfa_token`
    /// once the user has an active factor, a factor not enabled, …).
    #[error("{0}")]
    Forbidden(&'static str),
    /// The body is wrong; says how.
    #[error("{0}")]
    InvalidRequest(String),
    /// No authenticator of the user can take this challenge type.
    #[error("{0}")]
    UnsupportedChallengeType(&'static str),
    /// The user has no such authenticator.
    #[error("Authenticator does not exist.")]
    NotFound,
    /// The user is blocked.
    #[error("user is blocked")]
    Blocked,
    /// Sending an out-of-band code failed, or a start limit (the same
    /// abuse rules as `/passwordless/start`) refused it.
    #[error(transparent)]
    Send(StartError),
    /// Storage could not be reached.
    #[error("storage is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}
