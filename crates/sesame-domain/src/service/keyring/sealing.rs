//! Keys cross the store boundary sealed: sealed before a write, opened
//! after a read, and a key an older version stored in clear is sealed in
//! place (same `kid`) the first time it is read.

use std::sync::Arc;

use secrecy::SecretBox;

use super::KeyError;
use crate::ports::{Opened, SealError};
use crate::service::Passwordless;
use crate::token::SigningKey;

impl Passwordless {
    /// `key` as read from the store, with its private half opened.
    pub(super) async fn open_key(&self, key: &SigningKey) -> Result<SigningKey, KeyError> {
        let stored = key.private_der();
        match self.ports.sealer.open(&key.kid, key.alg, stored) {
            Ok(Opened::Sealed(der)) => Ok(SigningKey {
                private_der: Arc::new(der),
                ..key.clone()
            }),
            Ok(Opened::Clear) => {
                let sealed = self.seal_bytes(key, stored)?;
                // `false`: another instance sealed it first; the clear bytes
                // are still this key, so it is used as read.
                let sealed_here = self.ports.keys.reseal(&key.kid, stored, &sealed).await?;
                if sealed_here {
                    tracing::info!(kid = %key.kid, "sealed a signing key stored in clear");
                }
                Ok(key.clone())
            }
            Err(SealError::WrongKey) => Err(KeyError::CannotUnwrap {
                kid: key.kid.clone(),
            }),
            Err(source) => Err(KeyError::Seal {
                kid: key.kid.clone(),
                source,
            }),
        }
    }

    /// `key` (clear, as generated) in the form the store keeps.
    pub(super) fn sealed(&self, key: &SigningKey) -> Result<SigningKey, KeyError> {
        let sealed = self.seal_bytes(key, key.private_der())?;
        Ok(SigningKey {
            private_der: Arc::new(SecretBox::new(sealed.into_boxed_slice())),
            ..key.clone()
        })
    }

    fn seal_bytes(&self, key: &SigningKey, clear: &[u8]) -> Result<Vec<u8>, KeyError> {
        self.ports
            .sealer
            .seal(&key.kid, key.alg, clear)
            .map_err(|source| KeyError::Seal {
                kid: key.kid.clone(),
                source,
            })
    }
}
