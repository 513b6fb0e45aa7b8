//! # sesame-system
//!
//! The adapters for time and randomness: [`SystemClock`] reads the wall
//! clock, [`OsRandom`] draws from the operating system's CSPRNG. The domain
//! takes both through ports so tests can script them; production wires these.

use std::time::{SystemTime, UNIX_EPOCH};

use rand::rngs::OsRng;
use rand::{Rng as _, TryRngCore as _};
use sesame_domain::code::{CodeLength, Otp};
use sesame_domain::ports::{Clock, CodeGenerator};
use sesame_domain::time::Timestamp;

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        let millis = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
        Timestamp::from_unix_millis(millis)
    }
}

/// Codes and bytes from the operating system's CSPRNG (`getrandom`).
///
/// `getrandom(2)` fails only when the kernel has no entropy source at all.
/// Then no code could be unpredictable, so the wrapper's panic (inside
/// `rand`) is the one safe answer: issuing guessable codes would be worse.
#[derive(Debug, Clone, Copy, Default)]
pub struct OsRandom;

impl CodeGenerator for OsRandom {
    fn numeric_code(&self, length: CodeLength) -> Otp {
        let mut rng = OsRng.unwrap_err();
        // `random_range` samples without modulo bias.
        let code: String = (0..length.digits())
            .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
            .collect();
        Otp::new(code)
    }

    fn fill_bytes(&self, dest: &mut [u8]) {
        OsRng.unwrap_err().fill(dest);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_the_requested_number_of_digits() {
        for digits in 4..=10 {
            let code = OsRandom.numeric_code(CodeLength::new(digits).unwrap());
            assert_eq!(code.expose().len(), usize::from(digits));
            assert!(code.expose().bytes().all(|b| b.is_ascii_digit()));
        }
    }

    #[test]
    fn every_digit_appears_in_every_position() {
        // 2000 six-digit codes: the chance a given digit never shows in a
        // given position is 0.9^2000, effectively zero; a stuck generator or
        // a biased mapping that skips digits fails this.
        let mut seen = [[false; 10]; 6];
        for _ in 0..2000 {
            let code = OsRandom.numeric_code(CodeLength::DEFAULT);
            for (pos, b) in code.expose().bytes().enumerate() {
                seen[pos][usize::from(b - b'0')] = true;
            }
        }
        assert!(seen.iter().all(|p| p.iter().all(|&s| s)));
    }

    #[test]
    fn random_bytes_differ_between_calls() {
        let (mut a, mut b) = ([0u8; 32], [0u8; 32]);
        OsRandom.fill_bytes(&mut a);
        OsRandom.fill_bytes(&mut b);
        assert_ne!(a, b);
    }

    #[test]
    fn the_clock_is_after_2020() {
        assert!(SystemClock.now() > Timestamp::from_unix_seconds(1_577_836_800));
    }
}
