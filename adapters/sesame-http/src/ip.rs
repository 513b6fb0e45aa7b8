//! The client's IP address (peer or `X-Forwarded-For`) and the end user's
//! address a backend relays in `auth0-forwarded-for`.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use http::HeaderMap;
use http::request::Parts;

use crate::config::ClientIpSource;

/// `auth0-forwarded-for`.
const AUTH0_FORWARDED_FOR: &str = "auth0-forwarded-for";
/// `x-forwarded-for`.
const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The peer address, when the server recorded one.
fn peer(parts: &Parts) -> Option<IpAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_canonical())
}

/// The caller's IP under `source`; `None` when it cannot be known.
pub(crate) fn client_ip(source: ClientIpSource, parts: &Parts) -> Option<IpAddr> {
    match source {
        ClientIpSource::Peer => peer(parts),
        ClientIpSource::XForwardedFor { trusted_proxy_hops } => {
            let entries: Vec<&str> = parts
                .headers
                .get_all(X_FORWARDED_FOR)
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .collect();
            entries
                .len()
                .checked_sub(trusted_proxy_hops.get())
                .and_then(|i| entries.get(i))
                .and_then(|s| parse_entry(s))
                .or_else(|| peer(parts))
        }
    }
}

/// `auth0-forwarded-for`, as sent; the domain decides whether to trust it.
pub(crate) fn forwarded_for(headers: &HeaderMap) -> Option<IpAddr> {
    let raw = headers.get(AUTH0_FORWARDED_FOR)?.to_str().ok()?;
    parse_entry(raw.split(',').next()?.trim())
}

/// An address as proxies write it: `1.2.3.4`, `1.2.3.4:80`, `::1` or
/// `[::1]:80`.
fn parse_entry(s: &str) -> Option<IpAddr> {
    s.parse::<IpAddr>()
        .ok()
        .or_else(|| s.parse::<SocketAddr>().ok().map(|a| a.ip()))
        .or_else(|| {
            s.strip_prefix('[')
                .and_then(|r| r.strip_suffix(']'))
                .and_then(|r| r.parse().ok())
        })
        .map(|ip| ip.to_canonical())
}

/// The `User-Agent` header, for log events; cut to 256 characters.
pub(crate) fn user_agent(headers: &HeaderMap) -> Option<String> {
    headers
        .get(http::header::USER_AGENT)
        .and_then(|v| v.to_str().ok())
        .map(|ua| ua.chars().take(256).collect())
}

#[cfg(test)]
mod tests {
    use std::num::NonZeroUsize;

    use http::Request;

    use super::*;

    fn parts(xff: &[&str], peer: Option<&str>) -> Parts {
        let mut b = Request::builder();
        for v in xff {
            b = b.header(X_FORWARDED_FOR, *v);
        }
        let mut req = b.body(()).unwrap();
        if let Some(p) = peer {
            req.extensions_mut()
                .insert(ConnectInfo(p.parse::<SocketAddr>().unwrap()));
        }
        req.into_parts().0
    }

    fn xff(hops: usize) -> ClientIpSource {
        ClientIpSource::XForwardedFor {
            trusted_proxy_hops: NonZeroUsize::new(hops).unwrap(),
        }
    }

    fn ip(s: &str) -> Option<IpAddr> {
        Some(s.parse().unwrap())
    }

    #[test]
    fn the_peer_is_used_by_default_and_unknown_without_connect_info() {
        let p = parts(&["9.9.9.9"], Some("10.0.0.1:5000"));
        assert_eq!(client_ip(ClientIpSource::Peer, &p), ip("10.0.0.1"));
        assert_eq!(client_ip(ClientIpSource::Peer, &parts(&[], None)), None);
    }

    #[test]
    fn a_mapped_ipv4_peer_is_reported_as_ipv4() {
        let p = parts(&[], Some("[::ffff:10.0.0.7]:80"));
        assert_eq!(client_ip(ClientIpSource::Peer, &p), ip("10.0.0.7"));
    }

    #[test]
    fn forwarded_for_takes_the_nth_address_from_the_right_across_headers() {
        let p = parts(
            &["6.6.6.6, 1.1.1.1", "2.2.2.2:443, [2001:db8::1]:8080"],
            Some("10.0.0.1:1"),
        );
        assert_eq!(client_ip(xff(1), &p), ip("2001:db8::1"));
        assert_eq!(client_ip(xff(2), &p), ip("2.2.2.2"));
        assert_eq!(client_ip(xff(3), &p), ip("1.1.1.1"));
    }

    #[test]
    fn a_chain_shorter_than_the_hops_or_garbage_falls_back_to_the_peer() {
        let p = parts(&["1.1.1.1"], Some("10.0.0.1:1"));
        assert_eq!(client_ip(xff(2), &p), ip("10.0.0.1"));
        let p = parts(&["not-an-ip"], Some("10.0.0.1:1"));
        assert_eq!(client_ip(xff(1), &p), ip("10.0.0.1"));
    }

    #[test]
    fn auth0_forwarded_for_is_read_and_garbage_ignored() {
        let mut h = HeaderMap::new();
        h.insert(AUTH0_FORWARDED_FOR, "203.0.113.9".parse().unwrap());
        assert_eq!(forwarded_for(&h), ip("203.0.113.9"));
        h.insert(AUTH0_FORWARDED_FOR, "nope".parse().unwrap());
        assert_eq!(forwarded_for(&h), None);
    }
}
