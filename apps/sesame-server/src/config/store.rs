//! `[store]`: one table for the SQLite, Postgres and in-memory stores, and
//! how it becomes the chosen adapter's own config.
//!
//! Neither adapter type can be the section itself: the table holds both
//! backends' keys (those that do not apply are accepted and ignored), and it
//! spells SQLite's acquire timeout in seconds. So every key but `url` and
//! `purge_interval_secs` is optional here, and an absent key keeps the
//! adapter's own default.

use secrecy::{ExposeSecret as _, SecretString};
use serde::Deserialize;
use sesame_store_postgres::PgConfig;
use sesame_store_sqlite::SqliteConfig;

use super::ConfigError;

/// `[store]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct StoreSettings {
    /// `sqlite://PATH`, `postgres://…` or `memory://`.
    pub url: SecretString,
    /// Largest connection pool (SQLite: the read pool).
    pub max_connections: Option<u32>,
    /// Smallest connection pool (Postgres).
    pub min_connections: Option<u32>,
    /// Connect timeout (Postgres).
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
            url: SecretString::from(SqliteConfig::DEFAULT_URL),
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

impl StoreSettings {
    /// Which store `url` names.
    ///
    /// # Errors
    /// [`ConfigError::Value`] for `store.url` when it names none.
    pub fn kind(&self) -> Result<StoreKind, ConfigError> {
        let url = self.url.expose_secret();
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

    /// The SQLite adapter's config for the database file at `path`.
    #[must_use]
    pub fn sqlite(&self, path: &str) -> SqliteConfig {
        let defaults = SqliteConfig::file(path);
        SqliteConfig {
            max_connections: self.max_connections.unwrap_or(defaults.max_connections),
            busy_timeout_ms: self.busy_timeout_ms.unwrap_or(defaults.busy_timeout_ms),
            acquire_timeout_ms: self
                .acquire_timeout_secs
                .map_or(defaults.acquire_timeout_ms, |s| s.saturating_mul(1000)),
            ..defaults
        }
    }

    /// The Postgres adapter's config for `url`.
    #[must_use]
    pub fn postgres(&self) -> PgConfig {
        let defaults = PgConfig::new(self.url.expose_secret());
        PgConfig {
            max_connections: self.max_connections.unwrap_or(defaults.max_connections),
            min_connections: self.min_connections.unwrap_or(defaults.min_connections),
            connect_timeout_secs: self
                .connect_timeout_secs
                .unwrap_or(defaults.connect_timeout_secs),
            acquire_timeout_secs: self
                .acquire_timeout_secs
                .unwrap_or(defaults.acquire_timeout_secs),
            statement_timeout_ms: self
                .statement_timeout_ms
                .unwrap_or(defaults.statement_timeout_ms),
            operation_timeout_ms: self
                .operation_timeout_ms
                .unwrap_or(defaults.operation_timeout_ms),
            ..defaults
        }
    }
}
