//! Checking a DPoP proof (RFC 9449 §4.3) against the request it came with,
//! and the server's stateless nonces (§8).
//!
//! The verifier port checks the header and signature; everything that
//! depends on the request, the clock or what was seen before is here, in
//! this order: one header, its size, the signature, `htm`, `htu`, `iat`,
//! `ath`, the nonce, and last the `jti` (so refused proofs never fill the
//! replay store).

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::Passwordless;
use crate::dpop::{DpopError, DpopProof, Jkt, MAX_PROOF_LEN, ProofClaims};
use crate::ports::StoreError;
use crate::time::Timestamp;

/// The longest `jti` accepted: 128 random bits in any encoding fit many
/// times over.
const MAX_JTI_LEN: usize = 256;

/// What a proof must say for the endpoint it was sent to.
pub(crate) struct Expect<'a> {
    /// The endpoint's path under the issuer, e.g. `oauth/token`.
    pub(crate) path: &'static str,
    /// Whether the current (or previous) server nonce must be included.
    pub(crate) nonce: bool,
    /// The access token the proof must be bound to (`ath`), at resources.
    pub(crate) access_token: Option<&'a str>,
}

/// A proof check that did not pass.
#[derive(Debug, thiserror::Error)]
pub(crate) enum CheckError {
    /// The proof was refused.
    #[error(transparent)]
    Refused(#[from] DpopError),
    /// The replay store could not answer.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Passwordless {
    /// The current DPoP server nonce, for the `DPoP-Nonce` header. Every
    /// instance computes the same one; it changes every
    /// [`DpopConfig::nonce_window`](crate::dpop::DpopConfig::nonce_window).
    #[must_use]
    pub fn dpop_nonce(&self) -> String {
        self.macs
            .dpop_nonce(self.nonce_window(self.ports.clock.now()))
    }

    /// The number of the nonce window `now` falls in.
    fn nonce_window(&self, now: Timestamp) -> i64 {
        let secs = i64::try_from(self.config.dpop.nonce_window.as_secs())
            .unwrap_or(i64::MAX)
            .max(1);
        now.unix_seconds().div_euclid(secs)
    }

    /// Whether `nonce` is the current window's or the previous one's.
    fn nonce_is_fresh(&self, nonce: &str) -> bool {
        let window = self.nonce_window(self.ports.clock.now());
        [window, window.saturating_sub(1)]
            .iter()
            .any(|w| bool::from(self.macs.dpop_nonce(*w).as_bytes().ct_eq(nonce.as_bytes())))
    }

    /// Checks `proof` for the endpoint `expect` describes and returns the
    /// thumbprint of the key that signed it.
    pub(crate) async fn check_dpop(
        &self,
        proof: &DpopProof,
        expect: &Expect<'_>,
    ) -> Result<Jkt, CheckError> {
        let [raw] = proof.headers.as_slice() else {
            return Err(DpopError::invalid("Exactly one DPoP header is allowed").into());
        };
        if raw.len() > MAX_PROOF_LEN {
            return Err(DpopError::invalid("DPoP proof is too large").into());
        }
        let verified = self
            .ports
            .dpop_verifier
            .verify(raw)
            .map_err(|e| DpopError::InvalidProof(e.0))?;
        let now = self.ports.clock.now();
        self.check_claims(&verified.claims, proof, expect, now)?;
        let window = self.config.dpop.iat_window;
        // Held until the proof's `iat` leaves the window, plus a second for
        // the rounding of `iat` to seconds.
        let expires_at = Timestamp::from_unix_seconds(verified.claims.iat)
            .plus(window)
            .plus(std::time::Duration::from_secs(1));
        let key = self
            .macs
            .dpop_jti(verified.jkt.as_str(), &verified.claims.jti);
        if !self.ports.dpop_replay.claim(&key, expires_at, now).await? {
            return Err(DpopError::invalid("DPoP proof jti was already used").into());
        }
        Ok(verified.jkt)
    }

    /// The checks of the claims against the request and the clock.
    fn check_claims(
        &self,
        claims: &ProofClaims,
        proof: &DpopProof,
        expect: &Expect<'_>,
        now: Timestamp,
    ) -> Result<(), DpopError> {
        if claims.jti.is_empty() || claims.jti.len() > MAX_JTI_LEN {
            return Err(DpopError::invalid("DPoP proof jti is empty or too long"));
        }
        if claims.htm != proof.method {
            return Err(DpopError::invalid(
                "DPoP proof htm does not match the request method",
            ));
        }
        if !self.htu_matches(&claims.htu, expect.path) {
            return Err(DpopError::invalid(
                "DPoP proof htu does not match the request URL",
            ));
        }
        let window = i64::try_from(self.config.dpop.iat_window.as_secs()).unwrap_or(i64::MAX);
        if claims.iat.abs_diff(now.unix_seconds()) > window.unsigned_abs() {
            return Err(DpopError::invalid(
                "DPoP proof iat is not within the acceptable window",
            ));
        }
        if let Some(token) = expect.access_token {
            let want = URL_SAFE_NO_PAD.encode(Sha256::digest(token.as_bytes()));
            if claims.ath.as_deref() != Some(want.as_str()) {
                return Err(DpopError::invalid(
                    "DPoP proof ath does not match the access token",
                ));
            }
        }
        if expect.nonce
            && !claims
                .nonce
                .as_deref()
                .is_some_and(|n| self.nonce_is_fresh(n))
        {
            return Err(DpopError::UseNonce);
        }
        Ok(())
    }

    /// Whether `htu`, without query and fragment, is the endpoint at `path`
    /// as the issuer publishes it (compared after URL normalisation: scheme
    /// and host case, default port).
    fn htu_matches(&self, htu: &str, path: &str) -> bool {
        let Ok(mut presented) = url::Url::parse(htu) else {
            return false;
        };
        presented.set_query(None);
        presented.set_fragment(None);
        url::Url::parse(&self.config.issuer.endpoint(path))
            .is_ok_and(|expected| expected.as_str() == presented.as_str())
    }
}
