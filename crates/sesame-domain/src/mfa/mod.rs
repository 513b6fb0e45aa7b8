//! Multi-factor authentication: the policy, the factors a user may enroll,
//! their authenticators, TOTP, and the short-lived records of an MFA
//! transaction (the `mfa_token` and out-of-band challenges).
//!
//! The rules that use them are in `service/mfa/` and the three MFA grants
//! in `service/token/`.

mod authenticator;
mod policy;
mod ticket;
mod totp;

pub use authenticator::{
    Authenticator, AuthenticatorId, AuthenticatorSecret, InvalidAuthenticatorId, mask_address,
};
pub use policy::{Factor, MfaConfig, MfaPolicy, UnknownFactor, UnknownMfaPolicy};
pub use ticket::{MfaTicket, MfaTransaction, OobChallenge, Requirements};
pub use totp::{TOTP_SECRET_LEN, Totp, base32};
