//! SMS length arithmetic (3GPP TS 23.038).
//!
//! A text made only of GSM 03.38 characters travels in the 7-bit alphabet:
//! 160 septets fit one segment, and each character of the extension table
//! (`^ { } \ [ ~ ] | €` and form feed) takes two. One character outside
//! the alphabet forces UCS-2 for the whole text: 70 UTF-16 units a segment.
//! Longer texts are split into 153-septet or 67-unit parts.

/// Septets in one single-segment GSM-7 message.
pub const GSM7_SEGMENT: usize = 160;
/// Septets in each part of a multi-segment GSM-7 message.
pub const GSM7_PART: usize = 153;
/// UTF-16 units in one single-segment UCS-2 message.
pub const UCS2_SEGMENT: usize = 70;
/// UTF-16 units in each part of a multi-segment UCS-2 message.
pub const UCS2_PART: usize = 67;

/// The basic GSM 03.38 table (one septet each), less the escape code.
const BASIC: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?\
                     ¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// The extension table: an escape septet plus one, so two each.
const EXTENSION: &str = "^{}\\[~]|€\u{0C}";

/// How a text is encoded on the air, and how long it is in that encoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// The GSM 7-bit alphabet; the length is in septets.
    Gsm7 {
        /// Septets, extension characters counted twice.
        septets: usize,
    },
    /// UCS-2 (UTF-16); the length is in 16-bit units.
    Ucs2 {
        /// UTF-16 code units (characters outside the BMP count twice).
        units: usize,
    },
}

impl Encoding {
    /// How many segments the text needs (at least one, even when empty).
    #[must_use]
    pub const fn segments(self) -> usize {
        let (len, single, part) = match self {
            Self::Gsm7 { septets } => (septets, GSM7_SEGMENT, GSM7_PART),
            Self::Ucs2 { units } => (units, UCS2_SEGMENT, UCS2_PART),
        };
        if len <= single { 1 } else { len.div_ceil(part) }
    }
}

/// Septets `c` takes in GSM-7, or `None` when it is not in the alphabet.
#[must_use]
pub fn char_septets(c: char) -> Option<usize> {
    if BASIC.contains(c) {
        Some(1)
    } else if EXTENSION.contains(c) {
        Some(2)
    } else {
        None
    }
}

/// Septets `text` takes in GSM-7, or `None` when a character forces UCS-2.
#[must_use]
pub fn septets(text: &str) -> Option<usize> {
    text.chars().map(char_septets).sum()
}

/// The characters of `text` that are not in the GSM-7 alphabet.
pub fn non_gsm_chars(text: &str) -> impl Iterator<Item = char> + '_ {
    text.chars().filter(|&c| char_septets(c).is_none())
}

/// The encoding `text` needs, with its length in that encoding.
#[must_use]
pub fn encoding(text: &str) -> Encoding {
    septets(text).map_or_else(
        || Encoding::Ucs2 {
            units: text.encode_utf16().count(),
        },
        |septets| Encoding::Gsm7 { septets },
    )
}

/// Whether `text` fits in one SMS segment.
#[must_use]
pub fn fits_one_segment(text: &str) -> bool {
    encoding(text).segments() == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_basic_table_has_all_127_characters_besides_escape() {
        assert_eq!(BASIC.chars().count(), 127);
        assert_eq!(EXTENSION.chars().count(), 10);
    }

    #[test]
    fn extension_characters_count_double() {
        assert_eq!(septets("abc"), Some(3));
        assert_eq!(septets("€5 {x}"), Some(9));
        assert_eq!(septets("Grüße à Besançon"), None);
        assert_eq!(non_gsm_chars("Grüße à Besançon").collect::<String>(), "ç");
    }

    #[test]
    fn a_single_non_gsm_character_forces_ucs2() {
        assert_eq!(encoding("código"), Encoding::Ucs2 { units: 6 });
        assert_eq!(encoding("ok 👍"), Encoding::Ucs2 { units: 5 });
    }

    #[test]
    fn segment_boundaries_follow_the_standard() {
        assert!(fits_one_segment(&"a".repeat(160)));
        assert!(!fits_one_segment(&"a".repeat(161)));
        assert!(!fits_one_segment(&"€".repeat(81)));
        assert_eq!(encoding(&"a".repeat(306)).segments(), 2);
        assert_eq!(encoding(&"a".repeat(307)).segments(), 3);
        assert!(fits_one_segment(&"ó".repeat(70)));
        assert_eq!(encoding(&"ó".repeat(71)).segments(), 2);
        assert_eq!(encoding("").segments(), 1);
    }
}
