//! How to reach Redis: the `[cache]` section of the server's configuration.

use std::fmt;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

/// The URL used when none is configured: a Redis on this machine.
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

/// The prefix of every key this adapter writes, when none is configured.
pub const DEFAULT_KEY_PREFIX: &str = "sesame:";

/// Connection settings for [`crate::RedisStore`].
///
/// Every field has a default, so an empty `[cache]` section talks to a local
/// Redis; an unknown key is refused, naming it. `Debug` never shows the
/// URL: it may carry a password.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    /// `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS
    /// when the crate's `tls` feature is on.
    pub url: SecretString,
    /// Prepended to every key, so several deployments (or tests) can share
    /// one Redis without seeing each other's data.
    pub key_prefix: String,
    /// How long one attempt to open a connection may take, in milliseconds.
    pub connect_timeout_ms: u64,
    /// How long Redis may take to answer one command, in milliseconds.
    pub response_timeout_ms: u64,
}

impl RedisConfig {
    /// The settings for `url`, with every other field at its default.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: SecretString::from(url.into()),
            ..Self::default()
        }
    }

    /// These settings with a different key prefix.
    #[must_use]
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// The connection timeout as a [`Duration`].
    #[must_use]
    pub const fn connect_timeout(&self) -> Duration {
        Duration::from_millis(self.connect_timeout_ms)
    }

    /// The response timeout as a [`Duration`].
    #[must_use]
    pub const fn response_timeout(&self) -> Duration {
        Duration::from_millis(self.response_timeout_ms)
    }

    /// The most any one store call may take, connecting included: one
    /// connection attempt plus one answer. Past it the call fails with
    /// `Unavailable`, whatever the client library is still retrying.
    #[must_use]
    pub fn call_deadline(&self) -> Duration {
        self.connect_timeout()
            .saturating_add(self.response_timeout())
    }
}

impl Default for RedisConfig {
    fn default() -> Self {
        Self {
            url: SecretString::from(DEFAULT_URL),
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            connect_timeout_ms: 1_000,
            response_timeout_ms: 500,
        }
    }
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConfig")
            .field("url", &"<redacted>")
            .field("key_prefix", &self.key_prefix)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("response_timeout_ms", &self.response_timeout_ms)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::*;

    #[test]
    fn an_empty_section_talks_to_a_local_redis() {
        let c: RedisConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c.url.expose_secret(), DEFAULT_URL);
        assert_eq!(c.key_prefix, "sesame:");
        assert_eq!(c.connect_timeout_ms, 1_000);
        assert_eq!(c.response_timeout_ms, 500);
    }

    #[test]
    fn every_field_can_be_set() {
        let c: RedisConfig = serde_json::from_str(
            r#"{"url":"redis://:pw@cache:6380/2","key_prefix":"x:",
                "connect_timeout_ms":5,"response_timeout_ms":7}"#,
        )
        .unwrap();
        assert_eq!(c.url.expose_secret(), "redis://:pw@cache:6380/2");
        assert_eq!(c.key_prefix, "x:");
        assert_eq!(c.call_deadline(), Duration::from_millis(12));
    }

    #[test]
    fn an_unknown_key_is_refused_by_name() {
        let err = serde_json::from_str::<RedisConfig>(r#"{"key_prefx": "x:"}"#)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.contains("key_prefx"), "{err}");
    }

    #[test]
    fn debug_does_not_show_the_url_or_its_password() {
        let shown = format!("{:?}", RedisConfig::new("redis://:hunter2@cache:6379"));
        assert!(!shown.contains("hunter2"));
        assert!(!shown.contains("cache"));
        assert!(shown.contains("<redacted>"));
    }
}
