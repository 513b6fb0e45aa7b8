//! The `[email.webhook]` and `[sms.webhook]` sections of the server's
//! configuration.

use std::fmt;
use std::time::Duration;

use reqwest::Url;
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// How long a delivery may take when `timeout_secs` is not configured.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// The longest a TCP/TLS connect may take, whatever the total budget.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Settings for [`crate::WebhookSender`]. `Debug` hides the secret and
/// shows only the URL's origin (a path or query may hold a token).
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where events are POSTed: an absolute `https://` (or `http://`) URL.
    pub url: String,
    /// The HMAC-SHA256 key of the `sesame-signature` header. Share it with
    /// the receiver only; at least 16 bytes.
    pub secret: SecretString,
    /// The most one delivery may take, connecting included, in seconds.
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
}

const fn default_timeout_secs() -> u64 {
    DEFAULT_TIMEOUT_SECS
}

/// The shortest secret accepted, in bytes.
pub const MIN_SECRET_BYTES: usize = 16;

impl WebhookConfig {
    /// Settings for `url` and `secret` with the default timeout.
    #[must_use]
    pub fn new(url: impl Into<String>, secret: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            secret: SecretString::from(secret.into()),
            timeout_secs: DEFAULT_TIMEOUT_SECS,
        }
    }

    /// The whole budget of one delivery.
    #[must_use]
    pub const fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// How long opening a connection may take.
    #[must_use]
    pub fn connect_timeout(&self) -> Duration {
        self.timeout().min(MAX_CONNECT_TIMEOUT)
    }

    /// The parsed URL, once the settings are known to be usable.
    ///
    /// # Errors
    /// [`WebhookConfigError`] naming the first problem.
    pub fn validate(&self) -> Result<Url, WebhookConfigError> {
        if self.timeout_secs == 0 {
            return Err(WebhookConfigError::ZeroTimeout);
        }
        if self.secret.expose_secret().len() < MIN_SECRET_BYTES {
            return Err(WebhookConfigError::ShortSecret);
        }
        let url = Url::parse(&self.url).map_err(|_| WebhookConfigError::BadUrl)?;
        if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
            return Err(WebhookConfigError::BadUrl);
        }
        Ok(url)
    }
}

impl fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let origin = Url::parse(&self.url).map_or_else(
            |_| "<invalid>".to_owned(),
            |u| u.origin().ascii_serialization(),
        );
        f.debug_struct("WebhookConfig")
            .field("url", &origin)
            .field("timeout_secs", &self.timeout_secs)
            .finish_non_exhaustive()
    }
}

/// The webhook sender could not be built.
#[derive(Debug, thiserror::Error)]
pub enum WebhookConfigError {
    /// `url` is not an absolute http(s) URL.
    #[error("webhook url must be an absolute http:// or https:// URL")]
    BadUrl,
    /// `secret` is too short to be a key.
    #[error("webhook secret must be at least {MIN_SECRET_BYTES} bytes")]
    ShortSecret,
    /// `timeout_secs` was 0.
    #[error("webhook timeout_secs must be at least 1")]
    ZeroTimeout,
    /// The HTTP client could not be built (no TLS backend, say).
    #[error("cannot build the webhook HTTP client")]
    Client(#[source] reqwest::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "0123456789abcdef";

    #[test]
    fn the_server_keys_deserialize_with_a_default_timeout() {
        let c: WebhookConfig = serde_json::from_str(&format!(
            r#"{{"url": "https://hooks.example.com/sesame?token=t0k3n", "secret": "{SECRET}"}}"#
        ))
        .unwrap();
        assert_eq!(c.timeout_secs, DEFAULT_TIMEOUT_SECS);
        assert_eq!(c.secret.expose_secret(), SECRET);
        assert!(c.validate().is_ok());
        assert!(
            serde_json::from_str::<WebhookConfig>(
                r#"{"url": "https://x.example", "secret": "0123456789abcdef", "timeout": 1}"#
            )
            .is_err()
        );
    }

    #[test]
    fn debug_shows_neither_the_secret_nor_the_path() {
        let c = WebhookConfig::new("https://hooks.example.com/sesame?token=t0k3n", SECRET);
        let shown = format!("{c:?}");
        assert!(shown.contains("https://hooks.example.com"), "{shown}");
        assert!(
            !shown.contains(SECRET) && !shown.contains("t0k3n"),
            "{shown}"
        );
    }

    #[test]
    fn unusable_settings_are_refused() {
        let bad = |c: WebhookConfig| c.validate().unwrap_err().to_string();
        assert!(bad(WebhookConfig::new("ftp://x.example", SECRET)).contains("url"));
        assert!(bad(WebhookConfig::new("/relative", SECRET)).contains("url"));
        assert!(bad(WebhookConfig::new("https://x.example", "short")).contains("secret"));
        let zero = WebhookConfig {
            timeout_secs: 0,
            ..WebhookConfig::new("https://x.example", SECRET)
        };
        assert!(bad(zero).contains("timeout"));
    }
}
