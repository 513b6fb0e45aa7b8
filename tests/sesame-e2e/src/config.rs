//! The configuration every test server gets, as the TOML an operator would
//! write: the registered clients and APIs, and the knobs tests turn.

use crate::backend::{Storage, quote};
use crate::link_client::LinkClient;

/// The Auth0 passwordless OTP grant.
pub const OTP_GRANT: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";

/// A confidential client trusted to relay `auth0-forwarded-for`.
pub const WEB_CLIENT: &str = "e2e-web";
/// Its secret: the `:`, `+`, `/` and `%` make client_secret_basic's URL
/// encoding matter.
pub const WEB_SECRET: &str = "web:secret+/%e2e-0123456789";
/// A confidential client that is not trusted to relay addresses.
pub const UNTRUSTED_CLIENT: &str = "e2e-untrusted";
/// Its secret.
pub const UNTRUSTED_SECRET: &str = "untrusted-secret-0123456789";
/// A public (native) client: no secret.
pub const NATIVE_CLIENT: &str = "e2e-native";
/// A public client allowed only the refresh-token grant.
pub const REFRESH_ONLY_CLIENT: &str = "e2e-refresh-only";

/// A public client whose every login must pass a second factor
/// (`mfa = "always"`), with the MFA grants.
pub const MFA_CLIENT: &str = "e2e-mfa";
/// The browser origin the native client may call from (CORS).
pub const WEB_ORIGIN: &str = "https://app.e2e.test";
/// The one registered callback.
pub const CALLBACK: &str = "https://app.e2e.test/callback";
/// An API whose access tokens are RS256.
pub const RS256_API: &str = "https://rs256.api.e2e.test/";
/// The one permission [`RS256_API`] defines.
pub const RS256_API_PERMISSION: &str = "read:messages";
/// An API whose access tokens are ES256.
pub const ES256_API: &str = "https://es256.api.e2e.test/";
/// The scope the full flows ask for.
pub const FULL_SCOPE: &str = "openid profile email offline_access";

/// What a test may change about its server. The defaults lift every rate
/// limit out of the way; tests that check a limit set it small.
#[derive(Debug, Clone)]
pub struct Options {
    /// `issuer`; default `http://127.0.0.1:<port>/`. Servers that stand for
    /// one deployment (a restart, a cluster) share one.
    pub issuer: Option<String>,
    /// `passwordless.code_length`.
    pub code_length: u8,
    /// `passwordless.code_ttl_secs`.
    pub code_ttl_secs: u64,
    /// `passwordless.max_attempts`.
    pub max_attempts: u32,
    /// `passwordless.disable_signup`.
    pub disable_signup: bool,
    /// `rate_limits.start_per_ip_per_hour`.
    pub start_per_ip_per_hour: u32,
    /// `rate_limits.start_per_recipient_ip_per_15min`.
    pub start_per_recipient_ip_per_15min: u32,
    /// `rate_limits.failures_per_recipient_ip_per_15min`.
    pub failures_per_recipient_ip_per_15min: u32,
    /// `rate_limits.start_per_recipient_per_hour`.
    pub start_per_recipient_per_hour: u32,
    /// `rate_limits.failures_per_recipient_per_day`.
    pub failures_per_recipient_per_day: u32,
    /// `rate_limits.failures_per_ip_per_hour`.
    pub failures_per_ip_per_hour: u32,
    /// `rate_limits.requests_per_ip_per_second`: every test client is
    /// 127.0.0.1, so the flood guard is lifted unless a test sets it.
    pub requests_per_ip_per_second: u32,
    /// `rate_limits.requests_per_ip_burst`.
    pub requests_per_ip_burst: u32,
    /// `sms_guard.per_prefix_per_hour`: tests text `+1555…` numbers.
    pub sms_per_prefix_per_hour: u32,
    /// `sms_guard.global_per_hour`.
    pub sms_global_per_hour: u32,
    /// `sms_guard.conversion_min_sent`.
    pub sms_conversion_min_sent: u32,
    /// `sms_guard.allowed_countries`.
    pub sms_allowed_countries: Vec<String>,
    /// `http.body_limit_bytes`.
    pub body_limit_bytes: usize,
    /// `passwordless.magic_links`.
    pub magic_links: bool,
    /// The magic-link applications registered besides the fixed clients;
    /// default [`LinkClient::defaults`].
    pub link_clients: Vec<LinkClient>,
    /// `host:port` of a plain SMTP server: email goes there (`[email]
    /// provider = "smtp"`) instead of to the `Outbox`. See
    /// [`crate::mailbox::Mailbox`].
    pub smtp: Option<String>,
    /// `passwordless.key_refresh_secs`.
    pub key_refresh_secs: u64,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            issuer: None,
            code_length: 6,
            code_ttl_secs: 180,
            max_attempts: 3,
            disable_signup: false,
            start_per_ip_per_hour: 10_000,
            start_per_recipient_ip_per_15min: 10_000,
            failures_per_recipient_ip_per_15min: 10_000,
            start_per_recipient_per_hour: 10_000,
            failures_per_recipient_per_day: 10_000,
            failures_per_ip_per_hour: 1_000_000,
            requests_per_ip_per_second: 1_000_000,
            requests_per_ip_burst: 1_000_000,
            sms_per_prefix_per_hour: 1_000_000,
            sms_global_per_hour: 1_000_000,
            sms_conversion_min_sent: 1_000_000,
            sms_allowed_countries: Vec::new(),
            body_limit_bytes: 64 * 1024,
            magic_links: true,
            link_clients: LinkClient::defaults(),
            smtp: None,
            key_refresh_secs: 30,
        }
    }
}

/// The whole configuration for a server on `storage` whose issuer is
/// `issuer`.
#[must_use]
pub fn toml(storage: &Storage, issuer: &str, o: &Options) -> String {
    let grants = format!("[{}, \"refresh_token\"]", quote(OTP_GRANT));
    format!(
        r#"issuer = {issuer}
{storage}
[http]
body_limit_bytes = {body_limit}
request_timeout_secs = 10
shutdown_grace_secs = 2

[passwordless]
code_length = {length}
code_ttl_secs = {ttl}
max_attempts = {attempts}
disable_signup = {no_signup}
magic_links = {links}
key_refresh_secs = {key_refresh}

[rate_limits]
start_per_ip_per_hour = {per_ip}
start_per_recipient_ip_per_15min = {per_rcpt}
failures_per_recipient_ip_per_15min = {failures}
start_per_recipient_per_hour = {per_rcpt_hour}
failures_per_recipient_per_day = {failures_day}
failures_per_ip_per_hour = {ip_failures}
requests_per_ip_per_second = {ip_rate}
requests_per_ip_burst = {ip_burst}

[sms_guard]
per_prefix_per_hour = {sms_prefix}
global_per_hour = {sms_global}
conversion_min_sent = {sms_min_sent}
allowed_countries = [{sms_countries}]

[log]
level = "warn"
{email}
[[clients]]
client_id = "{WEB_CLIENT}"
client_secret = {web_secret}
callbacks = ["{CALLBACK}"]
grant_types = {grants}
connections = ["email", "sms"]
trust_forwarded_for = true

[[clients]]
client_id = "{UNTRUSTED_CLIENT}"
client_secret = "{UNTRUSTED_SECRET}"
callbacks = ["{CALLBACK}"]
grant_types = {grants}
trust_forwarded_for = false

[[clients]]
client_id = "{NATIVE_CLIENT}"
callbacks = ["{CALLBACK}"]
grant_types = {grants}
web_origins = ["{WEB_ORIGIN}"]

[[clients]]
client_id = "{REFRESH_ONLY_CLIENT}"
grant_types = ["refresh_token"]

[[clients]]
client_id = "{MFA_CLIENT}"
callbacks = ["{CALLBACK}"]
mfa = "always"
grant_types = [{otp_grant}, "refresh_token", "http://auth0.com/oauth/grant-type/mfa-otp", "http://auth0.com/oauth/grant-type/mfa-oob", "http://auth0.com/oauth/grant-type/mfa-recovery-code"]

[[apis]]
identifier = "{RS256_API}"
signing_alg = "RS256"
scopes = ["{RS256_API_PERMISSION}"]

[[apis]]
identifier = "{ES256_API}"
signing_alg = "ES256"
token_lifetime_secs = 3600
{link_clients}"#,
        issuer = quote(issuer),
        otp_grant = quote(OTP_GRANT),
        storage = storage.toml(),
        body_limit = o.body_limit_bytes,
        length = o.code_length,
        ttl = o.code_ttl_secs,
        no_signup = o.disable_signup,
        attempts = o.max_attempts,
        per_ip = o.start_per_ip_per_hour,
        per_rcpt = o.start_per_recipient_ip_per_15min,
        failures = o.failures_per_recipient_ip_per_15min,
        per_rcpt_hour = o.start_per_recipient_per_hour,
        failures_day = o.failures_per_recipient_per_day,
        ip_failures = o.failures_per_ip_per_hour,
        ip_rate = o.requests_per_ip_per_second,
        ip_burst = o.requests_per_ip_burst,
        sms_prefix = o.sms_per_prefix_per_hour,
        sms_global = o.sms_global_per_hour,
        sms_min_sent = o.sms_conversion_min_sent,
        sms_countries = o
            .sms_allowed_countries
            .iter()
            .map(|c| quote(c))
            .collect::<Vec<_>>()
            .join(", "),
        web_secret = quote(WEB_SECRET),
        links = o.magic_links,
        key_refresh = o.key_refresh_secs,
        email = o.smtp.as_deref().map(smtp_toml).unwrap_or_default(),
        link_clients = o
            .link_clients
            .iter()
            .map(LinkClient::toml)
            .collect::<String>(),
    )
}

/// `[email]` for plain SMTP to `addr` (`host:port`), as the shared sink of
/// `scripts/test-services` speaks it.
fn smtp_toml(addr: &str) -> String {
    let (host, port) = addr
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("the SMTP address {addr:?} is not host:port"));
    format!(
        "\n[email]\nprovider = \"smtp\"\nfrom = \"Sesame E2E <no-reply@sesame.e2e.test>\"\n\
         [email.smtp]\nhost = {}\nport = {port}\ntls = \"none\"\ntimeout_secs = 10\n\n",
        quote(host)
    )
}
