//! The configuration file's shape, key for key as `docs/configuration.md`
//! documents it. Every section refuses unknown keys, so a typo is an error
//! that names the key instead of a setting silently ignored.

use secrecy::SecretString;
use serde::Deserialize;
pub use sesame_delivery_smtp::SmtpConfig;
pub use sesame_delivery_sns::SnsConfig;
pub use sesame_delivery_webhook::WebhookConfig;

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
    /// Optional home for challenges and rate limits (Redis).
    pub cache: Option<CacheSettings>,
    /// Code rules.
    #[serde(default)]
    pub passwordless: PasswordlessSettings,
    /// Start and redemption limits.
    #[serde(default)]
    pub rate_limits: RateLimitSettings,
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
}

/// `[http]`
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
    /// Where the client IP comes from: `peer` or `x-forwarded-for`.
    pub client_ip: String,
    /// With `x-forwarded-for`: how many proxies in front of Sesame append to it.
    pub trusted_proxy_hops: usize,
    /// How long to wait for in-flight requests on shutdown.
    pub shutdown_grace_secs: u64,
}

impl Default for HttpSettings {
    fn default() -> Self {
        Self {
            listen: "127.0.0.1:3000".into(),
            tls_cert: None,
            tls_key: None,
            body_limit_bytes: 64 * 1024,
            request_timeout_secs: 10,
            client_ip: "peer".into(),
            trusted_proxy_hops: 1,
            shutdown_grace_secs: 20,
        }
    }
}

/// `[store]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSettings {
    /// `sqlite://PATH`, `postgres://…` or `memory://`.
    pub url: SecretString,
    /// Largest connection pool.
    pub max_connections: Option<u32>,
    /// Smallest connection pool (Postgres).
    pub min_connections: Option<u32>,
    /// Connect timeout.
    pub connect_timeout_secs: Option<u64>,
    /// Wait for a pooled connection at most this long.
    pub acquire_timeout_secs: Option<u64>,
    /// Per-statement timeout (Postgres).
    pub statement_timeout_ms: Option<u64>,
    /// Bound on one storage call, from acquiring a connection to the last
    /// reply (Postgres): catches a server that stops answering.
    pub operation_timeout_ms: Option<u64>,
    /// Wait for a locked database at most this long (SQLite).
    pub busy_timeout_ms: Option<u64>,
    /// How often expired challenges are purged.
    pub purge_interval_secs: u64,
}

impl Default for StoreSettings {
    fn default() -> Self {
        Self {
            url: SecretString::from("sqlite://sesame.db"),
            max_connections: None,
            min_connections: None,
            connect_timeout_secs: None,
            acquire_timeout_secs: None,
            statement_timeout_ms: None,
            operation_timeout_ms: None,
            busy_timeout_ms: None,
            purge_interval_secs: 60,
        }
    }
}

/// `[cache]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheSettings {
    /// `redis://…` or `rediss://…`.
    pub url: SecretString,
    /// Prefix of every key.
    pub key_prefix: Option<String>,
    /// Connect timeout.
    pub connect_timeout_ms: Option<u64>,
    /// Wait for a reply at most this long.
    pub response_timeout_ms: Option<u64>,
}

/// `[passwordless]`
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
    pub default_signing_alg: String,
}

impl Default for PasswordlessSettings {
    fn default() -> Self {
        Self {
            code_length: 6,
            code_ttl_secs: 180,
            max_attempts: 3,
            disable_signup: false,
            magic_links: true,
            default_signing_alg: "RS256".to_owned(),
        }
    }
}

/// `[rate_limits]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitSettings {
    /// Starts per client IP per hour.
    pub start_per_ip_per_hour: u32,
    /// Codes per address or number per 15 minutes.
    pub start_per_recipient_per_15min: u32,
    /// Failed redemptions per address or number per 15 minutes.
    pub failures_per_recipient_per_15min: u32,
}

impl Default for RateLimitSettings {
    fn default() -> Self {
        Self {
            start_per_ip_per_hour: 50,
            start_per_recipient_per_15min: 5,
            failures_per_recipient_per_15min: 10,
        }
    }
}

/// `[email]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailSettings {
    /// `console`, `smtp` or `webhook`.
    pub provider: String,
    /// The From header.
    pub from: String,
    /// `[email.smtp]`
    pub smtp: Option<SmtpConfig>,
    /// `[email.webhook]`
    pub webhook: Option<WebhookConfig>,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            provider: "console".into(),
            from: "Sesame <no-reply@localhost>".into(),
            smtp: None,
            webhook: None,
        }
    }
}

/// `[sms]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsSettings {
    /// `console`, `sns` or `webhook`.
    pub provider: String,
    /// `[sms.sns]`
    pub sns: Option<SnsConfig>,
    /// `[sms.webhook]`
    pub webhook: Option<WebhookConfig>,
}

impl Default for SmsSettings {
    fn default() -> Self {
        Self {
            provider: "console".into(),
            sns: None,
            webhook: None,
        }
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
    /// Allowed grants.
    #[serde(default = "default_grant_types")]
    pub grant_types: Vec<String>,
    /// Allowed connections.
    #[serde(default = "default_connections")]
    pub connections: Vec<String>,
    /// Honour `auth0-forwarded-for` from this client when it authenticates.
    #[serde(default)]
    pub trust_forwarded_for: bool,
    /// Browser origins allowed to call (CORS).
    #[serde(default)]
    pub web_origins: Vec<String>,
    /// How this client's magic links behave.
    #[serde(default)]
    pub magic_link: MagicLinkClientSettings,
}

/// `[clients.magic_link]`
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
}

fn default_grant_types() -> Vec<String> {
    // As Auth0's defaults for a new application, without `implicit`: tokens
    // in a URL fragment are opt-in.
    vec![
        "http://auth0.com/oauth/grant-type/passwordless/otp".into(),
        "authorization_code".into(),
        "refresh_token".into(),
    ]
}

fn default_connections() -> Vec<String> {
    vec!["email".into(), "sms".into()]
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
    #[serde(default = "default_alg")]
    pub signing_alg: String,
}

const fn default_token_lifetime() -> u64 {
    86_400
}

fn default_alg() -> String {
    "RS256".into()
}

/// `[log]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// `pretty` or `json`.
    pub format: String,
    /// An `EnvFilter` directive, e.g. `info,sesame=debug`.
    pub level: String,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            format: "pretty".into(),
            level: "info".into(),
        }
    }
}
