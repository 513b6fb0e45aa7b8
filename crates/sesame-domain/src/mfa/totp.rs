//! TOTP (RFC 6238) as the MFA `otp` factor: 6 digits, 30-second steps,
//! HMAC-SHA-1, one step of drift either way. The `totp-rs` crate computes
//! the codes and the `otpauth://` URI; this module adds what it leaves to
//! the caller: which step a code matched (so it is never accepted twice),
//! compared in constant time, at a time the caller passes in.

use secrecy::{ExposeSecret, SecretBox};
use subtle::ConstantTimeEq as _;
use totp_rs::{Algorithm, Secret, TOTP};

use crate::time::Timestamp;

/// Bytes in a new TOTP secret: 160 bits, RFC 4226's recommendation for
/// HMAC-SHA-1.
pub const TOTP_SECRET_LEN: usize = 20;

const DIGITS: usize = 6;
const STEP_SECS: u64 = 30;

/// One TOTP secret.
pub struct Totp(SecretBox<[u8]>);

impl std::fmt::Debug for Totp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Totp(<redacted>)")
    }
}

impl Totp {
    /// The secret `bytes` (from the CSPRNG, or opened from storage).
    #[must_use]
    pub fn new(bytes: Vec<u8>) -> Self {
        Self(SecretBox::new(bytes.into_boxed_slice()))
    }

    /// The secret an app was given in base32 (what an enrollment answers).
    #[must_use]
    pub fn from_base32(encoded: &str) -> Option<Self> {
        Secret::Encoded(encoded.to_owned())
            .to_bytes()
            .ok()
            .map(Self::new)
    }

    /// The raw secret, for sealing.
    #[must_use]
    pub fn bytes(&self) -> &[u8] {
        self.0.expose_secret()
    }

    fn totp(&self, issuer: Option<String>, account: String) -> TOTP {
        // `new_unchecked`: the secret length is ours (160 bits), and the
        // crate's checked constructor refuses account names with colons.
        TOTP::new_unchecked(
            Algorithm::SHA1,
            DIGITS,
            1,
            STEP_SECS,
            self.0.expose_secret().to_vec(),
            issuer,
            account,
        )
    }

    /// The secret in base32, as authenticator apps take it.
    #[must_use]
    pub fn base32(&self) -> String {
        base32(self.0.expose_secret())
    }

    /// The `otpauth://totp/…` URI a QR code carries.
    #[must_use]
    pub fn uri(&self, issuer: &str, account: &str) -> String {
        self.totp(Some(issuer.to_owned()), account.to_owned())
            .get_url()
    }

    /// The code for time step `step`.
    #[must_use]
    pub fn code_at_step(&self, step: i64) -> String {
        let secs = u64::try_from(step).unwrap_or(0).saturating_mul(STEP_SECS);
        self.totp(None, String::new()).generate(secs)
    }

    /// The time step `now` is in.
    #[must_use]
    pub fn step_of(now: Timestamp) -> i64 {
        now.unix_seconds().div_euclid(STEP_SECS as i64)
    }

    /// The step (now's, or one either side) whose code `code` is, compared
    /// in constant time against all three, so the answer's time does not
    /// say which matched.
    #[must_use]
    pub fn matching_step(&self, code: &str, now: Timestamp) -> Option<i64> {
        let step = Self::step_of(now);
        let mut found = None;
        for s in [step - 1, step, step + 1] {
            let expected = self.code_at_step(s);
            if bool::from(expected.as_bytes().ct_eq(code.as_bytes())) && found.is_none() {
                found = Some(s);
            }
        }
        found
    }
}

/// `bytes` in RFC 4648 base32 without padding (what `otpauth://` URIs and
/// recovery codes are written in).
#[must_use]
pub fn base32(bytes: &[u8]) -> String {
    Secret::Raw(bytes.to_vec()).to_encoded().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 secret.
    fn rfc_secret() -> Totp {
        Totp::new(b"12345678901234567890".to_vec())
    }

    #[test]
    fn codes_match_rfc_6238s_test_vectors() {
        let t = rfc_secret();
        // T = 59 s → 94287082 (8 digits); the last six are the 6-digit code.
        assert_eq!(t.code_at_step(59 / 30), "287082");
        assert_eq!(t.code_at_step(1_111_111_109 / 30), "081804");
        assert_eq!(t.code_at_step(2_000_000_000 / 30), "279037");
    }

    #[test]
    fn a_code_matches_its_own_step_and_its_neighbours_but_no_further() {
        let t = rfc_secret();
        let now = Timestamp::from_unix_seconds(1_111_111_109);
        let step = Totp::step_of(now);
        assert_eq!(t.matching_step(&t.code_at_step(step), now), Some(step));
        assert_eq!(
            t.matching_step(&t.code_at_step(step - 1), now),
            Some(step - 1)
        );
        assert_eq!(
            t.matching_step(&t.code_at_step(step + 1), now),
            Some(step + 1)
        );
        assert_eq!(t.matching_step(&t.code_at_step(step - 2), now), None);
        assert_eq!(t.matching_step("000000x", now), None);
    }

    #[test]
    fn the_uri_names_the_issuer_and_carries_the_base32_secret() {
        let t = rfc_secret();
        assert_eq!(t.base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        let uri = t.uri("auth.example.com", "jane@example.com");
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(
            uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
        assert!(uri.contains("issuer=auth.example.com"), "{uri}");
    }
}
