//! Time and randomness, as ports so tests control them.

use crate::code::{CodeLength, Otp};
use crate::time::Timestamp;

/// Tells the time.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> Timestamp;
}

/// A cryptographically secure source of codes and random bytes.
pub trait CodeGenerator: Send + Sync {
    /// A code of `length` decimal digits, each uniformly distributed (no
    /// modulo bias), leading zeros kept.
    fn numeric_code(&self, length: CodeLength) -> Otp;

    /// Fills `dest` with random bytes, for identifiers and opaque tokens.
    fn fill_bytes(&self, dest: &mut [u8]);
}

/// `N` random bytes from `rng`.
pub fn random_array<const N: usize>(rng: &dyn CodeGenerator) -> [u8; N] {
    let mut out = [0u8; N];
    rng.fill_bytes(&mut out);
    out
}
