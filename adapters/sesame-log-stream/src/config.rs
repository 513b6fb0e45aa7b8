//! [`LogStreamConfig`]: where log events are streamed and how, as the
//! server's TOML configuration spells it, and [`LogStreamError`] for
//! settings that cannot work.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use reqwest::header::HeaderValue;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Deserializer};

/// Events per POST when `batch_size` is not configured.
pub const DEFAULT_BATCH_SIZE: usize = 100;

/// Events queued in memory when `buffer` is not configured.
pub const DEFAULT_BUFFER: usize = 10_000;

/// Tries per POST when `max_attempts` is not configured.
pub const DEFAULT_MAX_ATTEMPTS: u32 = 5;

/// The wait before the first retry when `first_backoff_ms` is not
/// configured; each later wait doubles.
pub const DEFAULT_FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// How an HTTP log stream lays out each POST's body, as Auth0 names the
/// formats. Every entry is `{"log_id": "…", "data": {…}}`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamFormat {
    /// `jsonlines`: one entry per line, each line ending in `\n`.
    #[default]
    JsonLines,
    /// `jsonarray`: a JSON array of the batch's entries.
    JsonArray,
    /// `jsonobject`: one POST per entry, the body being the entry.
    JsonObject,
}

/// Settings for [`crate::LogStream`]: one HTTP endpoint receiving Sesame's
/// log events as Auth0's HTTP log streams send them.
///
/// Deserializes from the keys `url`, `authorization`, `format`
/// (`"jsonlines"`, `"jsonarray"` or `"jsonobject"`), `batch_size`,
/// `buffer`, `max_attempts` and `first_backoff_ms`; all but `url` are
/// optional. `Debug` hides `authorization` and shows only the URL's origin
/// (a path or query may hold a token).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogStreamConfig {
    /// Where batches are POSTed: an absolute `https://` (or `http://`) URL.
    pub url: String,
    /// The `Authorization` header's value, sent as is (e.g. `Bearer …`).
    #[serde(default)]
    pub authorization: Option<SecretString>,
    /// How each POST's body is laid out.
    #[serde(default)]
    pub format: StreamFormat,
    /// The most events one POST carries (`jsonlines`, `jsonarray`), or
    /// taken from the queue at a time (`jsonobject`). At least 1.
    #[serde(default = "default_batch_size")]
    pub batch_size: usize,
    /// The most events waiting to be sent; beyond it new events are
    /// dropped and counted. At least 1.
    #[serde(default = "default_buffer")]
    pub buffer: usize,
    /// Tries per POST (the first included) before its events are dropped
    /// and counted. At least 1.
    #[serde(default = "default_max_attempts")]
    pub max_attempts: u32,
    /// The wait before the first retry; each later wait doubles, up to a
    /// minute. Configured as `first_backoff_ms`.
    #[serde(
        default = "default_first_backoff",
        rename = "first_backoff_ms",
        deserialize_with = "millis"
    )]
    pub first_backoff: Duration,
}

const fn default_batch_size() -> usize {
    DEFAULT_BATCH_SIZE
}

const fn default_buffer() -> usize {
    DEFAULT_BUFFER
}

const fn default_max_attempts() -> u32 {
    DEFAULT_MAX_ATTEMPTS
}

const fn default_first_backoff() -> Duration {
    DEFAULT_FIRST_BACKOFF
}

fn millis<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    u64::deserialize(d).map(Duration::from_millis)
}

impl LogStreamConfig {
    /// Settings for `url` in `format`, without `Authorization`, with every
    /// other setting at its default.
    #[must_use]
    pub fn new(url: impl Into<String>, format: StreamFormat) -> Self {
        Self {
            url: url.into(),
            authorization: None,
            format,
            batch_size: DEFAULT_BATCH_SIZE,
            buffer: DEFAULT_BUFFER,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
            first_backoff: DEFAULT_FIRST_BACKOFF,
        }
    }

    /// The parsed URL and `Authorization` value, once every setting is
    /// known to be usable.
    ///
    /// # Errors
    /// [`LogStreamError`] naming the first problem.
    pub fn validate(&self) -> Result<(Url, Option<HeaderValue>), LogStreamError> {
        if self.batch_size == 0 {
            return Err(LogStreamError::ZeroBatchSize);
        }
        if self.buffer == 0 {
            return Err(LogStreamError::ZeroBuffer);
        }
        if self.max_attempts == 0 {
            return Err(LogStreamError::ZeroAttempts);
        }
        let url = Url::parse(&self.url).map_err(|_| LogStreamError::BadUrl)?;
        if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
            return Err(LogStreamError::BadUrl);
        }
        let authorization = self
            .authorization
            .as_ref()
            .map(|secret| {
                let mut value = HeaderValue::from_str(secret.expose_secret())
                    .map_err(|_| LogStreamError::BadAuthorization)?;
                value.set_sensitive(true);
                Ok(value)
            })
            .transpose()?;
        Ok((url, authorization))
    }
}

impl fmt::Debug for LogStreamConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = Url::parse(&self.url).map_or_else(
            |_| "<invalid>".to_owned(),
            |u| u.origin().ascii_serialization(),
        );
        let authorization = self.authorization.as_ref().map(|_| "<redacted>");
        f.debug_struct("LogStreamConfig")
            .field("url", &origin)
            .field("authorization", &authorization)
            .field("format", &self.format)
            .field("batch_size", &self.batch_size)
            .field("buffer", &self.buffer)
            .field("max_attempts", &self.max_attempts)
            .field("first_backoff", &self.first_backoff)
            .finish()
    }
}

/// A log stream could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LogStreamError {
    /// [`crate::LogStream::spawn`] was called outside a tokio runtime.
    #[error("the log stream must be started inside a tokio runtime")]
    NoRuntime,
    /// `url` is not an absolute http(s) URL.
    #[error("log stream url must be an absolute http:// or https:// URL")]
    BadUrl,
    /// `authorization` cannot be sent as an HTTP header value.
    #[error("log stream authorization is not a valid HTTP header value")]
    BadAuthorization,
    /// `batch_size` was 0.
    #[error("log stream batch_size must be at least 1")]
    ZeroBatchSize,
    /// `buffer` was 0.
    #[error("log stream buffer must be at least 1")]
    ZeroBuffer,
    /// `max_attempts` was 0.
    #[error("log stream max_attempts must be at least 1")]
    ZeroAttempts,
    /// The HTTP client could not be built (no TLS backend, say).
    #[error("cannot build the log stream HTTP client")]
    Client(#[source] reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_url_is_required_and_the_rest_has_defaults() {
        let c: LogStreamConfig =
            serde_json::from_str(r#"{"url": "https://logs.example.com/in"}"#).unwrap();
        assert_eq!(c.format, StreamFormat::JsonLines);
        assert!(c.authorization.is_none());
        assert_eq!(
            (c.batch_size, c.buffer, c.max_attempts, c.first_backoff),
            (100, 10_000, 5, Duration::from_millis(200))
        );
        assert!(c.validate().is_ok());
    }

    #[test]
    fn every_key_deserializes_from_the_server_toml() {
        let c: LogStreamConfig = toml::from_str(
            r#"
            url = "https://logs.example.com/in"
            authorization = "Bearer abc"
            format = "jsonobject"
            batch_size = 7
            buffer = 9
            max_attempts = 2
            first_backoff_ms = 50
            "#,
        )
        .unwrap();
        assert_eq!(c.format, StreamFormat::JsonObject);
        assert_eq!(c.authorization.unwrap().expose_secret(), "Bearer abc");
        assert_eq!(
            (c.batch_size, c.buffer, c.max_attempts, c.first_backoff),
            (7, 9, 2, Duration::from_millis(50))
        );
    }

    #[test]
    fn the_three_auth0_format_names_are_accepted_and_others_refused() {
        for (name, format) in [
            ("jsonlines", StreamFormat::JsonLines),
            ("jsonarray", StreamFormat::JsonArray),
            ("jsonobject", StreamFormat::JsonObject),
        ] {
            let c: LogStreamConfig =
                toml::from_str(&format!("url = \"https://l.example\"\nformat = \"{name}\""))
                    .unwrap();
            assert_eq!(c.format, format);
        }
        assert!(
            toml::from_str::<LogStreamConfig>("url = \"https://l.example\"\nformat = \"csv\"")
                .is_err()
        );
        assert!(
            toml::from_str::<LogStreamConfig>("url = \"https://l.example\"\nbatch = 1").is_err()
        );
    }

    #[test]
    fn zero_sizes_a_bad_url_and_a_bad_header_are_refused() {
        let ok = LogStreamConfig::new("https://logs.example.com/in", StreamFormat::JsonArray);
        let cases = [
            LogStreamConfig {
                batch_size: 0,
                ..ok.clone()
            },
            LogStreamConfig {
                buffer: 0,
                ..ok.clone()
            },
            LogStreamConfig {
                max_attempts: 0,
                ..ok.clone()
            },
            LogStreamConfig {
                url: "ftp://logs.example.com".into(),
                ..ok.clone()
            },
            LogStreamConfig {
                url: "/relative".into(),
                ..ok.clone()
            },
            LogStreamConfig {
                authorization: Some(SecretString::from("Bearer a\nb")),
                ..ok.clone()
            },
        ];
        for case in cases {
            assert!(case.validate().is_err(), "{case:?}");
        }
    }

    #[test]
    fn debug_hides_the_authorization_and_the_url_path() {
        let c = LogStreamConfig {
            authorization: Some(SecretString::from("Bearer t0p-s3cret")),
            ..LogStreamConfig::new(
                "https://logs.example.com/in?token=q9e7",
                StreamFormat::JsonLines,
            )
        };
        let shown = format!("{c:?}");
        assert!(
            !shown.contains("t0p-s3cret") && !shown.contains("q9e7"),
            "{shown}"
        );
        assert!(shown.contains("https://logs.example.com") && shown.contains("<redacted>"));
    }
}
