//! The configuration file's shape, key for key as `docs/configuration.md`
//! documents it. Every section refuses unknown keys, so a typo is an error
//! that names the key instead of a setting silently ignored. Values that name
//! a domain or adapter type (grant types, connections, algorithms, the client
//! IP source, providers) deserialize as that type, and every default that a
//! domain or adapter type already states is taken from it.

use secrecy::SecretString;
use serde::Deserialize;
use sesame_domain::{CodeLength, Connection, GrantType, PasswordlessConfig, SigningAlg};
use sesame_store_redis::RedisConfig;

use super::providers::{EmailSettings, SmsSettings};
use super::store::StoreSettings;

/// The whole configuration.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `iss` of every token, with a trailing slash. Default: `http://{http.listen}/`.
    pub issuer: Option<String>,
    /// Server secret keying code MACs. Generated and persisted next to a SQLite
    /// database when absent; required with Postgres, where every instance must share it.
    pub secret: Option<SecretString>,
    /// The listener.
    #[serde(default)]
    pub http: HttpSettings,
    /// Where everything is stored.
    #[serde(default)]
    pub store: StoreSettings,
    /// Optional home for challenges and rate limits: the Redis adapter's own
    /// settings, whose `url` the server requires (see `config::load`).
    pub cache: Option<RedisConfig>,
    /// Code rules.
    #[serde(default)]
    pub passwordless: PasswordlessSettings,
    /// Start and redemption limits.
    #[serde(default)]
    pub rate_limits: RateLimitSettings,
    /// The SMS pumping guard.
    #[serde(default)]
    pub sms_guard: super::SmsGuardSettings,
    /// Email delivery.
    #[serde(default)]
    pub email: EmailSettings,
    /// SMS delivery.
    #[serde(default)]
    pub sms: SmsSettings,
    /// Message template overrides.
    pub templates: Option<TemplateSettings>,
    /// Registered applications. Empty: one public development client, `dev`.
    #[serde(default)]
    pub clients: Vec<ClientSettings>,
    /// Registered APIs (audiences).
    #[serde(default)]
    pub apis: Vec<ApiSettings>,
    /// Logging.
    #[serde(default)]
    pub log: LogSettings,
    /// The Prometheus metrics listener.
    #[serde(default)]
    pub metrics: MetricsSettings,
    /// Stored log events (`/api/v2/logs`).
    #[serde(default)]
    pub log_events: LogEventSettings,
    /// An HTTP log stream, as Auth0's: off unless set.
    #[serde(default)]
    pub log_stream: Option<sesame_log_stream::LogStreamConfig>,
    /// The Management API.
    #[serde(default)]
    pub management_api: ManagementApiSettings,
    /// DPoP (RFC 9449) proofs.
    #[serde(default)]
    pub dpop: DpopSettings,
    /// Multi-factor authentication.
    #[serde(default)]
    pub mfa: MfaSettings,
    /// Fixed codes for app-store review accounts.
    #[serde(default)]
    pub test_identities: Vec<TestIdentitySettings>,
}

/// One `[[test_identities]]` entry. Its `Debug` leaves out the recipient.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TestIdentitySettings {
    /// An email address or an E.164 phone number.
    pub recipient: String,
    /// The fixed code.
    pub code: SecretString,
    /// A TOML date (good through that day, UTC) or date-time.
    pub expires: toml::value::Datetime,
    /// Allow a recipient outside the reserved test ranges.
    #[serde(default)]
    pub allow_any: bool,
}

/// `[management_api]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ManagementApiSettings {
    /// Calls per client per minute, shared by every instance.
    pub requests_per_client_per_minute: u32,
}

impl Default for ManagementApiSettings {
    fn default() -> Self {
        Self {
            requests_per_client_per_minute:
                PasswordlessConfig::DEFAULT_MANAGEMENT_REQUESTS_PER_CLIENT.limit,
        }
    }
}

impl std::fmt::Debug for TestIdentitySettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestIdentitySettings")
            .field("expires", &self.expires)
            .field("allow_any", &self.allow_any)
            .finish_non_exhaustive()
    }
}

/// `[log_events]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogEventSettings {
    /// Days a stored event is kept (Auth0 keeps 1 to 30 by plan).
    pub retention_days: u32,
}

impl Default for LogEventSettings {
    fn default() -> Self {
        Self { retention_days: 30 }
    }
}

/// `[metrics]`: off unless `listen` is set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsSettings {
    /// Where `GET /metrics` is served, e.g. `127.0.0.1:9100`: a listener of
    /// its own, never the public one.
    pub listen: Option<String>,
}

/// `[mfa]`; defaults from the domain's `MfaConfig`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MfaSettings {
    /// `never`, `always` or `enrolled`.
    pub require: sesame_domain::mfa::MfaPolicy,
    /// What users may enroll: `otp`, `sms`, `email`, `recovery-code`.
    pub factors: Vec<sesame_domain::mfa::Factor>,
    /// The `issuer=` label of TOTP URIs (default: the issuer's host).
    pub issuer_name: Option<String>,
    /// How long an `mfa_token` lives.
    pub token_ttl_secs: u64,
}

impl Default for MfaSettings {
    fn default() -> Self {
        let d = sesame_domain::mfa::MfaConfig::default();
        Self {
            require: d.require,
            factors: d.factors,
            issuer_name: d.issuer_name,
            token_ttl_secs: d.token_ttl.as_secs(),
        }
    }
}

/// `[dpop]`; defaults from the domain's `DpopConfig`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DpopSettings {
    /// How far a proof's `iat` may be from the server clock, either side.
    pub iat_window_secs: u64,
    /// How long one server nonce is current (the previous one stays good).
    pub nonce_window_secs: u64,
    /// Who must include a server nonce: `never`, `public` or `always`.
    pub require_nonce: sesame_domain::NonceRule,
}

impl Default for DpopSettings {
    fn default() -> Self {
        let d = sesame_domain::DpopConfig::default();
        Self {
            iat_window_secs: d.iat_window.as_secs(),
            nonce_window_secs: d.nonce_window.as_secs(),
            require_nonce: d.require_nonce,
        }
    }
}

/// `[http]`: the listener, and the keys `config::resolve` turns into
/// `sesame_http::HttpConfig` (whose defaults these are).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpSettings {
    /// Address to listen on.
    pub listen: String,
    /// PEM certificate chain: serve HTTPS when set (with `tls_key`).
    pub tls_cert: Option<String>,
    /// PEM private key.
    pub tls_key: Option<String>,
    /// Largest accepted request body.
    pub body_limit_bytes: usize,
    /// Longest time a request may take.
    pub request_timeout_secs: u64,
    /// Where the client IP comes from.
    pub client_ip: ClientIp,
    /// With `x-forwarded-for`: how many proxies in front of Sesame append to
    /// it. Not a `NonZeroUsize`: with `peer` it is ignored, 0 included.
    pub trusted_proxy_hops: usize,
    /// How long to wait for in-flight requests on shutdown.
    pub shutdown_grace_secs: u64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        let edge = sesame_http::HttpConfig::default();
        Self {
            listen: "127.0.0.1:3000".into(),
            tls_cert: None,
            tls_key: None,
            body_limit_bytes: edge.body_limit_bytes,
            request_timeout_secs: edge.request_timeout_secs,
            client_ip: ClientIp::default(),
            trusted_proxy_hops: 1,
            shutdown_grace_secs: 20,
        }
    }
}

/// `[http] client_ip`: the name of a `sesame_http::ClientIpSource`, whose
/// hop count is the sibling key `trusted_proxy_hops`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClientIp {
    /// The TCP peer.
    #[default]
    Peer,
    /// `X-Forwarded-For`, behind proxies that append to it.
    XForwardedFor,
}

/// `[passwordless]`; defaults from `PasswordlessConfig`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PasswordlessSettings {
    /// Digits per code, 4–10.
    pub code_length: u8,
    /// Code lifetime.
    pub code_ttl_secs: u64,
    /// Wrong guesses before a code dies.
    pub max_attempts: u32,
    /// Send codes only to existing users.
    pub disable_signup: bool,
    /// Serve magic links (`send: "link"`, and an absent `send` for email).
    pub magic_links: bool,
    /// How id tokens, and access tokens without an API, are signed.
    pub default_signing_alg: SigningAlg,
    /// How often each instance re-reads the signing keys, so that a
    /// rotation made elsewhere is used here within this period.
    pub key_refresh_secs: u64,
}

/// Default [`PasswordlessSettings::key_refresh_secs`]: a rotation reaches
/// every instance within half a minute.
pub const DEFAULT_KEY_REFRESH_SECS: u64 = 30;

impl Default for PasswordlessSettings {
    fn default() -> Self {
        Self {
            code_length: CodeLength::DEFAULT.digits(),
            code_ttl_secs: PasswordlessConfig::DEFAULT_CODE_TTL.as_secs(),
            max_attempts: PasswordlessConfig::DEFAULT_MAX_ATTEMPTS,
            disable_signup: false,
            magic_links: PasswordlessConfig::DEFAULT_MAGIC_LINKS,
            default_signing_alg: SigningAlg::default(),
            key_refresh_secs: DEFAULT_KEY_REFRESH_SECS,
        }
    }
}

/// `[rate_limits]`; defaults from `PasswordlessConfig`. The windows are
/// fixed by the key names.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    /// Starts per client IP per hour.
    pub start_per_ip_per_hour: u32,
    /// Codes per (address or number, client IP) per 15 minutes; `None`
    /// when unset (the domain's default, or the deprecated alias).
    pub start_per_recipient_ip_per_15min: Option<u32>,
    /// Codes per address or number, from every IP, per hour.
    pub start_per_recipient_per_hour: u32,
    /// Failed redemptions per (address or number, client IP) per 15
    /// minutes; `None` when unset.
    pub failures_per_recipient_ip_per_15min: Option<u32>,
    /// Consecutive failed redemptions per address or number, from every IP,
    /// per day.
    pub failures_per_recipient_per_day: u32,
    /// Deprecated alias of `start_per_recipient_ip_per_15min`, accepted for
    /// one release with a warning.
    pub start_per_recipient_per_15min: Option<u32>,
    /// Deprecated alias of `failures_per_recipient_ip_per_15min`, accepted
    /// for one release with a warning.
    pub failures_per_recipient_per_15min: Option<u32>,
    /// Failed token requests per client IP per hour.
    pub failures_per_ip_per_hour: u32,
    /// The in-process flood guard: requests per second per client IP.
    pub requests_per_ip_per_second: u32,
    /// The flood guard's burst.
    pub requests_per_ip_burst: u32,
    /// Leading bits of an IPv6 address that make one client, 1–128.
    pub ipv6_prefix_len: u8,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            start_per_ip_per_hour: PasswordlessConfig::DEFAULT_START_PER_IP.limit,
            start_per_recipient_ip_per_15min: None,
            start_per_recipient_per_hour: PasswordlessConfig::DEFAULT_START_PER_RECIPIENT.limit,
            failures_per_recipient_ip_per_15min: None,
            failures_per_recipient_per_day: PasswordlessConfig::DEFAULT_FAILURES_PER_RECIPIENT
                .limit,
            start_per_recipient_per_15min: None,
            failures_per_recipient_per_15min: None,
            failures_per_ip_per_hour: PasswordlessConfig::DEFAULT_FAILURES_PER_IP.limit,
            requests_per_ip_per_second: sesame_http::HttpConfig::DEFAULT_REQUESTS_PER_IP_PER_SECOND,
            requests_per_ip_burst: sesame_http::HttpConfig::DEFAULT_REQUESTS_PER_IP_BURST,
            ipv6_prefix_len: sesame_domain::Ipv6PrefixLen::DEFAULT.bits(),
        }
    }
}

/// A deprecated `[rate_limits]` key and the key that replaces it.
pub const DEPRECATED_RATE_LIMIT_KEYS: [(&str, &str); 2] = [
    (
        "start_per_recipient_per_15min",
        "start_per_recipient_ip_per_15min",
    ),
    (
        "failures_per_recipient_per_15min",
        "failures_per_recipient_ip_per_15min",
    ),
];

impl RateLimitSettings {
    /// The deprecated keys that are set, each with the key replacing it.
    #[must_use]
    pub fn deprecated_keys_set(&self) -> Vec<(&'static str, &'static str)> {
        let set = [
            self.start_per_recipient_per_15min.is_some(),
            self.failures_per_recipient_per_15min.is_some(),
        ];
        DEPRECATED_RATE_LIMIT_KEYS
            .into_iter()
            .zip(set)
            .filter_map(|(keys, is_set)| is_set.then_some(keys))
            .collect()
    }
}

/// `[templates]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TemplateSettings {
    /// Directory of `email_code.<locale>.liquid`-style overrides.
    pub dir: String,
    /// Locale when the request names none.
    pub default_locale: Option<String>,
}

/// `[[clients]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSettings {
    /// Public id.
    pub client_id: String,
    /// Secret; absent for a public (native or SPA) client.
    pub client_secret: Option<SecretString>,
    /// Display name.
    pub name: Option<String>,
    /// Allowed callback URLs.
    #[serde(default)]
    pub callbacks: Vec<String>,
    /// Allowed grants. By default Auth0's for a new application, without
    /// `implicit` (tokens in a URL fragment are opt-in), and with the three
    /// MFA grants when `[mfa] require` is not `never`.
    #[serde(default)]
    pub grant_types: Option<Vec<GrantType>>,
    /// Allowed connections.
    #[serde(default = "default_connections")]
    pub connections: Vec<Connection>,
    /// Honour `auth0-forwarded-for` from this client when it authenticates.
    #[serde(default)]
    pub trust_forwarded_for: bool,
    /// Browser origins allowed to call (CORS).
    #[serde(default)]
    pub web_origins: Vec<String>,
    /// How this client's magic links behave.
    #[serde(default)]
    pub magic_link: MagicLinkClientSettings,
    /// Refuse this client's token requests that carry no DPoP proof.
    #[serde(default)]
    pub require_dpop: bool,
    /// This client's MFA policy, over `[mfa] require`.
    #[serde(default)]
    pub mfa: Option<sesame_domain::mfa::MfaPolicy>,
    /// `[[clients.api_grants]]`: the APIs this client may get its own
    /// tokens for (`client_credentials`), and with which scopes.
    #[serde(default)]
    pub api_grants: Vec<ApiGrantSettings>,
}

/// One `[[clients.api_grants]]` entry.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiGrantSettings {
    /// The API's identifier (a configured API, or `{issuer}api/v2/`).
    pub audience: String,
    /// The scopes granted.
    #[serde(default)]
    pub scopes: Vec<String>,
}

/// `[clients.magic_link]`: the domain's `MagicLinkSettings`, which cannot
/// refuse unknown keys itself because it is also read back from storage.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MagicLinkClientSettings {
    /// The confirm page submits itself with a tiny script.
    pub auto_submit: bool,
    /// A link's code exchange may also return a refresh token.
    pub refresh_tokens: bool,
    /// Where the error page's "back" link leads; else the first callback's
    /// origin.
    pub login_uri: Option<String>,
    /// A public client's code links must carry PKCE (`code_challenge`).
    pub require_pkce: bool,
}

/// The grants of a client that names none.
pub(crate) fn default_grant_types(mfa: bool) -> Vec<GrantType> {
    let mut grants = vec![
        GrantType::PasswordlessOtp,
        GrantType::AuthorizationCode,
        GrantType::RefreshToken,
    ];
    if mfa {
        grants.extend([
            GrantType::MfaOtp,
            GrantType::MfaOob,
            GrantType::MfaRecoveryCode,
        ]);
    }
    grants
}

fn default_connections() -> Vec<Connection> {
    vec![Connection::Email, Connection::Sms]
}

/// `[[apis]]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiSettings {
    /// Audience identifier.
    pub identifier: String,
    /// Access-token lifetime.
    #[serde(default = "default_token_lifetime")]
    pub token_lifetime_secs: u64,
    /// `RS256`, `ES256` or `EdDSA`.
    #[serde(default)]
    pub signing_alg: SigningAlg,
    /// The permissions the API defines; access tokens carry no others
    /// besides the OIDC scopes.
    #[serde(default)]
    pub scopes: Vec<String>,
}

const fn default_token_lifetime() -> u64 {
    86_400
}

/// `[log]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// Human-readable or JSON lines.
    pub format: LogFormat,
    /// An `EnvFilter` directive, e.g. `info,sesame=debug`.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: LogFormat::default(),
            level: "info".into(),
        }
    }
}

/// `[log] format`
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// For a person at a terminal.
    #[default]
    Pretty,
    /// One JSON object per line, for a log pipeline.
    Json,
}
