//! The `[email.smtp]` settings.

use std::net::IpAddr;
use std::time::Duration;

use secrecy::SecretString;
use serde::Deserialize;

/// How the connection to the server is protected.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TlsMode {
    /// Plain SMTP (port 25). Only for a relay on a trusted network.
    None,
    /// Plain connect, then `STARTTLS`, which is required (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte, "SMTPS" (port 465).
    Tls,
}

/// `[email.smtp]`: where and how to hand mail over.
///
/// ```toml
/// [email.smtp]
/// host = "smtp.example.com"
/// port = 587               # default: 25, 587 or 465 by `tls`
/// tls = "starttls"         # "none" | "starttls" | "tls"
/// username = "sesame"      # AUTH only when set
/// password = "…"
/// timeout_secs = 10
/// ```
#[derive(Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SmtpConfig {
    /// The server's host name (also the name its certificate must carry).
    pub host: String,
    /// The server's port; by default 25, 587 or 465 for `tls` = `none`,
    /// `starttls` or `tls`.
    #[serde(default)]
    pub port: Option<u16>,
    /// `none`, `starttls` (the default) or `tls`.
    #[serde(default)]
    pub tls: TlsMode,
    /// AUTH user name; without it no AUTH is attempted.
    #[serde(default)]
    pub username: Option<String>,
    /// AUTH password; required with `username`.
    #[serde(default)]
    pub password: Option<SecretString>,
    /// Bound on one send, from connecting to the server's final reply
    /// (default 10 s).
    #[serde(default = "default_timeout_secs")]
    pub timeout_secs: u64,
    /// Extra trusted root certificates (PEM text, one or more), added to
    /// the webpki roots: for a server with a private CA or a self-signed
    /// certificate.
    #[serde(default)]
    pub root_certificate_pem: Option<String>,
}

const fn default_timeout_secs() -> u64 {
    10
}

impl SmtpConfig {
    /// Settings for `host` with everything else at its default.
    #[must_use]
    pub fn new(host: impl Into<String>) -> Self {
        Self {
            host: host.into(),
            port: None,
            tls: TlsMode::default(),
            username: None,
            password: None,
            timeout_secs: default_timeout_secs(),
            root_certificate_pem: None,
        }
    }

    /// The configured port, or the usual one for the TLS mode.
    #[must_use]
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(match self.tls {
            TlsMode::None => 25,
            TlsMode::Starttls => 587,
            TlsMode::Tls => 465,
        })
    }

    /// `timeout_secs` as a duration.
    #[must_use]
    pub const fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// Whether `host` is this machine, where a password may travel
    /// unencrypted.
    pub(crate) fn is_loopback(&self) -> bool {
        let host = self.host.trim_start_matches('[').trim_end_matches(']');
        host.eq_ignore_ascii_case("localhost")
            || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.effective_port())
            .field("tls", &self.tls)
            .field("auth", &self.username.is_some())
            .field("timeout_secs", &self.timeout_secs)
            .field("extra_roots", &self.root_certificate_pem.is_some())
            .finish()
    }
}
