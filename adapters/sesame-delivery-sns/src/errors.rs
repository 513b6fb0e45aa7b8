//! Turning SDK failures into [`DeliveryError`]s that are safe to show.
//!
//! A [`DeliveryError::Rejected`] text reaches API callers, and SNS error
//! messages sometimes quote the parameter they disliked. So the text is
//! built from the service's error code and message only, with the number,
//! the body and the code removed, and any run of seven or more digits (a
//! phone number in any spelling) blanked, whatever the SDK put there.

use aws_sdk_sns::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sns::operation::publish::PublishError;
use sesame_domain::ports::DeliveryError;

/// What replaces anything personal in an error text.
const REDACTED: &str = "<redacted>";

/// The longest detail passed on, in characters.
const MAX_DETAIL_CHARS: usize = 200;

/// Digit runs at least this long are treated as phone numbers.
const MIN_NUMBER_DIGITS: usize = 7;

/// The most separator characters allowed between two digits of a number.
const MAX_SEPARATORS: usize = 2;

/// Maps a failed `Publish` to a [`DeliveryError`]. `secrets` (the number,
/// the body, the code) are removed from any text that is kept.
pub(crate) fn map_publish_error(err: SdkError<PublishError>, secrets: &[&str]) -> DeliveryError {
    match err {
        SdkError::TimeoutError(_) => DeliveryError::Unavailable(anyhow::anyhow!(
            "SNS did not answer within the configured timeout"
        )),
        SdkError::DispatchFailure(e) => {
            let kind = if e.is_timeout() {
                "timed out"
            } else if e.is_io() {
                "I/O error"
            } else {
                "dispatch failure"
            };
            DeliveryError::Unavailable(anyhow::anyhow!("could not reach SNS: {kind}"))
        }
        SdkError::ServiceError(e) => {
            let status = e.raw().status().as_u16();
            let err = e.into_err();
            let code = err.code().unwrap_or("UnknownError");
            let detail = scrub(
                &format!("SNS {code}: {}", err.message().unwrap_or("no message")),
                secrets,
            );
            if status >= 500 {
                DeliveryError::Unavailable(anyhow::anyhow!("SNS answered {status}: {detail}"))
            } else {
                DeliveryError::Rejected(detail)
            }
        }
        SdkError::ResponseError(e) => {
            let status = e.raw().status().as_u16();
            if status >= 500 {
                DeliveryError::Unavailable(anyhow::anyhow!("SNS answered {status}"))
            } else {
                DeliveryError::Unknown(anyhow::anyhow!(
                    "SNS answered {status} with an unreadable response"
                ))
            }
        }
        // Construction failures and whatever the SDK adds later. Their
        // `Display` names the failing part, never a parameter's value.
        other => DeliveryError::Unknown(anyhow::anyhow!(scrub(&other.to_string(), secrets))),
    }
}

/// `text` with every secret and every long digit run replaced, cut to
/// [`MAX_DETAIL_CHARS`].
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        out = out.replace(secret, REDACTED);
    }
    let out = blank_digit_runs(&out);
    if out.chars().count() > MAX_DETAIL_CHARS {
        let mut cut: String = out.chars().take(MAX_DETAIL_CHARS).collect();
        cut.push('…');
        cut
    } else {
        out
    }
}

/// Replaces runs of at least [`MIN_NUMBER_DIGITS`] digits, possibly split
/// by short runs of `+ -.()`, with [`REDACTED`].
fn blank_digit_runs(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while let Some(&c) = chars.get(i) {
        if !(c.is_ascii_digit() || (c == '+' && next_is_digit(&chars, i))) {
            out.push(c);
            i += 1;
            continue;
        }
        let start = i;
        let mut digits = 0;
        let mut end = i;
        while let Some(&d) = chars.get(i) {
            if d.is_ascii_digit() {
                digits += 1;
                i += 1;
                end = i;
            } else if let Some(gap) = separator_gap(&chars, i) {
                i += gap;
            } else {
                break;
            }
        }
        if digits >= MIN_NUMBER_DIGITS {
            out.push_str(REDACTED);
        } else {
            out.extend(chars.get(start..end).into_iter().flatten());
        }
        i = end;
    }
    out
}

/// The length of the separators at `i` when a digit follows them, as in
/// `+1 (555) 555-0100`: at most [`MAX_SEPARATORS`] of `+ -.()`.
fn separator_gap(chars: &[char], i: usize) -> Option<usize> {
    let gap = chars
        .get(i..)?
        .iter()
        .take(MAX_SEPARATORS + 1)
        .take_while(|c| matches!(c, '+' | ' ' | '-' | '.' | '(' | ')'))
        .count();
    (gap > 0 && gap <= MAX_SEPARATORS && chars.get(i + gap).is_some_and(char::is_ascii_digit))
        .then_some(gap)
}

fn next_is_digit(chars: &[char], i: usize) -> bool {
    chars.get(i + 1).is_some_and(char::is_ascii_digit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phone_numbers_in_any_spelling_are_blanked() {
        assert_eq!(
            scrub(
                "Invalid parameter: PhoneNumber Reason: +15555550100 is not valid",
                &[]
            ),
            "Invalid parameter: PhoneNumber Reason: <redacted> is not valid"
        );
        assert_eq!(
            scrub("call +1 (555) 555-0100 now", &[]),
            "call <redacted> now"
        );
        assert_eq!(scrub("tel:4915112345678.", &[]), "tel:<redacted>.");
    }

    #[test]
    fn short_numbers_and_words_survive() {
        let text = "Rate exceeded: 20 per 1 second (code 429), try 2026-11";
        assert_eq!(scrub(text, &[]), text);
    }

    #[test]
    fn named_secrets_are_removed_even_when_short() {
        let out = scrub(
            "Message 'Your code is 424242' too long",
            &["Your code is 424242", "424242"],
        );
        assert_eq!(out, "Message '<redacted>' too long");
    }

    #[test]
    fn long_texts_are_cut() {
        let out = scrub(&"x".repeat(500), &[]);
        assert_eq!(out.chars().count(), MAX_DETAIL_CHARS + 1);
    }
}
