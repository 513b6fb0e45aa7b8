//! A fake key sealer with no real cryptography dependency.
//!
//! Sealed form: `TKS1` ‖ a 32-byte HMAC tag ‖ the key XORed with an
//! HMAC-SHA256 keystream, both keyed by a secret and bound to the `kid` and
//! algorithm. Enough for tests to see that stores hold no clear key, that a
//! wrong secret or a moved row does not open, and that clear rows are
//! recognised; NOT a cipher to use: the server seals with
//! `sesame-token-jwt`'s AES-256-GCM.

use hmac::{Hmac, Mac};
use secrecy::SecretBox;
use sesame_domain::SigningAlg;
use sesame_domain::ports::{KeySealer, Opened, SealError};
use sha2::Sha256;
use subtle::ConstantTimeEq as _;

const MAGIC: &[u8; 4] = b"TKS1";
const TAG_LEN: usize = 32;
/// What second-factor secrets are bound to in place of an algorithm.
const SECRET: &str = "mfa-secret";

/// A [`KeySealer`] for tests, keyed by a secret. Anything not starting with
/// its marker is taken as a key stored in clear.
#[derive(Clone)]
pub struct MemoryKeySealer {
    secret: Vec<u8>,
}

impl std::fmt::Debug for MemoryKeySealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MemoryKeySealer")
    }
}

impl Default for MemoryKeySealer {
    fn default() -> Self {
        Self::new(b"the test harness's sealing secret")
    }
}

impl MemoryKeySealer {
    /// A sealer keyed by `secret`.
    #[must_use]
    pub fn new(secret: &[u8]) -> Self {
        Self {
            secret: secret.to_vec(),
        }
    }

    fn mac(&self, parts: &[&[u8]]) -> [u8; 32] {
        // HMAC takes a key of any length.
        let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&self.secret) else {
            return [0; 32];
        };
        for part in parts {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    fn xor(&self, kid: &str, label: &str, bytes: &mut [u8]) {
        for (i, chunk) in bytes.chunks_mut(32).enumerate() {
            let block = self.mac(&[
                b"stream",
                label.as_bytes(),
                kid.as_bytes(),
                &(i as u64).to_be_bytes(),
            ]);
            for (b, k) in chunk.iter_mut().zip(block) {
                *b ^= k;
            }
        }
    }

    fn tag(&self, kid: &str, label: &str, body: &[u8]) -> [u8; TAG_LEN] {
        self.mac(&[b"tag", label.as_bytes(), kid.as_bytes(), body])
    }
}

impl KeySealer for MemoryKeySealer {
    fn seal(&self, kid: &str, alg: SigningAlg, private_der: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut body = private_der.to_vec();
        self.xor(kid, alg.as_str(), &mut body);
        Ok([MAGIC.as_slice(), &self.tag(kid, alg.as_str(), &body), &body].concat())
    }

    fn open(&self, kid: &str, alg: SigningAlg, stored: &[u8]) -> Result<Opened, SealError> {
        let Some(rest) = stored.strip_prefix(MAGIC.as_slice()) else {
            return Ok(Opened::Clear);
        };
        let (tag, body) = rest
            .split_first_chunk::<TAG_LEN>()
            .ok_or(SealError::WrongKey)?;
        if !bool::from(self.tag(kid, alg.as_str(), body).ct_eq(tag)) {
            return Err(SealError::WrongKey);
        }
        let mut clear = body.to_vec();
        self.xor(kid, alg.as_str(), &mut clear);
        Ok(Opened::Sealed(SecretBox::new(clear.into_boxed_slice())))
    }

    fn seal_secret(&self, context: &str, clear: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut body = clear.to_vec();
        self.xor(context, SECRET, &mut body);
        Ok([MAGIC.as_slice(), &self.tag(context, SECRET, &body), &body].concat())
    }

    fn open_secret(&self, context: &str, stored: &[u8]) -> Result<SecretBox<[u8]>, SealError> {
        let rest = stored
            .strip_prefix(MAGIC.as_slice())
            .ok_or(SealError::WrongKey)?;
        let (tag, body) = rest
            .split_first_chunk::<TAG_LEN>()
            .ok_or(SealError::WrongKey)?;
        if !bool::from(self.tag(context, SECRET, body).ct_eq(tag)) {
            return Err(SealError::WrongKey);
        }
        let mut clear = body.to_vec();
        self.xor(context, SECRET, &mut clear);
        Ok(SecretBox::new(clear.into_boxed_slice()))
    }
}
