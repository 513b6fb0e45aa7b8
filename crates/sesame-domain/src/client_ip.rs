//! The client IP as every per-IP limit counts it.
//!
//! An IPv6 client usually holds a whole /64 (a home or a cloud VM gets one),
//! so counting the full address would give an attacker 2^64 "IPs". Every
//! per-IP limit therefore counts an IPv6 client by its prefix
//! (`[rate_limits] ipv6_prefix_len`, default 64), and an IPv4-mapped IPv6
//! address (`::ffff:1.2.3.4`, what a dual-stack socket reports for an IPv4
//! peer) as the IPv4 address it is.

use std::net::{IpAddr, Ipv6Addr};

/// How many leading bits of an IPv6 address identify one client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv6PrefixLen(u8);

/// A prefix length outside 1–128.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("an IPv6 prefix length is 1 to 128 bits, not {0}")]
pub struct InvalidPrefixLen(pub u8);

impl Ipv6PrefixLen {
    /// /64: what one subscriber or one VM is usually given.
    pub const DEFAULT: Self = Self(64);

    /// A prefix of `bits` bits.
    ///
    /// # Errors
    /// [`InvalidPrefixLen`] unless `1 <= bits <= 128`.
    pub const fn new(bits: u8) -> Result<Self, InvalidPrefixLen> {
        if bits == 0 || bits > 128 {
            Err(InvalidPrefixLen(bits))
        } else {
            Ok(Self(bits))
        }
    }

    /// The number of bits.
    #[must_use]
    pub const fn bits(self) -> u8 {
        self.0
    }
}

impl Default for Ipv6PrefixLen {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// The address a per-IP limit counts `ip` under: an IPv4 address (mapped or
/// not) as itself, an IPv6 address with every bit past `prefix` cleared.
#[must_use]
pub fn rate_limit_ip(ip: IpAddr, prefix: Ipv6PrefixLen) -> IpAddr {
    match ip.to_canonical() {
        v4 @ IpAddr::V4(_) => v4,
        IpAddr::V6(v6) => {
            let mask = u128::MAX << (128 - u32::from(prefix.bits()));
            IpAddr::V6(Ipv6Addr::from(u128::from(v6) & mask))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(ip: &str, bits: u8) -> String {
        rate_limit_ip(ip.parse().unwrap(), Ipv6PrefixLen::new(bits).unwrap()).to_string()
    }

    #[test]
    fn two_addresses_in_one_slash_64_count_as_one_client() {
        assert_eq!(key("2001:db8:1:2:aaaa::1", 64), "2001:db8:1:2::");
        assert_eq!(
            key("2001:db8:1:2:ffff:ffff:ffff:ffff", 64),
            key("2001:db8:1:2::7", 64)
        );
    }

    #[test]
    fn addresses_in_neighbouring_slash_64s_are_different_clients() {
        assert_ne!(key("2001:db8:1:2::1", 64), key("2001:db8:1:3::1", 64));
    }

    #[test]
    fn the_prefix_length_is_configurable() {
        assert_eq!(key("2001:db8:1:2::1", 48), key("2001:db8:1:ffff::1", 48));
        assert_eq!(key("2001:db8:1:2::1", 128), "2001:db8:1:2::1");
        assert_eq!(key("2001:db8::1", 1), "::");
    }

    #[test]
    fn an_ipv4_mapped_address_counts_as_the_ipv4_address() {
        assert_eq!(key("::ffff:203.0.113.9", 64), "203.0.113.9");
        assert_eq!(key("203.0.113.9", 64), "203.0.113.9");
        assert_ne!(key("203.0.113.9", 64), key("203.0.113.10", 64));
    }

    #[test]
    fn a_prefix_length_is_one_to_128_bits() {
        assert_eq!(Ipv6PrefixLen::new(0), Err(InvalidPrefixLen(0)));
        assert_eq!(Ipv6PrefixLen::new(129), Err(InvalidPrefixLen(129)));
        assert_eq!(Ipv6PrefixLen::default().bits(), 64);
    }
}
