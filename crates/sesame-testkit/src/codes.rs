//! A code generator a test can script, with no real randomness in it.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sesame_domain::code::{CodeLength, Otp};
use sesame_domain::ports::CodeGenerator;
use sha2::{Digest, Sha256};

use crate::sync::lock;

/// Makes each [`ScriptedCodes::new`] in a process differ from the others.
static INSTANCES: AtomicU64 = AtomicU64::new(0);

/// A [`CodeGenerator`] for tests.
///
/// [`numeric_code`](CodeGenerator::numeric_code) returns the queued codes
/// in order, verbatim, then falls back to the predictable sequence of
/// [`ScriptedCodes::fallback_code`]. [`fill_bytes`](CodeGenerator::fill_bytes)
/// hashes a seed and a call counter, so every call yields different bytes
/// (ids never collide) and a seeded generator yields the same bytes on every
/// run.
///
/// Not secure: for tests only.
pub struct ScriptedCodes {
    seed: [u8; 32],
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    script: VecDeque<String>,
    fallbacks: u64,
    fills: u64,
}

impl ScriptedCodes {
    /// A generator whose ids differ from those of every other generator,
    /// also in other processes, so tests sharing one database do not
    /// collide. The seed comes from the process id, the time and a counter,
    /// not from a random source.
    #[must_use]
    pub fn new() -> Self {
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let mut h = Sha256::new();
        h.update(b"sesame-testkit/unique-seed");
        h.update(std::process::id().to_be_bytes());
        h.update(nanos.to_be_bytes());
        h.update(INSTANCES.fetch_add(1, Ordering::Relaxed).to_be_bytes());
        Self::from_seed(h.finalize().into())
    }

    /// A reproducible generator: the same `seed` gives the same bytes.
    #[must_use]
    pub fn seeded(seed: u64) -> Self {
        let mut h = Sha256::new();
        h.update(b"sesame-testkit/seed");
        h.update(seed.to_be_bytes());
        Self::from_seed(h.finalize().into())
    }

    fn from_seed(seed: [u8; 32]) -> Self {
        Self {
            seed,
            state: Mutex::new(State::default()),
        }
    }

    /// This generator with `codes` queued.
    #[must_use]
    pub fn with_codes<I, S>(self, codes: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        for code in codes {
            self.push(code);
        }
        self
    }

    /// Queues `code`: it is returned, verbatim, after the codes queued
    /// before it.
    pub fn push(&self, code: impl Into<String>) {
        lock(&self.state).script.push_back(code.into());
    }

    /// How many queued codes have not been handed out yet.
    #[must_use]
    pub fn queued(&self) -> usize {
        lock(&self.state).script.len()
    }

    /// The `n`-th (from 0) code handed out once the script is empty:
    /// `(n + 1) · 142857 mod 10^digits`, zero padded. The multiplier is
    /// prime to 10, so no code repeats within `10^digits` codes; with six
    /// digits the sequence starts `142857`, `285714`, `428571`.
    #[must_use]
    pub fn fallback_code(n: u64, length: CodeLength) -> String {
        let digits = usize::from(length.digits());
        let modulus = 10_u128.pow(u32::from(length.digits()));
        let value = (u128::from(n) + 1) * 142_857 % modulus;
        format!("{value:0digits$}")
    }
}

impl Default for ScriptedCodes {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Debug for ScriptedCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScriptedCodes")
            .field("queued", &self.queued())
            .finish_non_exhaustive()
    }
}

impl CodeGenerator for ScriptedCodes {
    fn numeric_code(&self, length: CodeLength) -> Otp {
        let mut state = lock(&self.state);
        let code = match state.script.pop_front() {
            Some(code) => code,
            None => {
                let n = state.fallbacks;
                state.fallbacks += 1;
                Self::fallback_code(n, length)
            }
        };
        Otp::new(code)
    }

    fn fill_bytes(&self, dest: &mut [u8]) {
        let call = {
            let mut state = lock(&self.state);
            state.fills += 1;
            state.fills
        };
        for (block, chunk) in (0_u64..).zip(dest.chunks_mut(32)) {
            let mut h = Sha256::new();
            h.update(self.seed);
            h.update(call.to_be_bytes());
            h.update(block.to_be_bytes());
            let out = h.finalize();
            chunk.copy_from_slice(&out[..chunk.len()]);
        }
    }
}

#[cfg(test)]
mod tests {
    use sesame_domain::ports::random_array;

    use super::*;

    fn six() -> CodeLength {
        CodeLength::DEFAULT
    }

    #[test]
    fn scripted_codes_come_first_in_order_then_the_fallback_sequence() {
        let codes = ScriptedCodes::seeded(1).with_codes(["111111", "0042"]);
        codes.push("999999");
        assert_eq!(codes.queued(), 3);
        let got: Vec<String> = (0..5)
            .map(|_| codes.numeric_code(six()).expose().to_owned())
            .collect();
        assert_eq!(got, ["111111", "0042", "999999", "142857", "285714"]);
        assert_eq!(codes.queued(), 0);
    }

    #[test]
    fn fallback_codes_have_the_asked_length_and_do_not_repeat() {
        let four = CodeLength::new(4).unwrap();
        let mut seen = std::collections::HashSet::new();
        for n in 0..10_000 {
            let code = ScriptedCodes::fallback_code(n, four);
            assert_eq!(code.len(), 4);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
            assert!(seen.insert(code));
        }
        let ten = CodeLength::new(10).unwrap();
        assert_eq!(ScriptedCodes::fallback_code(0, ten), "0000142857");
    }

    #[test]
    fn filled_bytes_differ_per_call_and_repeat_per_seed() {
        let a = ScriptedCodes::seeded(7);
        let b = ScriptedCodes::seeded(7);
        let a1: [u8; 16] = random_array(&a);
        let a2: [u8; 16] = random_array(&a);
        assert_ne!(a1, a2);
        assert_eq!(a1, random_array::<16>(&b));
        assert_ne!(a1, random_array::<16>(&ScriptedCodes::seeded(8)));
    }

    #[test]
    fn long_fills_are_not_a_repeated_block() {
        let bytes: [u8; 80] = random_array(&ScriptedCodes::seeded(3));
        assert_ne!(bytes[..32], bytes[32..64]);
        assert!(bytes[64..].iter().any(|&b| b != 0));
    }

    #[test]
    fn unseeded_generators_differ_from_each_other() {
        let a: [u8; 16] = random_array(&ScriptedCodes::new());
        let b: [u8; 16] = random_array(&ScriptedCodes::default());
        assert_ne!(a, b);
    }
}
