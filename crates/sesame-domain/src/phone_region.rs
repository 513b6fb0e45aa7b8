//! Where a phone number leads: its country, and the destination prefix the
//! SMS pumping guard counts sends by.
//!
//! Countries come from libphonenumber's metadata through the maintained
//! `phonenumber` crate (pure Rust, no I/O), not from a table of our own:
//! numbering plans change every few months, and NANP countries share `+1`.

use std::fmt;
use std::str::FromStr;

use crate::recipient::PhoneNumber;

/// An ISO 3166-1 alpha-2 country code that has a numbering plan, upper case
/// (`US`, `GB`).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct CountryCode(String);

/// A country code that names no country with a numbering plan.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0:?} is not an ISO 3166 alpha-2 country code with a numbering plan")]
pub struct UnknownCountry(pub String);

impl CountryCode {
    /// Parses `raw` (any case, surrounding spaces ignored).
    ///
    /// # Errors
    /// [`UnknownCountry`] when libphonenumber knows no such country.
    pub fn parse(raw: &str) -> Result<Self, UnknownCountry> {
        let upper = raw.trim().to_ascii_uppercase();
        match phonenumber::country::Id::from_str(&upper) {
            Ok(id) => Ok(Self(id.as_ref().to_owned())),
            Err(_) => Err(UnknownCountry(raw.to_owned())),
        }
    }

    /// The two letters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CountryCode({})", self.0)
    }
}

/// Digits after the country code that a destination prefix keeps: enough to
/// tell premium and mobile ranges apart, too few to name a subscriber.
const PREFIX_DIGITS_AFTER_COUNTRY_CODE: usize = 3;

/// Digits a prefix keeps after `+` when the country code cannot be read.
const FALLBACK_PREFIX_DIGITS: usize = 4;

impl PhoneNumber {
    /// The country the number belongs to, or `None` when the metadata names
    /// none (an unassigned country code, or a range no country uses, such
    /// as the `+1 555` numbers of films and tests).
    #[must_use]
    pub fn country(&self) -> Option<CountryCode> {
        let parsed = phonenumber::parse(None, self.as_str()).ok()?;
        let id = parsed.country().id()?;
        Some(CountryCode(id.as_ref().to_owned()))
    }

    /// The destination prefix: `+`, the country code and the next three
    /// digits (`+1555`, `+44791`). Pumping fraud targets a few premium
    /// ranges, so sends are counted per prefix. It names no subscriber, so
    /// it may be logged.
    #[must_use]
    pub fn destination_prefix(&self) -> String {
        let number = self.as_str();
        let keep = phonenumber::parse(None, number)
            .ok()
            .map(|p| p.code().value().to_string().len() + PREFIX_DIGITS_AFTER_COUNTRY_CODE)
            .unwrap_or(FALLBACK_PREFIX_DIGITS);
        // E.164 is ASCII: `+` and digits, so byte slicing is char slicing.
        number.chars().take(1 + keep).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn phone(s: &str) -> PhoneNumber {
        PhoneNumber::parse(s).unwrap()
    }

    #[test]
    fn a_number_is_mapped_to_its_country_by_the_numbering_plan() {
        let country = |s: &str| phone(s).country().map(|c| c.as_str().to_owned());
        assert_eq!(country("+442079460000").as_deref(), Some("GB"));
        assert_eq!(country("+33142685300").as_deref(), Some("FR"));
        // NANP countries share +1: the area code tells them apart.
        assert_eq!(country("+12125550123").as_deref(), Some("US"));
        assert_eq!(country("+14165550123").as_deref(), Some("CA"));
        assert_eq!(country("+18765550123").as_deref(), Some("JM"));
    }

    #[test]
    fn a_test_number_or_an_unassigned_code_has_no_country() {
        assert_eq!(phone("+15555550100").country(), None);
        assert_eq!(phone("+9995550100").country(), None);
    }

    #[test]
    fn the_prefix_is_the_country_code_and_three_more_digits() {
        assert_eq!(phone("+15555550100").destination_prefix(), "+1555");
        assert_eq!(phone("+447912345678").destination_prefix(), "+44791");
        assert_eq!(phone("+3725123456").destination_prefix(), "+372512");
        // No country code that libphonenumber knows: the first four digits.
        assert_eq!(phone("+9995550100").destination_prefix(), "+9995");
    }

    #[test]
    fn country_codes_parse_in_any_case_and_unknown_ones_are_refused() {
        assert_eq!(CountryCode::parse(" gb ").unwrap().as_str(), "GB");
        assert!(CountryCode::parse("XX").is_err());
        assert!(CountryCode::parse("GBR").is_err());
        assert!(CountryCode::parse("").is_err());
    }
}
