//! One-time codes, link tokens and the keyed MACs that stand in for them.
//!
//! A code never reaches storage. What is stored is
//! `HMAC-SHA256(server secret, purpose ‖ challenge id ‖ code)`: binding the
//! challenge id means a MAC copied to another challenge is worthless, and the
//! purpose keeps OTPs, link tokens and refresh tokens in separate domains.
//! Comparisons go through `subtle`, so they take the same time whether the
//! first byte or the last one differs.

use std::fmt;

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretBox, SecretString};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The length of a numeric one-time code, 4 to 10 digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeLength(u8);

/// A code length outside 4..=10.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("code length must be between 4 and 10 digits, not {0}")]
pub struct InvalidCodeLength(pub u8);

impl CodeLength {
    /// The default: six digits.
    pub const DEFAULT: Self = Self(6);

    /// A length of `digits`.
    ///
    /// # Errors
    /// [`InvalidCodeLength`] outside 4..=10.
    pub const fn new(digits: u8) -> Result<Self, InvalidCodeLength> {
        if digits >= 4 && digits <= 10 {
            Ok(Self(digits))
        } else {
            Err(InvalidCodeLength(digits))
        }
    }

    /// The number of digits.
    #[must_use]
    pub const fn digits(self) -> u8 {
        self.0
    }
}

impl Default for CodeLength {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// A one-time code as the user sees it. Redacted in `Debug`.
#[derive(Clone)]
pub struct Otp(SecretString);

impl Otp {
    /// Wraps a code typed by a user or made by a [`crate::ports::CodeGenerator`].
    #[must_use]
    pub fn new(code: impl Into<String>) -> Self {
        Self(SecretString::from(code.into()))
    }

    /// The code itself, for the message that delivers it.
    #[must_use]
    pub fn expose(&self) -> &str {
        self.0.expose_secret()
    }
}

impl PartialEq for Otp {
    fn eq(&self, other: &Self) -> bool {
        use subtle::ConstantTimeEq as _;
        self.expose()
            .as_bytes()
            .ct_eq(other.expose().as_bytes())
            .into()
    }
}

impl Eq for Otp {}

impl fmt::Debug for Otp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Otp(<redacted>)")
    }
}

/// What a MAC is for; part of the MAC input so the kinds never collide.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MacPurpose {
    /// A numeric one-time code.
    Otp,
    /// A magic-link verification token.
    Link,
    /// An opaque refresh token.
    RefreshToken,
    /// An authorization code from a magic link.
    AuthorizationCode,
    /// A rate-limit counter key derived from a recipient, so shared caches
    /// never hold addresses.
    RateLimitKey,
    /// The confirm page's cookie for a magic link: proof that the browser
    /// posting the link is the one that opened it.
    LinkConfirm,
    /// A DPoP server nonce: the MAC of a time window.
    DpopNonce,
    /// A DPoP proof id in the replay store, bound to its key.
    DpopJti,
    /// An `mfa_token`: its key in the MFA transaction store.
    MfaToken,
    /// An `oob_code`: its key in the MFA transaction store.
    MfaOob,
    /// The code an out-of-band challenge sent, bound to its `oob_code`.
    MfaBinding,
    /// An MFA recovery code, bound to its user.
    RecoveryCode,
}

impl MacPurpose {
    const fn label(self) -> &'static [u8] {
        match self {
            Self::Otp => b"sesame/otp/v1",
            Self::Link => b"sesame/link/v1",
            Self::RefreshToken => b"sesame/refresh/v1",
            Self::AuthorizationCode => b"sesame/authz-code/v1",
            Self::RateLimitKey => b"sesame/rate-limit-key/v1",
            Self::LinkConfirm => b"sesame/link-confirm/v1",
            Self::DpopNonce => b"sesame/dpop-nonce/v1",
            Self::MfaToken => b"sesame/mfa-token/v1",
            Self::MfaOob => b"sesame/mfa-oob/v1",
            Self::MfaBinding => b"sesame/mfa-binding/v1",
            Self::RecoveryCode => b"sesame/recovery-code/v1",
            Self::DpopJti => b"sesame/dpop-jti/v1",
        }
    }
}

/// A keyed MAC of a secret value: what storage holds instead of the value.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CodeMac([u8; 32]);

impl CodeMac {
    /// Rebuilds a MAC read back from storage.
    #[must_use]
    pub const fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// Rebuilds a MAC from a slice read back from storage.
    ///
    /// # Errors
    /// [`InvalidMacLength`] unless the slice is 32 bytes long.
    pub fn try_from_slice(bytes: &[u8]) -> Result<Self, InvalidMacLength> {
        <[u8; 32]>::try_from(bytes)
            .map(Self)
            .map_err(|_| InvalidMacLength(bytes.len()))
    }

    /// The raw bytes, for storage.
    #[must_use]
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// Lower-case hex, for stores that keep text.
    #[must_use]
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses the lower-case hex written by [`CodeMac::to_hex`].
    ///
    /// # Errors
    /// [`InvalidMacLength`] when it is not 64 hex digits.
    pub fn from_hex(s: &str) -> Result<Self, InvalidMacLength> {
        let bytes = hex::decode(s).map_err(|_| InvalidMacLength(s.len() / 2))?;
        Self::try_from_slice(&bytes)
    }

    /// Compares in constant time.
    #[must_use]
    pub fn matches(&self, other: &Self) -> bool {
        self.0.ct_eq(&other.0).into()
    }
}

impl serde::Serialize for CodeMac {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> serde::Deserialize<'de> for CodeMac {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::from_hex(&s).map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for CodeMac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CodeMac(<redacted>)")
    }
}

/// A stored MAC did not have 32 bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a code MAC must be 32 bytes, not {0}")]
pub struct InvalidMacLength(pub usize);

/// The server secret that keys every MAC. Redacted in `Debug`.
pub struct MacKey(SecretBox<[u8]>);

/// A server secret shorter than 32 bytes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server secret must be at least 32 bytes, not {0}")]
pub struct WeakSecret(pub usize);

impl MacKey {
    /// Wraps a server secret of at least 32 bytes.
    ///
    /// # Errors
    /// [`WeakSecret`] when it is shorter.
    pub fn new(secret: &[u8]) -> Result<Self, WeakSecret> {
        if secret.len() < 32 {
            return Err(WeakSecret(secret.len()));
        }
        Ok(Self(SecretBox::new(secret.into())))
    }

    /// The MAC of `value` for `purpose`, bound to `binding` (a challenge id,
    /// or empty where the value is itself unguessable).
    #[must_use]
    pub fn mac(&self, purpose: MacPurpose, binding: &str, value: &str) -> CodeMac {
        // new_from_slice only fails for fixed-size keys; HMAC takes any length.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(self.0.expose_secret()) else {
            return CodeMac([0; 32]);
        };
        let label = purpose.label();
        // Length-prefix each field so ("ab","c") and ("a","bc") differ.
        for part in [label, binding.as_bytes(), value.as_bytes()] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        CodeMac(mac.finalize().into_bytes().into())
    }
}

impl fmt::Debug for MacKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("MacKey(<redacted>)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> MacKey {
        MacKey::new(&[7; 32]).unwrap()
    }

    #[test]
    fn the_mac_is_bound_to_the_challenge_and_the_purpose() {
        let k = key();
        let a = k.mac(MacPurpose::Otp, "ch_1", "123456");
        assert!(a.matches(&k.mac(MacPurpose::Otp, "ch_1", "123456")));
        assert!(!a.matches(&k.mac(MacPurpose::Otp, "ch_2", "123456")));
        assert!(!a.matches(&k.mac(MacPurpose::Link, "ch_1", "123456")));
        assert!(!a.matches(&k.mac(MacPurpose::Otp, "ch_1", "123457")));
    }

    #[test]
    fn field_boundaries_matter() {
        let k = key();
        assert!(
            !k.mac(MacPurpose::Otp, "ab", "c")
                .matches(&k.mac(MacPurpose::Otp, "a", "bc"))
        );
    }

    #[test]
    fn a_different_secret_gives_a_different_mac() {
        let other = MacKey::new(&[8; 32]).unwrap();
        assert!(!key().mac(MacPurpose::Otp, "c", "1").matches(&other.mac(
            MacPurpose::Otp,
            "c",
            "1"
        )));
    }

    #[test]
    fn short_secrets_are_refused() {
        assert_eq!(MacKey::new(&[1; 31]).err(), Some(WeakSecret(31)));
    }

    #[test]
    fn macs_round_trip_through_hex() {
        let m = key().mac(MacPurpose::Otp, "c", "1");
        assert_eq!(CodeMac::from_hex(&m.to_hex()).unwrap(), m);
        assert!(CodeMac::from_hex("abcd").is_err());
    }

    #[test]
    fn code_lengths_outside_four_to_ten_are_refused() {
        assert!(CodeLength::new(3).is_err());
        assert!(CodeLength::new(11).is_err());
        assert_eq!(CodeLength::new(10).unwrap().digits(), 10);
    }

    #[test]
    fn secrets_are_redacted_in_debug() {
        let shown = format!(
            "{:?} {:?} {:?}",
            Otp::new("424242"),
            key(),
            key().mac(MacPurpose::Otp, "c", "1")
        );
        assert!(!shown.contains("4242"));
        assert!(shown.contains("redacted"));
    }
}
