//! An enrolled (or enrolling) second factor of one user.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::Factor;
use crate::recipient::Recipient;
use crate::time::Timestamp;
use crate::user::UserId;

/// An authenticator's id, Auth0's form: `{kind}|dev_{random}`, where kind
/// is `totp`, `sms`, `email` or `recovery-code`.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuthenticatorId(String);

/// A string that is not an authenticator id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not an authenticator id")]
pub struct InvalidAuthenticatorId;

const fn prefix(factor: Factor) -> &'static str {
    match factor {
        Factor::Otp => "totp",
        Factor::Sms => "sms",
        Factor::Email => "email",
        Factor::RecoveryCode => "recovery-code",
    }
}

impl AuthenticatorId {
    /// A new id for a `factor` authenticator from 12 random bytes.
    #[must_use]
    pub fn new(factor: Factor, random: [u8; 12]) -> Self {
        Self(format!("{}|dev_{}", prefix(factor), hex::encode(random)))
    }

    /// Parses an id as [`AuthenticatorId::new`] makes them.
    ///
    /// # Errors
    /// [`InvalidAuthenticatorId`] for anything else.
    pub fn parse(s: &str) -> Result<Self, InvalidAuthenticatorId> {
        let (kind, rest) = s.split_once('|').ok_or(InvalidAuthenticatorId)?;
        let random = rest.strip_prefix("dev_").ok_or(InvalidAuthenticatorId)?;
        let known = Factor::ALL.iter().any(|f| prefix(*f) == kind);
        let well_formed = random.len() == 24
            && random
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
        if known && well_formed {
            Ok(Self(s.to_owned()))
        } else {
            Err(InvalidAuthenticatorId)
        }
    }

    /// The factor the id names.
    #[must_use]
    pub fn factor(&self) -> Factor {
        let kind = self.0.split('|').next().unwrap_or_default();
        Factor::ALL
            .into_iter()
            .find(|f| prefix(*f) == kind)
            .unwrap_or(Factor::Otp)
    }

    /// The id.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for AuthenticatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for AuthenticatorId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AuthenticatorId({})", self.0)
    }
}

/// What an authenticator keeps to check its factor: never in clear.
///
/// - `otp`: the TOTP secret, sealed by the
///   [`KeySealer`](crate::ports::KeySealer) and bound to the id;
/// - `sms` and `email`: the number or address codes go to, sealed the same
///   way (so a database dump lists no second-factor phone numbers);
/// - `recovery-code`: the 32-byte MAC of the code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuthenticatorSecret(pub Vec<u8>);

impl fmt::Debug for AuthenticatorSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AuthenticatorSecret(<redacted>)")
    }
}

/// One second factor of one user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Authenticator {
    /// Its id.
    pub id: AuthenticatorId,
    /// Whose it is.
    pub user_id: UserId,
    /// Which factor.
    pub factor: Factor,
    /// What the MFA API lists it as: the masked number or address.
    pub name: Option<String>,
    /// What checks it.
    pub secret: AuthenticatorSecret,
    /// `false` until its first successful MFA grant confirms it.
    pub active: bool,
    /// When it was enrolled.
    pub created_at: Timestamp,
    /// When it last passed.
    pub last_used: Option<Timestamp>,
    /// For `otp`: the last TOTP time step accepted, so a code is never
    /// accepted twice.
    pub last_step: Option<i64>,
}

/// A number or address as the MFA API shows it: `+X XXXX1234` (the last
/// four digits), or `j***@example.com`.
#[must_use]
pub fn mask_address(recipient: &Recipient) -> String {
    match recipient {
        Recipient::Sms(p) => {
            let digits = p.as_str();
            let tail: String = digits
                .chars()
                .rev()
                .take(4)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            format!("+X XXXX{tail}")
        }
        Recipient::Email(e) => {
            let s = e.as_str();
            let (local, domain) = s.split_once('@').unwrap_or((s, ""));
            let first: String = local.chars().take(1).collect();
            format!("{first}***@{domain}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::recipient::{EmailAddress, PhoneNumber};

    #[test]
    fn an_id_names_its_factor_and_parses_back() {
        for f in Factor::ALL {
            let id = AuthenticatorId::new(f, [7; 12]);
            assert_eq!(id.factor(), f);
            assert_eq!(AuthenticatorId::parse(id.as_str()), Ok(id));
        }
        assert!(AuthenticatorId::parse("totp|dev_x").is_err());
        assert!(AuthenticatorId::parse("push|dev_070707070707070707070707").is_err());
        assert!(AuthenticatorId::parse("totp|070707070707070707070707").is_err());
    }

    #[test]
    fn masked_names_keep_only_the_last_digits_or_the_first_letter() {
        let phone = Recipient::Sms(PhoneNumber::parse("+14155551234").unwrap());
        assert_eq!(mask_address(&phone), "+X XXXX1234");
        let email = Recipient::Email(EmailAddress::parse("jane@example.com").unwrap());
        assert_eq!(mask_address(&email), "j***@example.com");
    }
}
