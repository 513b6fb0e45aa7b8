//! Multi-factor authentication: a step of the sign-in pipeline (`policy`),
//! the MFA API (`api`: list, enroll, challenge, delete) and what the three
//! MFA grants share (`grant`).
//!
//! A second factor is asked for after the first one passed and the user
//! was admitted, before anything is minted: the answer is `mfa_required`
//! with an `mfa_token` naming what the first grant would have minted, and
//! an MFA grant redeems that token for exactly those tokens.

mod api;
mod credential;
mod enroll;
mod errors;
mod grant;
mod oob;
pub(crate) mod policy;
mod requests;

pub(crate) use credential::Credential;
pub use errors::{MfaApiError, MfaGrantError, MfaRequired};
pub use requests::{
    AssociateRequest, AuthenticatorView, ChallengeAnswer, ChallengeRequest, Enrollment,
};
