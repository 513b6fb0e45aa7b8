//! The rules of the service, all configurable, with Auth0-like defaults.

use std::time::Duration;

use super::sms_guard::SmsGuardConfig;
use crate::client::SigningAlg;
use crate::client_ip::Ipv6PrefixLen;
use crate::code::CodeLength;
use crate::dpop::DpopConfig;
use crate::mfa::MfaConfig;
use crate::rate_limit::RateLimit;

/// An issuer URL, always ending in `/` (Auth0's `iss` form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer(String);

/// An issuer that is not an absolute http(s) URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("issuer must be an absolute http or https URL: {0}")]
pub struct InvalidIssuer(pub String);

impl Issuer {
    /// Parses `raw`, adding the trailing slash when it is missing.
    ///
    /// # Errors
    /// [`InvalidIssuer`] unless it is an absolute http(s) URL without query
    /// or fragment.
    pub fn parse(raw: &str) -> Result<Self, InvalidIssuer> {
        let url = url::Url::parse(raw).map_err(|_| InvalidIssuer(raw.to_owned()))?;
        let ok = matches!(url.scheme(), "http" | "https")
            && url.host().is_some()
            && url.query().is_none()
            && url.fragment().is_none();
        if !ok {
            return Err(InvalidIssuer(raw.to_owned()));
        }
        let mut s = url.to_string();
        if !s.ends_with('/') {
            s.push('/');
        }
        Ok(Self(s))
    }

    /// The issuer, with its trailing slash.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// `{issuer}userinfo`: the audience every access token carries.
    #[must_use]
    pub fn userinfo_audience(&self) -> String {
        format!("{}userinfo", self.0)
    }

    /// `{issuer}{path}` for a path without a leading slash.
    #[must_use]
    pub fn endpoint(&self, path: &str) -> String {
        format!("{}{}", self.0, path.trim_start_matches('/'))
    }
}

/// The configurable rules.
#[derive(Debug, Clone)]
pub struct PasswordlessConfig {
    /// `iss` of every token.
    pub issuer: Issuer,
    /// Digits in a code (default 6).
    pub code_length: CodeLength,
    /// How long a code lives (default 180 s).
    pub code_ttl: Duration,
    /// Wrong guesses before a challenge dies (default 3).
    pub max_attempts: u32,
    /// When set, codes go only to existing users and nobody signs up; an
    /// unknown address gets a decoy challenge, and delivery is handed to the
    /// delivery queue (when one is wired) so the answer's time does not say
    /// whether the address has an account.
    pub disable_signup: bool,
    /// Starts per client IP (default 50 an hour, as Auth0).
    pub start_per_ip: RateLimit,
    /// Codes per (recipient, client IP) (default 5 per 15 minutes): one
    /// caller cannot use up a recipient's resend budget.
    pub start_per_recipient_ip: RateLimit,
    /// Codes per recipient from every IP together (default 20 an hour).
    pub start_per_recipient: RateLimit,
    /// Failed redemptions per (recipient, client IP) across all its
    /// challenges (default 10 per 15 minutes), so one address cannot be
    /// brute-forced by asking for fresh codes. Reaching it refuses that IP
    /// for that recipient only.
    pub failures_per_recipient_ip: RateLimit,
    /// Consecutive failed redemptions per recipient from every IP together
    /// (default 100 a day, NIST SP 800-63B §5.2.2); a success starts the
    /// count over.
    pub failures_per_recipient: RateLimit,
    /// How many leading bits of an IPv6 address make one client for every
    /// per-IP limit (default 64).
    pub ipv6_prefix_len: Ipv6PrefixLen,
    /// Failed token requests per client IP (default 100 an hour, Auth0's
    /// suspicious-IP throttling): past it the IP's token requests are
    /// refused before any code is looked at.
    pub failures_per_ip: RateLimit,
    /// The SMS pumping guard.
    pub sms_guard: SmsGuardConfig,
    /// Access-token lifetime when no API is asked for (default 24 h).
    pub default_access_token_lifetime: Duration,
    /// Id-token lifetime (default 36000 s, as Auth0).
    pub id_token_lifetime: Duration,
    /// Algorithm for id tokens and for access tokens without an API.
    pub default_signing_alg: SigningAlg,
    /// A refresh token unused this long stops working (default 15 days).
    pub refresh_idle_lifetime: Duration,
    /// Every token of a family stops working this long after the login
    /// (default 30 days).
    pub refresh_absolute_lifetime: Duration,
    /// Whether emails carry magic links and `send: "link"` is accepted
    /// (default on, as Auth0; when off, a start with `send: "link"` is
    /// refused with a clear error).
    pub magic_links: bool,
    /// How long signing keys are cached before the key store is read again,
    /// so a rotation on one instance reaches the others (default 60 s).
    pub key_cache_ttl: Duration,
    /// The longest access-token lifetime of any configured API (default
    /// zero: none). With the default and id-token lifetimes it bounds how
    /// long a rotated-out key must stay published.
    pub longest_api_token_lifetime: Duration,
    /// DPoP (RFC 9449): proof time window, nonces.
    pub dpop: DpopConfig,
    /// Multi-factor authentication: when it is required, which factors.
    pub mfa: MfaConfig,
    /// Fixed codes for app-store review accounts: a start for one sends
    /// nothing, and its code works until it expires.
    pub test_identities: Vec<TestIdentity>,
    /// Management API calls per client (default 600 a minute), shared by
    /// every instance.
    pub management_requests_per_client: RateLimit,
}

/// A recipient whose code is fixed (`[[test_identities]]`), for app-store
/// reviewers who cannot receive a real one.
#[derive(Debug, Clone)]
pub struct TestIdentity {
    /// Who.
    pub recipient: crate::recipient::Recipient,
    /// The code every start for it gets; nothing is sent.
    pub code: crate::code::Otp,
    /// From then on the recipient is an ordinary one again.
    pub expires_at: crate::time::Timestamp,
}

impl PasswordlessConfig {
    /// Default [`code_ttl`](Self::code_ttl): 180 s.
    pub const DEFAULT_CODE_TTL: Duration = Duration::from_secs(180);
    /// Default [`max_attempts`](Self::max_attempts): 3.
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 3;
    /// Default [`start_per_ip`](Self::start_per_ip): 50 an hour, as Auth0.
    pub const DEFAULT_START_PER_IP: RateLimit = RateLimit::new(50, Duration::from_secs(3600));
    /// Default [`start_per_recipient_ip`](Self::start_per_recipient_ip): 5
    /// per 15 minutes.
    pub const DEFAULT_START_PER_RECIPIENT_IP: RateLimit =
        RateLimit::new(5, Duration::from_secs(15 * 60));
    /// Default [`start_per_recipient`](Self::start_per_recipient): 20 an
    /// hour.
    pub const DEFAULT_START_PER_RECIPIENT: RateLimit =
        RateLimit::new(20, Duration::from_secs(3600));
    /// Default [`failures_per_recipient_ip`](Self::failures_per_recipient_ip):
    /// 10 per 15 minutes.
    pub const DEFAULT_FAILURES_PER_RECIPIENT_IP: RateLimit =
        RateLimit::new(10, Duration::from_secs(15 * 60));
    /// Default [`failures_per_ip`](Self::failures_per_ip): 100 an hour,
    /// Auth0's suspicious-IP throttling threshold.
    pub const DEFAULT_FAILURES_PER_IP: RateLimit = RateLimit::new(100, Duration::from_secs(3600));
    /// Default [`failures_per_recipient`](Self::failures_per_recipient): 100
    /// a day (NIST SP 800-63B §5.2.2).
    pub const DEFAULT_FAILURES_PER_RECIPIENT: RateLimit =
        RateLimit::new(100, Duration::from_secs(86_400));
    /// Default [`management_requests_per_client`](Self::management_requests_per_client):
    /// 600 a minute.
    pub const DEFAULT_MANAGEMENT_REQUESTS_PER_CLIENT: RateLimit =
        RateLimit::new(600, Duration::from_secs(60));
    /// Default [`magic_links`](Self::magic_links): on, as Auth0.
    pub const DEFAULT_MAGIC_LINKS: bool = true;

    /// The defaults for `issuer`. Configuration layers that expose a rule
    /// take its default from the `DEFAULT_*` constants, so each default is
    /// written once.
    #[must_use]
    pub fn new(issuer: Issuer) -> Self {
        Self {
            issuer,
            code_length: CodeLength::DEFAULT,
            code_ttl: Self::DEFAULT_CODE_TTL,
            max_attempts: Self::DEFAULT_MAX_ATTEMPTS,
            disable_signup: false,
            start_per_ip: Self::DEFAULT_START_PER_IP,
            start_per_recipient_ip: Self::DEFAULT_START_PER_RECIPIENT_IP,
            start_per_recipient: Self::DEFAULT_START_PER_RECIPIENT,
            failures_per_recipient_ip: Self::DEFAULT_FAILURES_PER_RECIPIENT_IP,
            failures_per_recipient: Self::DEFAULT_FAILURES_PER_RECIPIENT,
            ipv6_prefix_len: Ipv6PrefixLen::DEFAULT,
            failures_per_ip: Self::DEFAULT_FAILURES_PER_IP,
            sms_guard: SmsGuardConfig::default(),
            default_access_token_lifetime: Duration::from_secs(86_400),
            id_token_lifetime: Duration::from_secs(36_000),
            default_signing_alg: SigningAlg::default(),
            refresh_idle_lifetime: Duration::from_secs(15 * 86_400),
            refresh_absolute_lifetime: Duration::from_secs(30 * 86_400),
            magic_links: Self::DEFAULT_MAGIC_LINKS,
            key_cache_ttl: Duration::from_secs(60),
            longest_api_token_lifetime: Duration::ZERO,
            dpop: DpopConfig::default(),
            mfa: MfaConfig::default(),
            test_identities: Vec::new(),
            management_requests_per_client: Self::DEFAULT_MANAGEMENT_REQUESTS_PER_CLIENT,
        }
    }

    /// How long after a rotation the previous key stays published: the
    /// longest lifetime of any token it may have signed, plus one key-cache
    /// period, during which an instance that has not yet seen the rotation
    /// still signs with it.
    #[must_use]
    pub fn previous_key_lifetime(&self) -> Duration {
        self.default_access_token_lifetime
            .max(self.id_token_lifetime)
            .max(self.longest_api_token_lifetime)
            .saturating_add(self.key_cache_ttl)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_always_ends_in_a_slash() {
        assert_eq!(
            Issuer::parse("https://auth.example.com").unwrap().as_str(),
            "https://auth.example.com/"
        );
        assert_eq!(
            Issuer::parse("http://127.0.0.1:3000/").unwrap().as_str(),
            "http://127.0.0.1:3000/"
        );
        assert_eq!(
            Issuer::parse("https://a.example.com/t1")
                .unwrap()
                .userinfo_audience(),
            "https://a.example.com/t1/userinfo"
        );
    }

    #[test]
    fn an_issuer_must_be_an_http_url() {
        assert!(Issuer::parse("auth.example.com").is_err());
        assert!(Issuer::parse("ftp://x.example.com/").is_err());
        assert!(Issuer::parse("https://x.example.com/?a=b").is_err());
    }
}
