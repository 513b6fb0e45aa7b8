//! The OAuth error core of the token endpoint, shared by every grant, and
//! the classes a grant's own refusals fall into.
//!
//! The messages are Auth0's, word for word, since apps show them to users.

use super::GrantError;
use crate::client::GrantType;
use crate::dpop::DpopError;
use crate::rate_limit::RateDecision;
use crate::scope::InvalidScope;

/// Why the token endpoint refused, whatever the grant.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Unknown client, or a confidential client with a missing or wrong secret.
    #[error("Unauthorized")]
    InvalidClient,
    /// The client may not use this grant.
    #[error("Grant type '{0}' not allowed for the client.")]
    GrantNotAllowed(GrantType),
    /// No API has this identifier (named by the request, or by the
    /// challenge, code or refresh family, and since removed).
    #[error("Service not found: {0}")]
    UnknownAudience(String),
    /// The scope has characters RFC 6749 does not allow.
    #[error("{0}")]
    InvalidScope(InvalidScope),
    /// The user is blocked.
    #[error("user is blocked")]
    Blocked,
    /// The user does not exist and sign-ups are disabled.
    #[error("Signups are not allowed for this connection.")]
    SignupDisabled,
    /// The caller's IP has failed too many token requests this hour
    /// (Auth0's suspicious-IP throttling); the limit's state is for the
    /// rate-limit headers.
    #[error("{}", super::SUSPICIOUS_IP_MESSAGE)]
    SuspiciousIp(RateDecision),
    /// The DPoP proof was refused, or is missing where required.
    #[error(transparent)]
    Dpop(DpopError),
    /// The first factor passed and a second one is needed (Auth0's
    /// `mfa_required`, with the `mfa_token` to continue with).
    #[error("Multifactor authentication required")]
    MfaRequired(crate::service::mfa::MfaRequired),
    /// The grant's own refusal: a wrong code, a spent token, …
    #[error(transparent)]
    Grant(GrantError),
    /// Storage could not be reached.
    #[error("storage is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}

impl TokenError {
    /// The grant's own refusal, when that is what this is.
    #[must_use]
    pub const fn grant(&self) -> Option<&GrantError> {
        match self {
            Self::Grant(g) => Some(g),
            _ => None,
        }
    }
}

impl From<crate::service::dpop::CheckError> for TokenError {
    fn from(e: crate::service::dpop::CheckError) -> Self {
        match e {
            crate::service::dpop::CheckError::Refused(d) => Self::Dpop(d),
            crate::service::dpop::CheckError::Store(s) => s.into(),
        }
    }
}

/// How the token endpoint classes a grant's own refusal (RFC 6749 §5.2, with
/// Auth0's additions). The transport turns each class into one status and
/// `error` code; the description is the refusal's message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// `invalid_grant`: the proof is wrong, spent, expired or another's.
    InvalidGrant,
    /// `unauthorized_client`: the client may not do this (a connection or
    /// callback it was not given).
    UnauthorizedClient,
    /// `access_denied`: the client may not have what it asked for (a token
    /// for an API it has no client grant for).
    AccessDenied,
    /// `invalid_scope`: wider than what was granted.
    InvalidScope,
    /// `invalid_dpop_proof`: the DPoP proof does not prove the key the
    /// credential is bound to.
    InvalidDpopProof,
    /// `too_many_attempts`: a failure limit is exhausted; the limit's state
    /// is for the rate-limit headers.
    TooManyAttempts(RateDecision),
}
