//! When a second factor is required, and which factors users may enroll.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::rate_limit::RateLimit;

/// When a login must pass a second factor (`[mfa] require`, or a client's
/// own `mfa`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum MfaPolicy {
    /// Never: logins are as without MFA.
    #[default]
    Never,
    /// Every login passes a second factor, enrolling one first if the user
    /// has none.
    Always,
    /// Users who enrolled a factor must use it; others log in as before.
    Enrolled,
}

/// A policy name other than `never`, `always` or `enrolled`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown MFA policy {0:?}: expected never, always or enrolled")]
pub struct UnknownMfaPolicy(pub String);

impl FromStr for MfaPolicy {
    type Err = UnknownMfaPolicy;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "never" => Ok(Self::Never),
            "always" => Ok(Self::Always),
            "enrolled" => Ok(Self::Enrolled),
            other => Err(UnknownMfaPolicy(other.to_owned())),
        }
    }
}

/// A kind of second factor a user may enroll (`[mfa] factors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Factor {
    /// TOTP (RFC 6238) from an authenticator app.
    #[serde(rename = "otp")]
    Otp,
    /// A code sent by SMS.
    #[serde(rename = "sms")]
    Sms,
    /// A code sent by email.
    #[serde(rename = "email")]
    Email,
    /// A single-use recovery code, handed out at the first enrollment.
    #[serde(rename = "recovery-code")]
    RecoveryCode,
}

impl Factor {
    /// Every factor, in the default order.
    pub const ALL: [Self; 4] = [Self::Otp, Self::Sms, Self::Email, Self::RecoveryCode];

    /// The configuration name.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Otp => "otp",
            Self::Sms => "sms",
            Self::Email => "email",
            Self::RecoveryCode => "recovery-code",
        }
    }

    /// The `type` Auth0 names it by in `mfa_requirements`.
    #[must_use]
    pub const fn requirement(self) -> &'static str {
        match self {
            Self::Otp => "otp",
            Self::Sms => "phone",
            Self::Email => "email",
            Self::RecoveryCode => "recovery-code",
        }
    }
}

impl fmt::Display for Factor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A factor name this server does not know.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown MFA factor {0:?}: expected otp, sms, email or recovery-code")]
pub struct UnknownFactor(pub String);

impl FromStr for Factor {
    type Err = UnknownFactor;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| UnknownFactor(s.to_owned()))
    }
}

/// The `[mfa]` rules.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaConfig {
    /// When a second factor is required, unless a client says otherwise.
    pub require: MfaPolicy,
    /// What users may enroll.
    pub factors: Vec<Factor>,
    /// The `issuer=` label of TOTP `otpauth://` URIs; `None`: the issuer's
    /// host, without port.
    pub issuer_name: Option<String>,
    /// How long an `mfa_token` lives (Auth0: 10 minutes).
    pub token_ttl: Duration,
    /// Wrong second factors per user (5 per 15 minutes): past it every
    /// attempt, right or wrong, is refused until the window ends.
    pub failures_per_user: RateLimit,
    /// How long an out-of-band code (SMS, email) lives.
    pub oob_code_ttl: Duration,
}

impl MfaConfig {
    /// Default [`token_ttl`](Self::token_ttl): 600 s.
    pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(600);
    /// Default [`failures_per_user`](Self::failures_per_user).
    pub const DEFAULT_FAILURES_PER_USER: RateLimit =
        RateLimit::new(5, Duration::from_secs(15 * 60));

    /// Whether users may enroll `factor`.
    #[must_use]
    pub fn allows(&self, factor: Factor) -> bool {
        self.factors.contains(&factor)
    }
}

impl Default for MfaConfig {
    fn default() -> Self {
        Self {
            require: MfaPolicy::Never,
            factors: Factor::ALL.to_vec(),
            issuer_name: None,
            token_ttl: Self::DEFAULT_TOKEN_TTL,
            failures_per_user: Self::DEFAULT_FAILURES_PER_USER,
            oob_code_ttl: Duration::from_secs(300),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_and_factors_parse_from_their_configuration_names() {
        assert_eq!("enrolled".parse::<MfaPolicy>(), Ok(MfaPolicy::Enrolled));
        assert!("sometimes".parse::<MfaPolicy>().is_err());
        for f in Factor::ALL {
            assert_eq!(f.as_str().parse::<Factor>(), Ok(f));
        }
        assert!("voice".parse::<Factor>().is_err());
        assert_eq!(Factor::Sms.requirement(), "phone");
    }
}
