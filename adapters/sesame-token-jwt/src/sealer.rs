//! [`AesGcmKeySealer`], the [`KeySealer`] adapter: AES-256-GCM under a key
//! derived from the server secret.
//!
//! Stored form: `SSK1` ‖ 12-byte random nonce ‖ ciphertext ‖ 16-byte tag.
//! The associated data binds the `kid` and algorithm, so a sealed key moved
//! to another row (another `kid`, or relabelled as another algorithm) does
//! not open. A PKCS#8 key written in clear by an older version starts with
//! a DER `SEQUENCE` (`0x30`), never with `SSK1`, so the two cannot be
//! confused.

use std::fmt;

use aws_lc_rs::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use aws_lc_rs::hkdf::{HKDF_SHA256, Salt};
use aws_lc_rs::rand::{SecureRandom as _, SystemRandom};
use secrecy::SecretBox;
use sesame_domain::SigningAlg;
use sesame_domain::ports::{KeySealer, Opened, SealError};

/// Marks (and versions) a sealed key.
const MAGIC: &[u8; 4] = b"SSK1";

/// The HKDF `info` of the wrapping key: its own label, so it is independent
/// of every other key derived from the server secret (the code MACs).
const LABEL: &[u8] = b"sesame/signing-key-wrap/v1";

/// A DER `SEQUENCE` tag: how every PKCS#8 key begins.
const DER_SEQUENCE: u8 = 0x30;

/// Seals signing keys with AES-256-GCM; the key is
/// HKDF-SHA256(salt = none, ikm = server secret, info = a label of its own).
pub struct AesGcmKeySealer {
    key: LessSafeKey,
    rng: SystemRandom,
}

impl fmt::Debug for AesGcmKeySealer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AesGcmKeySealer").finish_non_exhaustive()
    }
}

fn failed(what: &str) -> SealError {
    SealError::Unknown(anyhow::anyhow!("AES-256-GCM: {what} failed"))
}

/// The associated data: the label, the algorithm and the `kid`, separated
/// by NULs (which neither may contain).
fn aad(kid: &str, alg: SigningAlg) -> Vec<u8> {
    [LABEL, b"\0", alg.as_str().as_bytes(), b"\0", kid.as_bytes()].concat()
}

impl AesGcmKeySealer {
    /// A sealer keyed by `secret`, the server secret.
    ///
    /// # Errors
    /// [`SealError::Unknown`] when the key derivation fails.
    pub fn from_secret(secret: &[u8]) -> Result<Self, SealError> {
        let prk = Salt::new(HKDF_SHA256, &[]).extract(secret);
        let mut bytes = [0_u8; 32];
        prk.expand(&[LABEL], &AES_256_GCM)
            .and_then(|okm| okm.fill(&mut bytes))
            .map_err(|_| failed("key derivation"))?;
        let key = UnboundKey::new(&AES_256_GCM, &bytes).map_err(|_| failed("key setup"));
        bytes.fill(0);
        Ok(Self {
            key: LessSafeKey::new(key?),
            rng: SystemRandom::new(),
        })
    }
}

/// The HKDF label's sibling for second-factor secrets: the associated data
/// of a secret starts with it, that of a key with [`LABEL`], so neither
/// opens as the other.
const SECRET_LABEL: &[u8] = b"sesame/mfa-secret/v1";

impl AesGcmKeySealer {
    fn seal_with(&self, aad: Vec<u8>, clear: &[u8]) -> Result<Vec<u8>, SealError> {
        let mut nonce = [0_u8; NONCE_LEN];
        self.rng.fill(&mut nonce).map_err(|_| failed("nonce"))?;
        let mut sealed = Vec::with_capacity(MAGIC.len() + NONCE_LEN + clear.len() + 16);
        sealed.extend_from_slice(MAGIC);
        sealed.extend_from_slice(&nonce);
        let mut body = clear.to_vec();
        let sealing = self.key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(aad),
            &mut body,
        );
        if sealing.is_err() {
            body.fill(0);
            return Err(failed("sealing"));
        }
        sealed.extend_from_slice(&body);
        Ok(sealed)
    }

    /// Opens `sealed` (the bytes after [`MAGIC`]) under `aad`.
    fn open_with(&self, aad: Vec<u8>, sealed: &[u8]) -> Result<SecretBox<[u8]>, SealError> {
        let (nonce, body) = sealed
            .split_first_chunk::<NONCE_LEN>()
            .ok_or(SealError::WrongKey)?;
        let mut body = body.to_vec();
        let opened = self
            .key
            .open_in_place(
                Nonce::assume_unique_for_key(*nonce),
                Aad::from(aad),
                &mut body,
            )
            .map(|clear| clear.len());
        match opened {
            Ok(len) => {
                body.truncate(len);
                Ok(SecretBox::new(body.into_boxed_slice()))
            }
            Err(_) => {
                body.fill(0);
                Err(SealError::WrongKey)
            }
        }
    }
}

impl KeySealer for AesGcmKeySealer {
    fn seal(&self, kid: &str, alg: SigningAlg, private_der: &[u8]) -> Result<Vec<u8>, SealError> {
        self.seal_with(aad(kid, alg), private_der)
    }

    fn open(&self, kid: &str, alg: SigningAlg, stored: &[u8]) -> Result<Opened, SealError> {
        let Some(rest) = stored.strip_prefix(MAGIC.as_slice()) else {
            return match stored.first() {
                Some(&DER_SEQUENCE) => Ok(Opened::Clear),
                _ => Err(SealError::WrongKey),
            };
        };
        self.open_with(aad(kid, alg), rest).map(Opened::Sealed)
    }

    fn seal_secret(&self, context: &str, clear: &[u8]) -> Result<Vec<u8>, SealError> {
        self.seal_with([SECRET_LABEL, b"\0", context.as_bytes()].concat(), clear)
    }

    fn open_secret(&self, context: &str, stored: &[u8]) -> Result<SecretBox<[u8]>, SealError> {
        let rest = stored
            .strip_prefix(MAGIC.as_slice())
            .ok_or(SealError::WrongKey)?;
        self.open_with([SECRET_LABEL, b"\0", context.as_bytes()].concat(), rest)
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret as _;

    use super::*;

    const DER: &[u8] = &[0x30, 0x2e, 1, 2, 3, 4];

    fn opened(sealer: &AesGcmKeySealer, kid: &str, alg: SigningAlg, stored: &[u8]) -> Vec<u8> {
        match sealer.open(kid, alg, stored).unwrap() {
            Opened::Sealed(der) => der.expose_secret().to_vec(),
            Opened::Clear => panic!("sealed bytes read as clear"),
        }
    }

    #[test]
    fn a_sealed_key_opens_to_the_same_bytes_and_does_not_contain_them() {
        let sealer = AesGcmKeySealer::from_secret(b"a server secret of enough length!").unwrap();
        let sealed = sealer.seal("kid-1", SigningAlg::ES256, DER).unwrap();
        assert!(sealed.starts_with(MAGIC));
        assert!(!sealed.windows(DER.len()).any(|w| w == DER));
        assert_eq!(opened(&sealer, "kid-1", SigningAlg::ES256, &sealed), DER);
    }

    #[test]
    fn a_sealed_key_does_not_open_under_another_secret_kid_or_algorithm() {
        let sealer = AesGcmKeySealer::from_secret(b"one secret").unwrap();
        let other = AesGcmKeySealer::from_secret(b"another secret").unwrap();
        let sealed = sealer.seal("kid-1", SigningAlg::ES256, DER).unwrap();
        for (s, kid, alg) in [
            (&other, "kid-1", SigningAlg::ES256),
            (&sealer, "kid-2", SigningAlg::ES256),
            (&sealer, "kid-1", SigningAlg::EdDSA),
        ] {
            assert!(matches!(
                s.open(kid, alg, &sealed),
                Err(SealError::WrongKey)
            ));
        }
        let mut flipped = sealed.clone();
        if let Some(last) = flipped.last_mut() {
            *last ^= 1;
        }
        assert!(matches!(
            sealer.open("kid-1", SigningAlg::ES256, &flipped),
            Err(SealError::WrongKey)
        ));
    }

    #[test]
    fn a_clear_pkcs8_key_is_recognised_as_clear_and_garbage_is_refused() {
        let sealer = AesGcmKeySealer::from_secret(b"s").unwrap();
        assert!(matches!(
            sealer.open("k", SigningAlg::RS256, DER),
            Ok(Opened::Clear)
        ));
        for garbage in [&b""[..], b"SSK1", b"hello"] {
            assert!(matches!(
                sealer.open("k", SigningAlg::RS256, garbage),
                Err(SealError::WrongKey)
            ));
        }
    }

    #[test]
    fn a_sealed_secret_opens_only_for_its_context_and_never_as_a_key() {
        let sealer = AesGcmKeySealer::from_secret(b"s").unwrap();
        let sealed = sealer
            .seal_secret("totp|dev_1", b"twenty secret bytes!")
            .unwrap();
        assert!(!sealed.windows(20).any(|w| w == b"twenty secret bytes!"));
        let opened = sealer.open_secret("totp|dev_1", &sealed).unwrap();
        assert_eq!(opened.expose_secret(), b"twenty secret bytes!");
        assert!(matches!(
            sealer.open_secret("totp|dev_2", &sealed),
            Err(SealError::WrongKey)
        ));
        assert!(matches!(
            sealer.open("totp|dev_1", SigningAlg::ES256, &sealed),
            Err(SealError::WrongKey)
        ));
        let key = sealer.seal("totp|dev_1", SigningAlg::ES256, DER).unwrap();
        assert!(matches!(
            sealer.open_secret("totp|dev_1", &key),
            Err(SealError::WrongKey)
        ));
        assert!(matches!(
            sealer.open_secret("totp|dev_1", b"clear"),
            Err(SealError::WrongKey)
        ));
    }

    #[test]
    fn two_seals_of_one_key_differ() {
        let sealer = AesGcmKeySealer::from_secret(b"s").unwrap();
        let a = sealer.seal("k", SigningAlg::RS256, DER).unwrap();
        let b = sealer.seal("k", SigningAlg::RS256, DER).unwrap();
        assert_ne!(a, b);
    }
}
