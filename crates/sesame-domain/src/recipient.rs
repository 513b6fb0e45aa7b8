//! Who a code goes to: connections and the recipient newtypes that parse them.
//!
//! The newtypes parse rather than validate: once a value is an [`EmailAddress`]
//! or a [`PhoneNumber`] it is in canonical form, so two spellings of the same
//! address find the same user and the same challenge. None of them implements
//! `Display`, and their `Debug` is redacted, so an address cannot reach a log
//! line by accident; [`EmailAddress::as_str`] is the one deliberate way out.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

/// A passwordless connection: how the code travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Connection {
    /// A code or link sent by email.
    Email,
    /// A code sent by text message.
    Sms,
}

impl Connection {
    /// The wire name, as Auth0 spells it (`email`, `sms`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
        }
    }
}

impl fmt::Display for Connection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The connection name was neither `email` nor `sms`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("connection must be \"email\" or \"sms\"")]
pub struct UnknownConnection;

impl FromStr for Connection {
    type Err = UnknownConnection;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "email" => Ok(Self::Email),
            "sms" => Ok(Self::Sms),
            _ => Err(UnknownConnection),
        }
    }
}

/// Through [`FromStr`], so a configuration file and a request refuse an
/// unknown connection with the same words.
impl<'de> Deserialize<'de> for Connection {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// What was wrong with an email address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    /// Nothing but white space was given.
    #[error("email address is empty")]
    Empty,
    /// Longer than the 254 characters SMTP allows.
    #[error("email address is longer than 254 characters")]
    TooLong,
    /// No `@` separates the local part from the domain.
    #[error("email address has no '@'")]
    MissingAt,
    /// The part before the `@` is empty, too long or has a forbidden character.
    #[error("the part before '@' is not valid")]
    InvalidLocalPart,
    /// The part after the `@` is not a dotted domain name.
    #[error("the domain after '@' is not valid")]
    InvalidDomain,
}

/// An email address in the one form every spelling of its mailbox shares.
///
/// Trimmed, NFKC-normalised and lower-cased, with the domain in its ASCII
/// (IDNA, UTS 46) form: `Alice@Example.COM`, `alice@example.com`, its
/// full-width spelling and `alice@example。com` are one address, so they are
/// one user, one challenge and one rate-limit counter.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses `raw` into canonical form.
    ///
    /// # Errors
    /// An [`EmailError`] saying which part is wrong.
    pub fn parse(raw: &str) -> Result<Self, EmailError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(EmailError::Empty);
        }
        // A cheap bound before any normalising work.
        if s.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        // NFKC, not only NFC: compatibility forms (full-width letters and
        // `＠`, ligatures, superscripts) are what an input method types for
        // the same keys, and every mail system that folds case folds them
        // too, so they reach the same mailbox. NFKC contains NFC, so a
        // composed and a decomposed accent also meet. It runs on the whole
        // address so a full-width `＠` separates like `@`.
        let s: String = s.nfkc().collect();
        let (local, domain) = s.rsplit_once('@').ok_or(EmailError::MissingAt)?;
        // The local part is lower-cased as Auth0 does. RFC 5321 lets the
        // receiving host give case a meaning, but no mainstream provider
        // does, and treating `Victim@` and `victim@` as two users lets anyone
        // sidestep a block or multiply a per-address limit. Lower-casing can
        // undo NFC (a capital with a combining mark), hence NFC again.
        let local: String = local.to_lowercase().nfc().collect();
        if !valid_local_part(&local) {
            return Err(EmailError::InvalidLocalPart);
        }
        let domain = ascii_domain(domain).ok_or(EmailError::InvalidDomain)?;
        let address = format!("{local}@{domain}");
        if address.chars().count() > 254 {
            return Err(EmailError::TooLong);
        }
        Ok(Self(address))
    }

    /// The canonical address. Handle with care: it is personal data.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The part before the `@`, used as a default nickname.
    #[must_use]
    pub fn local_part(&self) -> &str {
        self.0.rsplit_once('@').map_or(self.0.as_str(), |(l, _)| l)
    }
}

impl<'de> Deserialize<'de> for EmailAddress {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for EmailAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("EmailAddress(<redacted>)")
    }
}

fn valid_local_part(local: &str) -> bool {
    const SPECIALS: &str = "!#$%&'*+/=?^_`{|}~.-";
    !local.is_empty()
        && local.len() <= 64
        && !local.starts_with('.')
        && !local.ends_with('.')
        && !local.contains("..")
        && local.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || SPECIALS.contains(c)
                || (!c.is_ascii() && !c.is_control() && !c.is_whitespace())
        })
}

/// The domain's ASCII form under UTS 46 (mapping, which lower-cases and
/// folds compatibility forms, then Punycode), with the STD3 rules and DNS
/// lengths checked; `None` when IDNA refuses it or it is not a dotted name
/// with a real top-level label.
fn ascii_domain(domain: &str) -> Option<String> {
    let ascii = idna::domain_to_ascii_strict(domain).ok()?;
    valid_domain(&ascii).then_some(ascii)
}

fn valid_domain(domain: &str) -> bool {
    let labels: Vec<&str> = domain.split('.').collect();
    domain.len() <= 253
        && labels.len() >= 2
        && labels.iter().all(|l| {
            !l.is_empty()
                && l.len() <= 63
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        })
        && labels
            .last()
            .is_some_and(|tld| tld.chars().count() >= 2 && !tld.chars().all(|c| c.is_ascii_digit()))
}

/// What was wrong with a phone number.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    /// Nothing but white space was given.
    #[error("phone number is empty")]
    Empty,
    /// E.164 numbers start with `+` and the country code.
    #[error("phone number must start with '+' and the country code")]
    MissingPlus,
    /// A character other than a digit or a separator (space, `-`, `.`, `(`, `)`).
    #[error("phone number may contain only digits after '+'")]
    InvalidCharacter,
    /// Country codes never start with 0.
    #[error("country code cannot start with 0")]
    LeadingZero,
    /// E.164 allows 7 to 15 digits.
    #[error("phone number must have 7 to 15 digits")]
    BadLength,
}

/// A phone number in E.164 form: `+` then 7–15 digits, the first not 0.
#[derive(Clone, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses `raw` into E.164, dropping the separators people type
    /// (spaces, `-`, `.`, `(`, `)`).
    ///
    /// # Errors
    /// A [`PhoneError`] saying what is wrong.
    pub fn parse(raw: &str) -> Result<Self, PhoneError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(PhoneError::Empty);
        }
        let rest = s.strip_prefix('+').ok_or(PhoneError::MissingPlus)?;
        let mut digits = String::with_capacity(16);
        digits.push('+');
        for c in rest.chars() {
            match c {
                '0'..='9' => digits.push(c),
                ' ' | '-' | '.' | '(' | ')' => {}
                _ => return Err(PhoneError::InvalidCharacter),
            }
        }
        let count = digits.len() - 1;
        if !(7..=15).contains(&count) {
            return Err(PhoneError::BadLength);
        }
        if digits.as_bytes().get(1) == Some(&b'0') {
            return Err(PhoneError::LeadingZero);
        }
        Ok(Self(digits))
    }

    /// The E.164 form. Handle with care: it is personal data.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = String::deserialize(d)?;
        Self::parse(&raw).map_err(serde::de::Error::custom)
    }
}

impl fmt::Debug for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("PhoneNumber(<redacted>)")
    }
}

/// Where a code goes: an email address or a phone number.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "connection", content = "address", rename_all = "lowercase")]
pub enum Recipient {
    /// Reached through the email connection.
    Email(EmailAddress),
    /// Reached through the sms connection.
    Sms(PhoneNumber),
}

/// A recipient string did not parse for its connection.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecipientError {
    /// The email address is invalid.
    #[error(transparent)]
    Email(#[from] EmailError),
    /// The phone number is invalid.
    #[error(transparent)]
    Phone(#[from] PhoneError),
}

impl Recipient {
    /// Parses `raw` as the kind of address `connection` uses.
    ///
    /// # Errors
    /// The parse error of that kind of address.
    pub fn parse(connection: Connection, raw: &str) -> Result<Self, RecipientError> {
        Ok(match connection {
            Connection::Email => Self::Email(EmailAddress::parse(raw)?),
            Connection::Sms => Self::Sms(PhoneNumber::parse(raw)?),
        })
    }

    /// The connection this recipient belongs to.
    #[must_use]
    pub const fn connection(&self) -> Connection {
        match self {
            Self::Email(_) => Connection::Email,
            Self::Sms(_) => Connection::Sms,
        }
    }

    /// The canonical address or number, as stores key on it.
    #[must_use]
    pub fn as_str(&self) -> &str {
        match self {
            Self::Email(e) => e.as_str(),
            Self::Sms(p) => p.as_str(),
        }
    }
}

#[cfg(test)]
#[path = "recipient_tests.rs"]
mod tests;
