//! How to reach Redis: the `[cache]` section of the server's configuration.

use std::fmt;
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// The URL used when none is configured: a Redis on this machine.
pub const DEFAULT_URL: &str = "redis://127.0.0.1:6379";

/// The prefix of every key this adapter writes, when none is configured.
pub const DEFAULT_KEY_PREFIX: &str = "sesame:";

/// Connection settings for [`crate::RedisStore`].
///
/// Every field has a default, so an empty `[cache]` section talks to a local
/// Redis; an unknown key is refused, naming it. `Debug` never shows a URL:
/// it may carry a password.
#[derive(Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RedisConfig {
    /// One Redis (a primary, possibly behind a failover proxy):
    /// `redis://[user:password@]host[:port][/db]`, or `rediss://` for TLS
    /// when the crate's `tls` feature is on. [`DEFAULT_URL`] when neither
    /// this nor `cluster` is given.
    pub url: Option<SecretString>,
    /// Seed nodes of a Redis Cluster, instead of `url`: the same URL forms
    /// (all with one scheme, one password, database 0). The client learns
    /// the other nodes and the slot map from them.
    pub cluster: Vec<SecretString>,
    /// Prepended to every key, so several deployments (or tests) can share
    /// one Redis without seeing each other's data. Best without `{` or `}`:
    /// a hash tag in the prefix would put every key in one cluster slot.
    pub key_prefix: String,
    /// How long one attempt to open a connection may take, in milliseconds.
    pub connect_timeout_ms: u64,
    /// How long Redis may take to answer one command, in milliseconds.
    pub response_timeout_ms: u64,
    /// Start even when Redis may evict keys (`maxmemory-policy`
    /// `allkeys-*` or `volatile-*`), with a warning. Off by default:
    /// eviction silently resets rate-limit counters.
    pub allow_eviction: bool,
}

/// Where the store connects: what [`RedisConfig::target`] resolves to.
#[derive(Clone, Copy)]
pub(crate) enum Target<'a> {
    /// One Redis at this URL.
    Single(&'a str),
    /// A Redis Cluster, from these seed URLs.
    Cluster(&'a [SecretString]),
}

impl RedisConfig {
    /// The settings for one Redis at `url`, with every other field at its
    /// default.
    #[must_use]
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: Some(SecretString::from(url.into())),
            ..Self::default()
        }
    }

    /// The settings for a Redis Cluster reached through `seeds`, with every
    /// other field at its default.
    #[must_use]
    pub fn cluster<S: Into<String>>(seeds: impl IntoIterator<Item = S>) -> Self {
        Self {
            cluster: seeds
                .into_iter()
                .map(|s| SecretString::from(s.into()))
                .collect(),
            ..Self::default()
        }
    }

    /// These settings with a different key prefix.
    #[must_use]
    pub fn with_key_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.key_prefix = prefix.into();
        self
    }

    /// These settings with other timeouts, in milliseconds.
    #[must_use]
    pub const fn with_timeouts(mut self, connect_ms: u64, response_ms: u64) -> Self {
        self.connect_timeout_ms = connect_ms;
        self.response_timeout_ms = response_ms;
        self
    }

    /// Whether this names a Redis Cluster rather than one Redis.
    #[must_use]
    pub const fn is_cluster(&self) -> bool {
        !self.cluster.is_empty()
    }

    /// Where to connect: `url`, the `cluster` seeds, or [`DEFAULT_URL`].
    ///
    /// # Errors
    /// A message naming both `url` and `cluster` when both are given.
    pub(crate) fn target(&self) -> Result<Target<'_>, &'static str> {
        match (&self.url, self.cluster.as_slice()) {
            (Some(_), [_, ..]) => Err("give either `url` or `cluster`, not both"),
            (Some(url), []) => Ok(Target::Single(url.expose_secret())),
            (None, []) => Ok(Target::Single(DEFAULT_URL)),
            (None, seeds) => Ok(Target::Cluster(seeds)),
        }
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
            url: None,
            cluster: Vec::new(),
            key_prefix: DEFAULT_KEY_PREFIX.to_owned(),
            connect_timeout_ms: 1_000,
            response_timeout_ms: 500,
            allow_eviction: false,
        }
    }
}

impl fmt::Debug for RedisConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisConfig")
            .field("url", &self.url.as_ref().map(|_| "<redacted>"))
            .field("cluster", &format_args!("<{} seeds>", self.cluster.len()))
            .field("key_prefix", &self.key_prefix)
            .field("connect_timeout_ms", &self.connect_timeout_ms)
            .field("response_timeout_ms", &self.response_timeout_ms)
            .field("allow_eviction", &self.allow_eviction)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_section_talks_to_a_local_redis() {
        let c: RedisConfig = serde_json::from_str("{}").unwrap();
        assert!(matches!(c.target(), Ok(Target::Single(DEFAULT_URL))));
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
        assert!(matches!(
            c.target(),
            Ok(Target::Single("redis://:pw@cache:6380/2"))
        ));
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
        let shown = format!("{:?}", RedisConfig::cluster(["redis://:hunter2@c1:7000"]));
        assert!(
            !shown.contains("hunter2") && !shown.contains("c1"),
            "{shown}"
        );
    }

    #[test]
    fn cluster_seeds_replace_the_url() {
        let c: RedisConfig =
            serde_json::from_str(r#"{"cluster":["redis://a:7000","rediss://b:7001"]}"#).unwrap();
        assert!(c.is_cluster());
        let Ok(Target::Cluster(seeds)) = c.target() else {
            panic!("not a cluster target");
        };
        assert_eq!(seeds.len(), 2);
        assert_eq!(seeds[1].expose_secret(), "rediss://b:7001");
    }

    #[test]
    fn url_and_cluster_together_are_refused_naming_both() {
        let c: RedisConfig =
            serde_json::from_str(r#"{"url":"redis://a:6379","cluster":["redis://a:7000"]}"#)
                .unwrap();
        let err = c.target().err().unwrap_or_default();
        assert!(err.contains("`url`") && err.contains("`cluster`"), "{err}");
    }
}
