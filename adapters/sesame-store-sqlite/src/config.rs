//! The `[store]` settings of the SQLite store, and how they become
//! connection options.

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;
use sesame_domain::ports::StoreError;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};

/// Where the database lives and how the pool behaves.
///
/// Every field has a default, so an empty `[store]` section opens
/// `sqlite://sesame.db` next to the working directory.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SqliteConfig {
    /// A `sqlite:` URL (`sqlite://sesame.db`, `sqlite:///var/lib/sesame.db`,
    /// `sqlite::memory:`) or a plain file path. The file is created if
    /// missing; its directory must exist.
    #[serde(alias = "path")]
    pub url: String,
    /// Connections that serve reads. Writes always go through one connection
    /// of their own, since SQLite runs one writer at a time anyway.
    pub max_connections: u32,
    /// How long a statement waits for another process's write lock before it
    /// gives up with [`StoreError::Unavailable`].
    pub busy_timeout_ms: u64,
    /// How long an operation waits for a free connection of the pool before
    /// it gives up with [`StoreError::Unavailable`].
    pub acquire_timeout_ms: u64,
}

impl Default for SqliteConfig {
    fn default() -> Self {
        Self {
            url: Self::DEFAULT_URL.to_owned(),
            max_connections: 8,
            busy_timeout_ms: 5_000,
            acquire_timeout_ms: 10_000,
        }
    }
}

impl SqliteConfig {
    /// The bundled server's default database.
    pub const DEFAULT_URL: &'static str = "sqlite://sesame.db";

    /// The defaults, for the database file at `path`.
    #[must_use]
    pub fn file(path: impl AsRef<Path>) -> Self {
        Self {
            url: path.as_ref().to_string_lossy().into_owned(),
            ..Self::default()
        }
    }

    /// A private in-memory database, gone when the store is dropped: for
    /// tests and demos.
    #[must_use]
    pub fn in_memory() -> Self {
        Self {
            url: "sqlite::memory:".to_owned(),
            ..Self::default()
        }
    }

    /// Whether the database lives in memory rather than in a file.
    #[must_use]
    pub fn is_in_memory(&self) -> bool {
        let url = self.url.trim();
        url == ":memory:"
            || url == "sqlite::memory:"
            || url == "sqlite://:memory:"
            || url.contains("mode=memory")
    }

    /// [`Self::busy_timeout_ms`] as a duration.
    #[must_use]
    pub const fn busy_timeout(&self) -> Duration {
        Duration::from_millis(self.busy_timeout_ms)
    }

    /// [`Self::acquire_timeout_ms`] as a duration.
    #[must_use]
    pub const fn acquire_timeout(&self) -> Duration {
        Duration::from_millis(self.acquire_timeout_ms)
    }

    /// The connection options: the file or URL, created if missing, WAL
    /// journal, `synchronous=NORMAL`, foreign keys on and the busy timeout.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when `url` is not a valid SQLite URL.
    pub fn connect_options(&self) -> Result<SqliteConnectOptions, StoreError> {
        let url = self.url.trim();
        let options = if url.starts_with("sqlite:") {
            SqliteConnectOptions::from_str(url).map_err(|e| {
                StoreError::Unknown(anyhow::Error::new(e).context("invalid [store] url"))
            })?
        } else if url == ":memory:" {
            SqliteConnectOptions::from_str("sqlite::memory:")
                .map_err(|e| StoreError::Unknown(e.into()))?
        } else {
            SqliteConnectOptions::new().filename(url)
        };
        let options = options
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(self.busy_timeout());
        Ok(if self.is_in_memory() {
            // An in-memory database has no journal file to put in WAL mode.
            options.journal_mode(SqliteJournalMode::Memory)
        } else {
            options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_url_parses() {
        let config = SqliteConfig::default();
        assert_eq!(config.url, "sqlite://sesame.db");
        let options = config.connect_options().unwrap();
        assert_eq!(options.get_filename(), Path::new("sesame.db"));
        assert!(!config.is_in_memory());
    }

    #[test]
    fn a_plain_path_is_a_file() {
        let config = SqliteConfig::file("/tmp/x/sesame.db");
        let options = config.connect_options().unwrap();
        assert_eq!(options.get_filename(), Path::new("/tmp/x/sesame.db"));
    }

    #[test]
    fn in_memory_urls_are_recognised() {
        assert!(SqliteConfig::in_memory().is_in_memory());
        assert!(SqliteConfig::in_memory().connect_options().is_ok());
        assert!(SqliteConfig::file(":memory:").is_in_memory());
    }

    #[test]
    fn a_partial_section_keeps_the_other_defaults() {
        let config: SqliteConfig =
            serde_json::from_str(r#"{"path": "data/s.db", "busy_timeout_ms": 250}"#).unwrap();
        assert_eq!(config.url, "data/s.db");
        assert_eq!(config.busy_timeout(), Duration::from_millis(250));
        assert_eq!(
            config.max_connections,
            SqliteConfig::default().max_connections
        );
    }

    #[test]
    fn unknown_settings_are_refused() {
        assert!(serde_json::from_str::<SqliteConfig>(r#"{"pool": 3}"#).is_err());
    }

    #[test]
    fn a_malformed_url_is_an_error_not_a_panic() {
        let config = SqliteConfig {
            url: "sqlite://x.db?mode=bogus".to_owned(),
            ..SqliteConfig::default()
        };
        assert!(matches!(
            config.connect_options(),
            Err(StoreError::Unknown(_))
        ));
    }
}
