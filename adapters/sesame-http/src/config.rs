//! The edge's settings: body limit, timeout, CORS origins, where the
//! client IP comes from and the per-IP flood guard.

use std::num::NonZeroUsize;

use serde::Deserialize;
use sesame_domain::Ipv6PrefixLen;

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
    /// The in-process flood guard's refill rate: requests per second per
    /// client IP to start, token and the magic link (default 20; 0 turns
    /// the guard off).
    pub requests_per_ip_per_second: u32,
    /// The flood guard's bucket: requests a client may make at once
    /// (default 50).
    pub requests_per_ip_burst: u32,
    /// How many leading bits of an IPv6 address make one client (default
    /// 64). Set from `[rate_limits] ipv6_prefix_len`, like the domain's.
    #[serde(skip)]
    pub ipv6_prefix_len: Ipv6PrefixLen,
}

impl HttpConfig {
    /// Default [`requests_per_ip_per_second`](Self::requests_per_ip_per_second).
    pub const DEFAULT_REQUESTS_PER_IP_PER_SECOND: u32 = 20;
    /// Default [`requests_per_ip_burst`](Self::requests_per_ip_burst).
    pub const DEFAULT_REQUESTS_PER_IP_BURST: u32 = 50;
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            body_limit_bytes: 64 * 1024,
            request_timeout_secs: 10,
            cors_allowed_origins: Vec::new(),
            client_ip: ClientIpSource::Peer,
            requests_per_ip_per_second: Self::DEFAULT_REQUESTS_PER_IP_PER_SECOND,
            requests_per_ip_burst: Self::DEFAULT_REQUESTS_PER_IP_BURST,
            ipv6_prefix_len: Ipv6PrefixLen::DEFAULT,
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
