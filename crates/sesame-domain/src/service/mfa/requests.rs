//! What the MFA API takes and answers, as the domain sees it; the HTTP
//! edge reads and writes Auth0's JSON.

use std::fmt;
use std::net::IpAddr;

use secrecy::SecretString;

use crate::mfa::{AuthenticatorId, Factor};
use crate::service::ClientCredentials;

/// `POST /mfa/associate`.
#[derive(Clone)]
pub struct AssociateRequest {
    /// The `Authorization: Bearer` token: an `mfa_token`, or an access
    /// token for the MFA API with scope `enroll`.
    pub bearer: SecretString,
    /// `client_id`, when sent: must be the token's client.
    pub client_id: Option<String>,
    /// What to enroll: `otp`, `sms` or `email`.
    pub factor: Factor,
    /// `phone_number`, for `sms`.
    pub phone_number: Option<String>,
    /// `email`, for `email` (default: the user's own address).
    pub email: Option<String>,
    /// The caller's IP, for the sending limits.
    pub ip: Option<IpAddr>,
}

impl fmt::Debug for AssociateRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AssociateRequest")
            .field("factor", &self.factor)
            .finish_non_exhaustive()
    }
}

/// What `POST /mfa/associate` answers.
#[derive(Debug)]
pub enum Enrollment {
    /// A TOTP authenticator, waiting for its first code.
    Otp {
        /// Its id.
        id: AuthenticatorId,
        /// The secret in base32.
        secret: SecretString,
        /// The `otpauth://` URI.
        barcode_uri: SecretString,
        /// The recovery code, at the first enrollment only.
        recovery_code: Option<SecretString>,
    },
    /// An SMS or email authenticator; a code was sent.
    Oob {
        /// Its id.
        id: AuthenticatorId,
        /// `sms` or `email`.
        channel: Factor,
        /// The handle the `mfa-oob` grant presents with the code.
        oob_code: SecretString,
        /// The recovery code, at the first enrollment only.
        recovery_code: Option<SecretString>,
    },
}

/// `POST /mfa/challenge`.
#[derive(Clone)]
pub struct ChallengeRequest {
    /// The client's credentials.
    pub client: ClientCredentials,
    /// The `mfa_token`.
    pub mfa_token: SecretString,
    /// `challenge_type`: `otp`, `oob`, `oob otp`, or absent (any).
    pub challenge_type: Option<String>,
    /// `authenticator_id`, when the app chose one.
    pub authenticator_id: Option<String>,
    /// The caller's IP, for the sending limits.
    pub ip: Option<IpAddr>,
}

impl fmt::Debug for ChallengeRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChallengeRequest")
            .field("challenge_type", &self.challenge_type)
            .finish_non_exhaustive()
    }
}

/// What `POST /mfa/challenge` answers.
#[derive(Debug)]
pub enum ChallengeAnswer {
    /// Enter the code from the app.
    Otp,
    /// A code was sent; present it with this `oob_code`.
    Oob {
        /// The handle for the `mfa-oob` grant.
        oob_code: SecretString,
    },
}

/// One authenticator as `GET /mfa/authenticators` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthenticatorView {
    /// Its id.
    pub id: AuthenticatorId,
    /// Which factor.
    pub factor: Factor,
    /// The masked number or address.
    pub name: Option<String>,
    /// Whether its first pass confirmed it.
    pub active: bool,
}
