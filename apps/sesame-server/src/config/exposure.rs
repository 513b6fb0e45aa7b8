//! Safe defaults: development settings stay on the development machine.
//!
//! Console delivery prints every code and link to the server's output, and
//! the built-in `dev` client is public and registered by default. Both are
//! fine on `127.0.0.1`, and a way to hand anyone's account to whoever reads
//! the log (or knows the client id) once the server is reachable from
//! elsewhere. So a server that listens on a non-loopback address refuses to
//! start with them, unless `sesame --dev` accepts the risk out loud.
//!
//! Callbacks receive codes and tokens, so they must travel over TLS:
//! `https://`, except on the user's own machine (loopback hosts) and for
//! native apps' own schemes (RFC 8252 §7.1).

use std::net::{IpAddr, SocketAddr};

use super::{ConfigError, EmailProvider, Resolved, SmsProvider};

/// One development setting that must not face a network: the key that
/// chose it, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DevelopmentSetting {
    /// The configuration key: `email.provider`, `sms.provider` or `clients`.
    pub key: &'static str,
    /// What it does, for the operator.
    pub why: &'static str,
}

/// The development settings `resolved` uses, in key order.
#[must_use]
pub fn development_settings(resolved: &Resolved) -> Vec<DevelopmentSetting> {
    let mut found = Vec::new();
    if resolved.settings.email.provider == EmailProvider::Console {
        found.push(DevelopmentSetting {
            key: "email.provider",
            why: "\"console\" prints every code and magic link to the server's output",
        });
    }
    if resolved.settings.sms.provider == SmsProvider::Console {
        found.push(DevelopmentSetting {
            key: "sms.provider",
            why: "\"console\" prints every code to the server's output",
        });
    }
    if resolved.dev_client {
        found.push(DevelopmentSetting {
            key: "clients",
            why: "none is configured, so the public development client \"dev\" is registered",
        });
    }
    found
}

/// Refuses the development settings `found` ([`development_settings`]) on
/// an address other machines can reach.
///
/// # Errors
/// [`ConfigError::Value`] naming the first such key and listing every one,
/// when `listening` is not a loopback address.
pub fn refuse_development_settings(
    found: &[DevelopmentSetting],
    listening: SocketAddr,
) -> Result<(), ConfigError> {
    if is_loopback(listening.ip()) {
        return Ok(());
    }
    let Some(first) = found.first() else {
        return Ok(());
    };
    let all = found
        .iter()
        .map(|s| format!("{}: {}", s.key, s.why))
        .collect::<Vec<_>>()
        .join("; ");
    Err(ConfigError::value(
        first.key,
        format!(
            "development settings on {listening}, which is not a loopback address ({all}). \
             Configure a real provider and your own clients, listen on 127.0.0.1, \
             or start with `sesame --dev` to accept the risk"
        ),
    ))
}

/// Loopback, including an IPv4-mapped IPv6 loopback (`::ffff:127.0.0.1`).
#[must_use]
pub fn is_loopback(ip: IpAddr) -> bool {
    ip.to_canonical().is_loopback()
}

/// Whether `callback` may receive codes and tokens: `https://`, `http://`
/// on a loopback host (`localhost`, `127.0.0.1`, `[::1]`), or a native
/// app's own scheme (`com.example.app:/callback`).
///
/// # Errors
/// Why not, in the operator's words.
pub fn check_callback(callback: &str) -> Result<(), String> {
    let url = url::Url::parse(callback).map_err(|e| format!("{callback:?}: {e}"))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if loopback_host(&url) => Ok(()),
        "http" => Err(format!(
            "{callback:?} must be https:// (http:// only on localhost, 127.0.0.1 or [::1])"
        )),
        // Schemes a browser runs, reads or sends in the clear rather than
        // handing to an app.
        "javascript" | "data" | "file" | "blob" | "about" | "vbscript" | "ws" | "wss" | "ftp" => {
            Err(format!(
                "{callback:?} is not a callback: use https://, or a native app's own scheme such as com.example.app:/callback"
            ))
        }
        _ => Ok(()),
    }
}

fn loopback_host(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => is_loopback(IpAddr::V6(ip)),
        None => false,
    }
}

#[cfg(test)]
#[path = "exposure_tests.rs"]
mod tests;
