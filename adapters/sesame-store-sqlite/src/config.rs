//! The `[store]` settings of the SQLite store, and where they say the
//! database is.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use sesame_domain::ports::StoreError;

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

    /// Where the database is and how to open it: the file or URL (its
    /// `mode` and `cache` parameters), created if missing.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when `url` is not a valid SQLite URL.
    pub(crate) fn location(&self) -> Result<Location, StoreError> {
        let url = self.url.trim();
        if url == ":memory:" {
            return Ok(Location::Memory(None));
        }
        let Some(rest) = url.strip_prefix("sqlite:") else {
            return Ok(Location::File {
                path: PathBuf::from(url),
                read_only: false,
            });
        };
        let rest = rest.strip_prefix("//").unwrap_or(rest);
        let (database, params) = rest.split_once('?').unwrap_or((rest, ""));
        if database == ":memory:" {
            return Ok(Location::Memory(None));
        }
        let (mut read_only, mut memory, mut shared) = (false, false, false);
        for param in params.split('&').filter(|p| !p.is_empty()) {
            match param.split_once('=').unwrap_or((param, "")) {
                ("mode", "ro") => read_only = true,
                // The file is created if missing either way, as before.
                ("mode", "rw" | "rwc") => {}
                ("mode", "memory") => memory = true,
                ("cache", "shared") => shared = true,
                ("cache", "private") => shared = false,
                (key, _) => return Err(invalid(&format!("unsupported parameter `{key}`"))),
            }
        }
        let database = percent_decode(database)?;
        Ok(if memory {
            // A named in-memory database, shared within the process only with
            // `cache=shared`, as SQLite's own URI filenames go.
            let cache = if shared { "shared" } else { "private" };
            Location::Memory(Some(format!("file:{database}?mode=memory&cache={cache}")))
        } else {
            Location::File {
                path: PathBuf::from(database),
                read_only,
            }
        })
    }
}

/// Where the database lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Location {
    /// A file, created if missing unless the URL asked for `mode=ro`.
    File {
        /// The database file.
        path: PathBuf,
        /// Opened read-only.
        read_only: bool,
    },
    /// An in-memory database: private, or under a `file:` URI name.
    Memory(Option<String>),
}

fn invalid(why: &str) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("invalid [store] url: {why}"))
}

/// `%XX` escapes of a URL's path, as sqlx decoded them.
fn percent_decode(text: &str) -> Result<String, StoreError> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| invalid("a malformed %-escape"))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| invalid("a path that is not UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_url_parses() {
        let config = SqliteConfig::default();
        assert_eq!(config.url, "sqlite://sesame.db");
        assert_eq!(
            config.location().unwrap(),
            Location::File {
                path: PathBuf::from("sesame.db"),
                read_only: false
            }
        );
        assert!(!config.is_in_memory());
    }

    #[test]
    fn a_plain_path_is_a_file() {
        let config = SqliteConfig::file("/tmp/x/sesame.db");
        assert_eq!(
            config.location().unwrap(),
            Location::File {
                path: PathBuf::from("/tmp/x/sesame.db"),
                read_only: false
            }
        );
        let url = SqliteConfig {
            url: "sqlite:///var/lib/my%20db.db?mode=rwc".to_owned(),
            ..SqliteConfig::default()
        };
        assert_eq!(
            url.location().unwrap(),
            Location::File {
                path: PathBuf::from("/var/lib/my db.db"),
                read_only: false
            }
        );
    }

    #[test]
    fn in_memory_urls_are_recognised() {
        assert!(SqliteConfig::in_memory().is_in_memory());
        assert_eq!(
            SqliteConfig::in_memory().location().unwrap(),
            Location::Memory(None)
        );
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
        assert!(matches!(config.location(), Err(StoreError::Unknown(_))));
    }
}
