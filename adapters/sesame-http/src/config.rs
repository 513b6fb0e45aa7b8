//! The edge's settings: body limit, timeout, CORS origins and where the
//! client IP comes from.

use std::num::NonZeroUsize;

use serde::Deserialize;

/// How the HTTP edge behaves. Every field has a default, so an empty table
/// deserializes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HttpConfig {
    /// Largest request body accepted, in bytes (default 64 KiB). Larger ones
    /// get 413.
    pub body_limit_bytes: usize,
    /// Longest a request may take, in seconds (default 10; 0 counts as 1).
    /// Slower ones get 503 `temporarily_unavailable`.
    pub request_timeout_secs: u64,
    /// Origins browsers may call from (CORS), e.g. the union of the clients'
    /// web origins. Exact matches; `*` allows any origin. Empty by default:
    /// no cross-origin calls.
    pub cors_allowed_origins: Vec<String>,
    /// Where the client IP for rate limits comes from (default: the peer).
    pub client_ip: ClientIpSource,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            body_limit_bytes: 64 * 1024,
            request_timeout_secs: 10,
            cors_allowed_origins: Vec::new(),
            client_ip: ClientIpSource::Peer,
        }
    }
}

/// Where the client's IP address is read from.
///
/// Deserializes from `{ source = "peer" }` or
/// `{ source = "x-forwarded-for", trusted_proxy_hops = 1 }`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(tag = "source", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ClientIpSource {
    /// The TCP peer, from axum's `ConnectInfo<SocketAddr>`.
    #[default]
    Peer,
    /// `X-Forwarded-For`, behind load balancers that append to it.
    XForwardedFor {
        /// How many trusted proxies append an address: the client is the
        /// address this many places from the right. With fewer addresses
        /// than this, the peer address is used.
        trusted_proxy_hops: NonZeroUsize,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_config_takes_every_default() {
        let c: HttpConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(c, HttpConfig::default());
        assert_eq!(c.body_limit_bytes, 65_536);
        assert_eq!(c.request_timeout_secs, 10);
        assert_eq!(c.client_ip, ClientIpSource::Peer);
    }

    #[test]
    fn the_forwarded_for_source_reads_its_hop_count() {
        let c: HttpConfig = serde_json::from_str(
            r#"{"client_ip": {"source": "x-forwarded-for", "trusted_proxy_hops": 2}}"#,
        )
        .unwrap();
        assert_eq!(
            c.client_ip,
            ClientIpSource::XForwardedFor {
                trusted_proxy_hops: NonZeroUsize::new(2).unwrap()
            }
        );
    }

    #[test]
    fn zero_proxy_hops_and_unknown_fields_are_refused() {
        assert!(
            serde_json::from_str::<HttpConfig>(
                r#"{"client_ip": {"source": "x-forwarded-for", "trusted_proxy_hops": 0}}"#
            )
            .is_err()
        );
        assert!(serde_json::from_str::<HttpConfig>(r#"{"body_limit": 1}"#).is_err());
    }
}
