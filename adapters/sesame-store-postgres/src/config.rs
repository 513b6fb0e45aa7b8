//! The `[store]` settings for PostgreSQL, and how they become sqlx options.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};

/// How to reach PostgreSQL and how hard to try.
///
/// Only `url` is required; every other key has a default. `Debug` shows the
/// host, port, user and database, never the password.
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PgConfig {
    /// A `postgres://user:password@host:port/database?sslmode=…` URL. It may
    /// hold a password, so it is kept secret.
    pub url: SecretString,
    /// The most connections the pool opens. Default 10.
    #[serde(default = "defaults::max_connections")]
    pub max_connections: u32,
    /// Connections kept open while idle. Default 0.
    #[serde(default)]
    pub min_connections: u32,
    /// How long [`PgStore::connect`](crate::PgStore::connect) may take to
    /// open its first connection and apply the migrations. Default 10 s.
    #[serde(default = "defaults::connect_timeout_secs")]
    pub connect_timeout_secs: u64,
    /// How long an operation waits for a pooled connection, including
    /// opening a new one, before it fails as unavailable. Default 5 s.
    #[serde(default = "defaults::acquire_timeout_secs")]
    pub acquire_timeout_secs: u64,
    /// The server-side `statement_timeout` of every connection; 0 disables
    /// it. Default 5000 ms.
    #[serde(default = "defaults::statement_timeout_ms")]
    pub statement_timeout_ms: u64,
    /// The client-side bound on one storage call, from acquiring the
    /// connection to the last reply. It catches a server that stops answering
    /// without closing the connection, which `statement_timeout` cannot.
    /// Default 15000 ms.
    #[serde(default = "defaults::operation_timeout_ms")]
    pub operation_timeout_ms: u64,
}

mod defaults {
    pub(super) const fn max_connections() -> u32 {
        10
    }
    pub(super) const fn connect_timeout_secs() -> u64 {
        10
    }
    pub(super) const fn acquire_timeout_secs() -> u64 {
        5
    }
    pub(super) const fn statement_timeout_ms() -> u64 {
        5_000
    }
    pub(super) const fn operation_timeout_ms() -> u64 {
        15_000
    }
}

impl PgConfig {
    /// The defaults for every key but `url`.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: SecretString::from(url.into()),
            max_connections: defaults::max_connections(),
            min_connections: 0,
            connect_timeout_secs: defaults::connect_timeout_secs(),
            acquire_timeout_secs: defaults::acquire_timeout_secs(),
            statement_timeout_ms: defaults::statement_timeout_ms(),
            operation_timeout_ms: defaults::operation_timeout_ms(),
        }
    }

    /// [`connect_timeout_secs`](Self::connect_timeout_secs) as a duration.
    #[must_use]
    pub const fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }

    /// [`operation_timeout_ms`](Self::operation_timeout_ms) as a duration.
    #[must_use]
    pub const fn operation_timeout(&self) -> Duration {
        Duration::from_millis(self.operation_timeout_ms)
    }

    /// The per-connection options: the URL plus `statement_timeout` and an
    /// `application_name`, so operators can tell Sesame's sessions apart.
    pub(crate) fn connect_options(&self) -> Result<PgConnectOptions, sqlx::Error> {
        let options = PgConnectOptions::from_str(self.url.expose_secret())?
            .application_name("sesame")
            .options([("statement_timeout", self.statement_timeout_ms.to_string())]);
        Ok(options)
    }

    /// The pool options.
    pub(crate) fn pool_options(&self) -> PgPoolOptions {
        PgPoolOptions::new()
            .max_connections(self.max_connections.max(1))
            .min_connections(self.min_connections.min(self.max_connections.max(1)))
            .acquire_timeout(Duration::from_secs(self.acquire_timeout_secs))
    }

    /// The URL without its password or query string, for `Debug`.
    fn redacted_url(&self) -> String {
        match url::Url::parse(self.url.expose_secret()) {
            Ok(mut u) => {
                if u.password().is_some() {
                    // Only fails for URLs that cannot have a password at all.
                    let _ = u.set_password(Some("redacted"));
                }
                if u.query().is_some() {
                    u.set_query(Some("redacted"));
                }
                u.to_string()
            }
            Err(_) => "<unparseable url>".to_owned(),
        }
    }
}

impl fmt::Debug for PgConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PgConfig")
            .field("url", &self.redacted_url())
            .field("max_connections", &self.max_connections)
            .field("min_connections", &self.min_connections)
            .field("connect_timeout_secs", &self.connect_timeout_secs)
            .field("acquire_timeout_secs", &self.acquire_timeout_secs)
            .field("statement_timeout_ms", &self.statement_timeout_ms)
            .field("operation_timeout_ms", &self.operation_timeout_ms)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_hides_the_password_and_the_query() {
        let c = PgConfig::new("postgres://sesame:hunter2@db.internal:5433/auth?password=hunter2");
        let shown = format!("{c:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.internal:5433/auth"), "{shown}");
    }

    #[test]
    fn debug_survives_a_url_that_does_not_parse() {
        let c = PgConfig::new("not a url hunter2");
        assert!(!format!("{c:?}").contains("hunter2"));
    }

    #[test]
    fn only_the_url_is_required() {
        let c: PgConfig =
            serde_json::from_str(r#"{"url": "postgres://localhost/sesame"}"#).unwrap();
        assert_eq!(c.max_connections, 10);
        assert_eq!(c.statement_timeout_ms, 5_000);
        assert!(serde_json::from_str::<PgConfig>(r#"{"max_connections": 3}"#).is_err());
    }

    #[test]
    fn unknown_keys_are_refused() {
        let r = serde_json::from_str::<PgConfig>(r#"{"url": "postgres://x/y", "max_conns": 3}"#);
        assert!(r.is_err());
    }
}
