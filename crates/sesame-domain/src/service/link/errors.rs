//! Why a magic link was refused.

use crate::client::GrantType;
use crate::page::LinkProblem;

/// Why a magic link cannot be used. Each arm is one error page.
#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    /// Unknown application, malformed or tampered link, or no link was sent
    /// to this address: deliberately one answer.
    #[error("the link is invalid")]
    Invalid,
    /// The link is right, but expired.
    #[error("the link has expired")]
    Expired,
    /// The link is right, but was used (or its code was, or it ran out of
    /// attempts).
    #[error("the link was already used")]
    Used,
    /// The stored `redirect_uri` is no longer a callback of the client, or
    /// the client has none.
    #[error("the redirect_uri is not an allowed callback URL for this client")]
    RedirectMismatch,
    /// The client may not use this grant (links need `authorization_code`,
    /// fragment answers also `implicit`) or the email connection.
    #[error("grant type '{0}' not allowed for the client")]
    NotAllowed(GrantType),
    /// The user is blocked.
    #[error("user is blocked")]
    Blocked,
    /// The user does not exist and sign-ups are disabled.
    #[error("sign-ups are not allowed")]
    SignupDisabled,
    /// Storage could not be reached.
    #[error("storage is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}

impl LinkError {
    /// The error page this error shows.
    #[must_use]
    pub const fn problem(&self) -> LinkProblem {
        match self {
            Self::Invalid => LinkProblem::Invalid,
            Self::Expired => LinkProblem::Expired,
            Self::Used => LinkProblem::Used,
            Self::RedirectMismatch => LinkProblem::RedirectMismatch,
            Self::NotAllowed(_) => LinkProblem::NotAllowed,
            Self::Blocked | Self::SignupDisabled => LinkProblem::AccessDenied,
            Self::Unavailable(_) | Self::Unknown(_) => LinkProblem::Unavailable,
        }
    }
}
