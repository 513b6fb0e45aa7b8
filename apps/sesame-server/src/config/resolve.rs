//! From settings to domain values: every check that needs more than serde.

use std::time::Duration;

use secrecy::ExposeSecret as _;
use sesame_domain::client::SigningAlg;
use sesame_domain::service::Issuer;
use sesame_domain::{
    Api, Client, ClientId, ClientSecretHash, CodeLength, Connection, GrantType, PasswordlessConfig,
    RateLimit,
};

use super::{ConfigError, Settings};

/// The id of the public client registered when the configuration has none.
pub const DEV_CLIENT_ID: &str = "dev";

/// Which store `[store] url` names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoreKind {
    /// `sqlite://PATH`
    Sqlite(String),
    /// `postgres://…` or `postgresql://…`
    Postgres,
    /// `memory://`: nothing survives a restart.
    Memory,
}

/// The configuration, checked and turned into domain values.
#[derive(Debug)]
pub struct Resolved {
    /// The domain rules.
    pub passwordless: PasswordlessConfig,
    /// Clients to register at startup.
    pub clients: Vec<Client>,
    /// APIs to register at startup.
    pub apis: Vec<Api>,
    /// The store kind.
    pub store: StoreKind,
    /// Whether the development client was added because none was configured.
    pub dev_client: bool,
    /// The raw settings, for the adapters' own sections.
    pub settings: Settings,
}

/// Checks `settings` and builds the domain configuration.
///
/// # Errors
/// [`ConfigError::Value`] naming the first bad key.
pub fn resolve(settings: Settings) -> Result<Resolved, ConfigError> {
    let tls = settings.http.tls_cert.is_some();
    if tls != settings.http.tls_key.is_some() {
        return Err(ConfigError::value(
            "http.tls_cert",
            "tls_cert and tls_key go together",
        ));
    }
    let issuer_raw = settings.issuer.clone().unwrap_or_else(|| {
        let listen = settings
            .http
            .listen
            .replace("0.0.0.0", "127.0.0.1")
            .replace("[::]", "[::1]");
        format!("{}://{listen}/", if tls { "https" } else { "http" })
    });
    let issuer = Issuer::parse(&issuer_raw).map_err(|e| ConfigError::value("issuer", e))?;

    let p = &settings.passwordless;
    let mut config = PasswordlessConfig::new(issuer);
    config.code_length = CodeLength::new(p.code_length)
        .map_err(|e| ConfigError::value("passwordless.code_length", e))?;
    if p.code_ttl_secs == 0 {
        return Err(ConfigError::value(
            "passwordless.code_ttl_secs",
            "must be at least 1",
        ));
    }
    config.code_ttl = Duration::from_secs(p.code_ttl_secs);
    if p.max_attempts == 0 {
        return Err(ConfigError::value(
            "passwordless.max_attempts",
            "must be at least 1",
        ));
    }
    config.max_attempts = p.max_attempts;
    config.disable_signup = p.disable_signup;
    config.magic_links = p.magic_links;
    config.default_signing_alg = p
        .default_signing_alg
        .parse::<SigningAlg>()
        .map_err(|e| ConfigError::value("passwordless.default_signing_alg", e))?;
    let r = &settings.rate_limits;
    config.start_per_ip = RateLimit::new(r.start_per_ip_per_hour, Duration::from_secs(3600));
    config.start_per_recipient =
        RateLimit::new(r.start_per_recipient_per_15min, Duration::from_secs(900));
    config.failures_per_recipient =
        RateLimit::new(r.failures_per_recipient_per_15min, Duration::from_secs(900));

    check_operational(&settings)?;
    let dev_client = settings.clients.is_empty();
    let clients = if dev_client {
        vec![dev()]
    } else {
        clients(&settings)?
    };
    let apis = apis(&settings)?;
    let store = store_kind(settings.store.url.expose_secret())?;
    match &settings.secret {
        Some(secret) if secret.expose_secret().len() < 32 => {
            return Err(ConfigError::value("secret", "must be at least 32 bytes"));
        }
        None if store == StoreKind::Postgres => {
            return Err(ConfigError::value(
                "secret",
                "required with a postgres store, so that every instance shares it (at least 32 random bytes)",
            ));
        }
        _ => {}
    }
    Ok(Resolved {
        passwordless: config,
        clients,
        apis,
        store,
        dev_client,
        settings,
    })
}

/// The keys whose values only the server interprets: logging, the client
/// IP source and the provider names.
fn check_operational(settings: &Settings) -> Result<(), ConfigError> {
    let log = &settings.log;
    if !matches!(log.format.as_str(), "pretty" | "json") {
        return Err(ConfigError::value(
            "log.format",
            "must be \"pretty\" or \"json\"",
        ));
    }
    tracing_subscriber::EnvFilter::try_new(&log.level)
        .map_err(|e| ConfigError::value("log.level", e))?;
    let h = &settings.http;
    match h.client_ip.as_str() {
        "peer" => {}
        "x-forwarded-for" if h.trusted_proxy_hops >= 1 => {}
        "x-forwarded-for" => {
            return Err(ConfigError::value(
                "http.trusted_proxy_hops",
                "must be at least 1 with x-forwarded-for",
            ));
        }
        _ => {
            return Err(ConfigError::value(
                "http.client_ip",
                "must be \"peer\" or \"x-forwarded-for\"",
            ));
        }
    }
    let e = &settings.email;
    match (e.provider.as_str(), &e.smtp, &e.webhook) {
        ("console", _, _) | ("smtp", Some(_), _) | ("webhook", _, Some(_)) => {}
        ("smtp" | "webhook", _, _) => {
            return Err(ConfigError::value(
                format!("email.{}", e.provider),
                "this section is required by email.provider",
            ));
        }
        (other, _, _) => {
            return Err(ConfigError::value(
                "email.provider",
                format!("{other:?} is not console, smtp or webhook"),
            ));
        }
    }
    let m = &settings.sms;
    match (m.provider.as_str(), &m.webhook) {
        ("console" | "sns", _) | ("webhook", Some(_)) => {}
        ("webhook", None) => {
            return Err(ConfigError::value(
                "sms.webhook",
                "this section is required by sms.provider",
            ));
        }
        (other, _) => {
            return Err(ConfigError::value(
                "sms.provider",
                format!("{other:?} is not console, sns or webhook"),
            ));
        }
    }
    Ok(())
}

fn clients(settings: &Settings) -> Result<Vec<Client>, ConfigError> {
    let mut out: Vec<Client> = Vec::with_capacity(settings.clients.len());
    for (i, c) in settings.clients.iter().enumerate() {
        let key = |k: &str| format!("clients[{i}].{k}");
        if c.client_id.trim().is_empty() {
            return Err(ConfigError::value(key("client_id"), "must not be empty"));
        }
        if out.iter().any(|o| o.id.as_str() == c.client_id) {
            return Err(ConfigError::value(
                key("client_id"),
                format!("{:?} is configured twice", c.client_id),
            ));
        }
        let grant_types = c
            .grant_types
            .iter()
            .map(|g| g.parse::<GrantType>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ConfigError::value(key("grant_types"), e))?;
        let connections = c
            .connections
            .iter()
            .map(|s| s.parse::<Connection>())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ConfigError::value(key("connections"), e))?;
        for cb in &c.callbacks {
            url::Url::parse(cb)
                .map_err(|e| ConfigError::value(key("callbacks"), format!("{cb:?}: {e}")))?;
        }
        if let Some(uri) = &c.magic_link.login_uri {
            // It is shown as a link on error pages: only a web address.
            match url::Url::parse(uri) {
                Ok(u) if matches!(u.scheme(), "https" | "http") => {}
                _ => {
                    return Err(ConfigError::value(
                        key("magic_link.login_uri"),
                        format!("{uri:?} must be an http(s) URL"),
                    ));
                }
            }
        }
        let secret = match &c.client_secret {
            Some(s) if s.expose_secret().len() < 16 => {
                return Err(ConfigError::value(
                    key("client_secret"),
                    "must be at least 16 characters",
                ));
            }
            Some(s) => Some(ClientSecretHash::of(s.expose_secret())),
            None => None,
        };
        if c.trust_forwarded_for && secret.is_none() {
            return Err(ConfigError::value(
                key("trust_forwarded_for"),
                "only a confidential client (with a client_secret) can be trusted to forward IPs",
            ));
        }
        out.push(Client {
            id: ClientId::new(c.client_id.clone()),
            name: c.name.clone().unwrap_or_else(|| c.client_id.clone()),
            secret,
            callbacks: c.callbacks.clone(),
            grant_types,
            connections,
            trust_forwarded_for: c.trust_forwarded_for,
            web_origins: c.web_origins.clone(),
            magic_link: sesame_domain::MagicLinkSettings {
                auto_submit: c.magic_link.auto_submit,
                refresh_tokens: c.magic_link.refresh_tokens,
                login_uri: c.magic_link.login_uri.clone(),
            },
        });
    }
    Ok(out)
}

fn apis(settings: &Settings) -> Result<Vec<Api>, ConfigError> {
    settings
        .apis
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let signing_alg = a
                .signing_alg
                .parse::<SigningAlg>()
                .map_err(|e| ConfigError::value(format!("apis[{i}].signing_alg"), e))?;
            if a.token_lifetime_secs == 0 {
                return Err(ConfigError::value(
                    format!("apis[{i}].token_lifetime_secs"),
                    "must be at least 1",
                ));
            }
            Ok(Api {
                identifier: a.identifier.clone(),
                token_lifetime: Duration::from_secs(a.token_lifetime_secs),
                signing_alg,
            })
        })
        .collect()
}

fn store_kind(url: &str) -> Result<StoreKind, ConfigError> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Err(ConfigError::value(
                "store.url",
                "sqlite:// needs a file path, e.g. sqlite://sesame.db",
            ));
        }
        return Ok(StoreKind::Sqlite(path.to_owned()));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(StoreKind::Postgres);
    }
    if url == "memory://" {
        return Ok(StoreKind::Memory);
    }
    Err(ConfigError::value(
        "store.url",
        "must start with sqlite://, postgres:// or be memory://",
    ))
}

/// The public development client used when none is configured.
fn dev() -> Client {
    Client {
        id: ClientId::new(DEV_CLIENT_ID),
        name: "Sesame development client".into(),
        secret: None,
        callbacks: vec![
            "http://localhost/callback".into(),
            "http://localhost:3000/callback".into(),
            "http://localhost:8080/callback".into(),
        ],
        grant_types: vec![
            GrantType::PasswordlessOtp,
            GrantType::RefreshToken,
            GrantType::AuthorizationCode,
        ],
        connections: vec![Connection::Email, Connection::Sms],
        trust_forwarded_for: false,
        web_origins: vec![
            "http://localhost:3000".into(),
            "http://localhost:8080".into(),
        ],
        magic_link: sesame_domain::MagicLinkSettings::default(),
    }
}
