//! Every keyed MAC the service derives, in one place: what stands in for a
//! code, a link token, a refresh token or an authorization code in storage,
//! and the rate-limit keys that stand in for addresses and IPs.
//!
//! Each derivation has its own [`MacPurpose`], so a MAC of one kind can
//! never be mistaken for another, and secrets bound to a challenge carry its
//! id, so a MAC copied onto another challenge is worthless.

use std::net::IpAddr;

use crate::challenge::ChallengeId;
use crate::client_ip::{Ipv6PrefixLen, rate_limit_ip};
use crate::code::{CodeMac, MacKey, MacPurpose};
use crate::recipient::Recipient;

/// The challenge id MACs are computed against when there is no challenge:
/// an unknown recipient costs the same work as a known one.
const NO_CHALLENGE: &str = "ch_none";

/// The service's MAC key and every derivation made with it.
pub(crate) struct Macs(MacKey);

impl Macs {
    /// Derivations keyed by `key`.
    pub(crate) const fn new(key: MacKey) -> Self {
        Self(key)
    }

    /// A one-time code bound to its challenge.
    pub(crate) fn otp(&self, challenge: &ChallengeId, code: &str) -> CodeMac {
        self.0.mac(MacPurpose::Otp, challenge.as_str(), code)
    }

    /// The same work as [`Macs::otp`], for a code no challenge can match.
    pub(crate) fn otp_without_challenge(&self, code: &str) {
        let _ = self.0.mac(MacPurpose::Otp, NO_CHALLENGE, code);
    }

    /// A magic-link token bound to its challenge.
    pub(crate) fn link(&self, challenge: &ChallengeId, token: &str) -> CodeMac {
        self.0.mac(MacPurpose::Link, challenge.as_str(), token)
    }

    /// The same work as [`Macs::link`], for a token no challenge can match.
    pub(crate) fn link_without_challenge(&self, token: &str) {
        let _ = self.0.mac(MacPurpose::Link, NO_CHALLENGE, token);
    }

    /// What the confirm page's cookie carries for a link token: derived
    /// from it, so the cookie binds the link without holding its token.
    pub(crate) fn link_confirm(&self, token: &str) -> CodeMac {
        self.0.mac(MacPurpose::LinkConfirm, "", token)
    }

    /// An opaque refresh token: its lookup key in the refresh-token store.
    pub(crate) fn refresh_token(&self, token: &str) -> CodeMac {
        self.0.mac(MacPurpose::RefreshToken, "", token)
    }

    /// An authorization code: its lookup key in the code store.
    pub(crate) fn authorization_code(&self, code: &str) -> CodeMac {
        self.0.mac(MacPurpose::AuthorizationCode, "", code)
    }

    /// An `mfa_token`: its key in the MFA transaction store.
    pub(crate) fn mfa_token(&self, token: &str) -> CodeMac {
        self.0.mac(MacPurpose::MfaToken, "", token)
    }

    /// An `oob_code`: its key in the MFA transaction store.
    pub(crate) fn mfa_oob(&self, oob_code: &str) -> CodeMac {
        self.0.mac(MacPurpose::MfaOob, "", oob_code)
    }

    /// The code an out-of-band challenge sent, bound to its `oob_code`.
    pub(crate) fn mfa_binding(&self, oob_code: &str, code: &str) -> CodeMac {
        self.0.mac(MacPurpose::MfaBinding, oob_code, code)
    }

    /// A recovery code, bound to its user.
    pub(crate) fn recovery_code(&self, user: &str, code: &str) -> CodeMac {
        self.0.mac(MacPurpose::RecoveryCode, user, code)
    }

    /// The DPoP server nonce of time window number `window`: every instance
    /// derives the same one, so no nonce is stored.
    pub(crate) fn dpop_nonce(&self, window: i64) -> String {
        self.0
            .mac(MacPurpose::DpopNonce, "", &window.to_string())
            .to_hex()[..32]
            .to_owned()
    }

    /// A DPoP proof's replay-store key: its `jti`, scoped to the key that
    /// signed it, as a MAC, so the store holds nothing a client sent.
    pub(crate) fn dpop_jti(&self, jkt: &str, jti: &str) -> String {
        format!(
            "dpop:{}",
            &self.0.mac(MacPurpose::DpopJti, jkt, jti).to_hex()[..40]
        )
    }

    /// `{prefix}:{MAC of value}`: a counter key that does not reveal the
    /// address or IP it counts, since counters live in shared caches that
    /// operators can list.
    pub(crate) fn rate_key(&self, prefix: &str, value: &str) -> String {
        let mac = self.0.mac(MacPurpose::RateLimitKey, prefix, value);
        format!("{prefix}:{}", &mac.to_hex()[..32])
    }

    /// A counter key for a client IP, as every per-IP limit counts it: an
    /// IPv6 client by its prefix, a mapped IPv4 one as IPv4
    /// ([`rate_limit_ip`]).
    pub(crate) fn ip_rate_key(&self, prefix: &str, ip: IpAddr, v6: Ipv6PrefixLen) -> String {
        self.rate_key(prefix, &rate_limit_ip(ip, v6).to_string())
    }

    /// A counter key for `recipient`, separate per connection.
    pub(crate) fn recipient_rate_key(&self, prefix: &str, recipient: &Recipient) -> String {
        self.rate_key(
            &format!("{prefix}:{}", recipient.connection()),
            recipient.as_str(),
        )
    }

    /// A counter key for `recipient` as seen from `ip`, separate per
    /// connection: the IP (counted as every per-IP limit counts it, an IPv6
    /// client by its prefix) and the address are both inside the MAC.
    pub(crate) fn recipient_ip_rate_key(
        &self,
        prefix: &str,
        recipient: &Recipient,
        ip: IpAddr,
        v6: Ipv6PrefixLen,
    ) -> String {
        self.rate_key(
            &format!("{prefix}:{}", recipient.connection()),
            &format!("{} {}", rate_limit_ip(ip, v6), recipient.as_str()),
        )
    }
}
