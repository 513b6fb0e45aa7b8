//! From settings to domain and adapter values: every check that needs more
//! than serde.

use std::num::NonZeroUsize;
use std::time::Duration;

use secrecy::ExposeSecret as _;
use sesame_domain::mfa::MfaPolicy;
use sesame_domain::service::{Issuer, MANAGEMENT_API_SCOPES};
use sesame_domain::{
    Api, ApiGrant, Client, ClientId, ClientSecretHash, CodeLength, Connection, GrantType,
    Ipv6PrefixLen, PasswordlessConfig, RateLimit, Scope,
};
use sesame_http::{ClientIpSource, HttpConfig};

use super::{ClientIp, ConfigError, HttpSettings, Settings, StoreKind};

/// The id of the public client registered when the configuration has none.
pub const DEV_CLIENT_ID: &str = "dev";

/// The configuration, checked and turned into domain values.
#[derive(Debug)]
pub struct Resolved {
    /// The domain rules.
    pub passwordless: PasswordlessConfig,
    /// Clients to register at startup.
    pub clients: Vec<Client>,
    /// APIs to register at startup.
    pub apis: Vec<Api>,
    /// The HTTP edge, its CORS origins the union of the clients'.
    pub http: HttpConfig,
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
    let mut passwordless = passwordless(&settings)?;
    tracing_subscriber::EnvFilter::try_new(&settings.log.level)
        .map_err(|e| ConfigError::value("log.level", e))?;
    let client_ip = client_ip(&settings.http)?;
    settings.email.chosen()?;
    settings.sms.chosen()?;
    let apis = apis(&settings)?;
    let dev_client = settings.clients.is_empty();
    let clients = if dev_client {
        vec![dev(settings.mfa.require != MfaPolicy::Never)?]
    } else {
        clients(&settings, &apis, &passwordless.issuer)?
    };
    let r = &settings.rate_limits;
    let http = HttpConfig {
        body_limit_bytes: settings.http.body_limit_bytes,
        request_timeout_secs: settings.http.request_timeout_secs,
        cors_allowed_origins: web_origins(&clients),
        client_ip,
        requests_per_ip_per_second: at_least_1(
            "rate_limits.requests_per_ip_per_second",
            r.requests_per_ip_per_second,
        )?,
        requests_per_ip_burst: at_least_1(
            "rate_limits.requests_per_ip_burst",
            r.requests_per_ip_burst,
        )?,
        ipv6_prefix_len: passwordless.ipv6_prefix_len,
    };
    passwordless.longest_api_token_lifetime = apis
        .iter()
        .map(|a| a.token_lifetime)
        .max()
        .unwrap_or_default();
    let store = settings.store.kind()?;
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
        passwordless,
        clients,
        apis,
        http,
        store,
        dev_client,
        settings,
    })
}

/// The issuer, `[passwordless]` and `[rate_limits]`.
fn passwordless(settings: &Settings) -> Result<PasswordlessConfig, ConfigError> {
    let h = &settings.http;
    let tls = h.tls_cert.is_some();
    if tls != h.tls_key.is_some() {
        return Err(ConfigError::value(
            "http.tls_cert",
            "tls_cert and tls_key go together",
        ));
    }
    let issuer_raw = settings.issuer.clone().unwrap_or_else(|| {
        let listen = h
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
    config.code_ttl =
        Duration::from_secs(at_least_1("passwordless.code_ttl_secs", p.code_ttl_secs)?);
    config.max_attempts = at_least_1("passwordless.max_attempts", p.max_attempts)?;
    config.disable_signup = p.disable_signup;
    config.magic_links = p.magic_links;
    config.default_signing_alg = p.default_signing_alg;
    // The refresh loop re-reads the keys every `key_refresh_secs`; a
    // request reads them itself only if the loop has fallen two periods
    // behind.
    let refresh = at_least_1("passwordless.key_refresh_secs", p.key_refresh_secs)?;
    config.key_cache_ttl = Duration::from_secs(refresh.saturating_mul(2));
    let r = &settings.rate_limits;
    let (hour, quarter, day) = (
        Duration::from_secs(3600),
        Duration::from_secs(900),
        Duration::from_secs(86_400),
    );
    config.start_per_ip = RateLimit::new(r.start_per_ip_per_hour, hour);
    let start_ip = either(
        "start_per_recipient_ip_per_15min",
        r.start_per_recipient_ip_per_15min,
        r.start_per_recipient_per_15min,
    )?;
    config.start_per_recipient_ip = RateLimit::new(
        start_ip.unwrap_or(PasswordlessConfig::DEFAULT_START_PER_RECIPIENT_IP.limit),
        quarter,
    );
    config.start_per_recipient = RateLimit::new(r.start_per_recipient_per_hour, hour);
    let failures_ip = either(
        "failures_per_recipient_ip_per_15min",
        r.failures_per_recipient_ip_per_15min,
        r.failures_per_recipient_per_15min,
    )?;
    config.failures_per_recipient_ip = RateLimit::new(
        failures_ip.unwrap_or(PasswordlessConfig::DEFAULT_FAILURES_PER_RECIPIENT_IP.limit),
        quarter,
    );
    config.failures_per_recipient = RateLimit::new(r.failures_per_recipient_per_day, day);
    config.failures_per_ip = RateLimit::new(
        at_least_1(
            "rate_limits.failures_per_ip_per_hour",
            r.failures_per_ip_per_hour,
        )?,
        Duration::from_secs(3600),
    );
    config.ipv6_prefix_len = Ipv6PrefixLen::new(r.ipv6_prefix_len)
        .map_err(|e| ConfigError::value("rate_limits.ipv6_prefix_len", e))?;
    config.sms_guard = settings.sms_guard.resolve()?;
    let d = &settings.dpop;
    config.dpop = sesame_domain::DpopConfig {
        iat_window: Duration::from_secs(at_least_1("dpop.iat_window_secs", d.iat_window_secs)?),
        nonce_window: Duration::from_secs(at_least_1(
            "dpop.nonce_window_secs",
            d.nonce_window_secs,
        )?),
        require_nonce: d.require_nonce,
    };
    config.management_requests_per_client = RateLimit::new(
        at_least_1(
            "management_api.requests_per_client_per_minute",
            settings.management_api.requests_per_client_per_minute,
        )?,
        Duration::from_secs(60),
    );
    config.test_identities =
        super::test_identities::resolve(&settings.test_identities, config.code_length)?;
    let m = &settings.mfa;
    config.mfa = sesame_domain::mfa::MfaConfig {
        require: m.require,
        factors: m.factors.clone(),
        issuer_name: m.issuer_name.clone(),
        token_ttl: Duration::from_secs(at_least_1("mfa.token_ttl_secs", m.token_ttl_secs)?),
        ..sesame_domain::mfa::MfaConfig::default()
    };
    Ok(config)
}

/// A `[rate_limits]` key or its deprecated alias; both set is an error, so
/// an operator never wonders which one counts.
fn either(key: &str, new: Option<u32>, alias: Option<u32>) -> Result<Option<u32>, ConfigError> {
    match (new, alias) {
        (Some(_), Some(_)) => Err(ConfigError::value(
            format!("rate_limits.{key}"),
            "set either this key or its deprecated alias, not both",
        )),
        (new, alias) => Ok(new.or(alias)),
    }
}

fn at_least_1<T: Copy + Into<u64>>(key: &str, value: T) -> Result<T, ConfigError> {
    if value.into() == 0 {
        return Err(ConfigError::value(key, "must be at least 1"));
    }
    Ok(value)
}

/// `[http] client_ip` and `trusted_proxy_hops` as the HTTP adapter's type.
fn client_ip(h: &HttpSettings) -> Result<ClientIpSource, ConfigError> {
    match (h.client_ip, NonZeroUsize::new(h.trusted_proxy_hops)) {
        (ClientIp::Peer, _) => Ok(ClientIpSource::Peer),
        (ClientIp::XForwardedFor, Some(hops)) => Ok(ClientIpSource::XForwardedFor {
            trusted_proxy_hops: hops,
        }),
        (ClientIp::XForwardedFor, None) => Err(ConfigError::value(
            "http.trusted_proxy_hops",
            "must be at least 1 with x-forwarded-for",
        )),
    }
}

/// The CORS origins: the union of the clients' web origins.
fn web_origins(clients: &[Client]) -> Vec<String> {
    let mut origins: Vec<String> = clients
        .iter()
        .flat_map(|c| c.web_origins.iter().cloned())
        .collect();
    origins.sort();
    origins.dedup();
    origins
}

fn clients(settings: &Settings, apis: &[Api], issuer: &Issuer) -> Result<Vec<Client>, ConfigError> {
    let mut out: Vec<Client> = Vec::with_capacity(settings.clients.len());
    let settings_mfa_on = settings.mfa.require != MfaPolicy::Never;
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
        for (j, cb) in c.callbacks.iter().enumerate() {
            super::check_callback(cb).map_err(|e| {
                ConfigError::value(
                    key(&format!("callbacks[{j}]")),
                    format!("client {:?}: {e}", c.client_id),
                )
            })?;
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
        let grant_types = c.grant_types.clone().unwrap_or_else(|| {
            super::settings::default_grant_types(
                settings_mfa_on || c.mfa.is_some_and(|p| p != MfaPolicy::Never),
            )
        });
        if grant_types.contains(&GrantType::ClientCredentials) && secret.is_none() {
            return Err(ConfigError::value(
                key("grant_types"),
                format!(
                    "client {:?}: client_credentials needs a confidential client (with a client_secret)",
                    c.client_id
                ),
            ));
        }
        let api_grants = api_grants(&key, &c.api_grants, apis, issuer)?;
        if c.trust_forwarded_for && secret.is_none() {
            return Err(ConfigError::value(
                key("trust_forwarded_for"),
                "only a confidential client (with a client_secret) can be trusted to forward IPs",
            ));
        }
        out.push(Client {
            id: ClientId::parse(c.client_id.clone())
                .map_err(|e| ConfigError::value(key("client_id"), e))?,
            name: c.name.clone().unwrap_or_else(|| c.client_id.clone()),
            secret,
            callbacks: c.callbacks.clone(),
            grant_types,
            connections: c.connections.clone(),
            trust_forwarded_for: c.trust_forwarded_for,
            web_origins: c.web_origins.clone(),
            magic_link: sesame_domain::MagicLinkSettings {
                auto_submit: c.magic_link.auto_submit,
                refresh_tokens: c.magic_link.refresh_tokens,
                login_uri: c.magic_link.login_uri.clone(),
                require_pkce: c.magic_link.require_pkce,
            },
            require_dpop: c.require_dpop,
            mfa: c.mfa,
            api_grants,
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
            let key = format!("apis[{i}].token_lifetime_secs");
            Ok(Api {
                identifier: a.identifier.clone(),
                token_lifetime: Duration::from_secs(at_least_1(&key, a.token_lifetime_secs)?),
                signing_alg: a.signing_alg,
                scopes: api_scopes(i, &a.scopes)?,
            })
        })
        .collect()
}

/// An API's permissions: each one scope token (RFC 6749 characters, no
/// space), so a permission can never smuggle in a second scope.
fn api_scopes(i: usize, scopes: &[String]) -> Result<Vec<String>, ConfigError> {
    scopes
        .iter()
        .map(|s| match Scope::parse(s) {
            Ok(one) if one.is_single_token() && one.as_str() == s => Ok(s.clone()),
            _ => Err(ConfigError::value(
                format!("apis[{i}].scopes"),
                format!("{s:?} must be one scope token: printable ASCII other than '\"' and '\\', no spaces"),
            )),
        })
        .collect()
}

/// A client's `api_grants`: each for a configured API or the Management
/// API, with scopes that API defines.
fn api_grants(
    key: &dyn Fn(&str) -> String,
    grants: &[super::settings::ApiGrantSettings],
    apis: &[Api],
    issuer: &Issuer,
) -> Result<Vec<ApiGrant>, ConfigError> {
    let management = issuer.endpoint("api/v2/");
    grants
        .iter()
        .enumerate()
        .map(|(j, g)| {
            let defined: Vec<&str> = if g.audience == management {
                MANAGEMENT_API_SCOPES.to_vec()
            } else if let Some(api) = apis.iter().find(|a| a.identifier == g.audience) {
                api.scopes.iter().map(String::as_str).collect()
            } else {
                return Err(ConfigError::value(
                    key(&format!("api_grants[{j}].audience")),
                    format!(
                        "{:?} is neither a configured API nor the Management API ({management})",
                        g.audience
                    ),
                ));
            };
            if let Some(s) = g.scopes.iter().find(|s| !defined.contains(&s.as_str())) {
                return Err(ConfigError::value(
                    key(&format!("api_grants[{j}].scopes")),
                    format!("{s:?} is not a scope of {:?}", g.audience),
                ));
            }
            Ok(ApiGrant {
                audience: g.audience.clone(),
                scopes: g.scopes.clone(),
            })
        })
        .collect()
}

/// The public development client used when none is configured.
fn dev(mfa: bool) -> Result<Client, ConfigError> {
    Ok(Client {
        id: ClientId::parse(DEV_CLIENT_ID).map_err(|e| ConfigError::value("clients", e))?,
        name: "Sesame development client".into(),
        secret: None,
        callbacks: vec![
            "http://localhost/callback".into(),
            "http://localhost:3000/callback".into(),
            "http://localhost:8080/callback".into(),
        ],
        grant_types: super::settings::default_grant_types(mfa),
        connections: vec![Connection::Email, Connection::Sms],
        trust_forwarded_for: false,
        web_origins: vec![
            "http://localhost:3000".into(),
            "http://localhost:8080".into(),
        ],
        magic_link: sesame_domain::MagicLinkSettings::default(),
        require_dpop: false,
        mfa: None,
        api_grants: Vec::new(),
    })
}
