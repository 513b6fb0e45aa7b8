//! Limit events (`limit_wc`, `limit_mu`, `api_limit`) once per caller and
//! window, not once per refused request: a flood of refused requests must
//! not become a flood of stored events (Auth0 too logs the block, not each
//! request it refuses).
//!
//! Remembered per instance: with N instances a window logs at most N
//! times. The memory is bounded: windows that ended are forgotten, and past
//! a cap everything is, which at worst logs a window twice.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::{Mutex, PoisonError};

use crate::event::EventType;
use crate::time::Timestamp;

/// The most (caller, window) pairs remembered.
const CAP: usize = 10_000;

/// Who was refused, by which limit, until when.
type Seen = (EventType, Option<String>, Option<IpAddr>, Timestamp);

/// The limit windows already logged.
#[derive(Debug, Default)]
pub(crate) struct LimitLog(Mutex<HashSet<Seen>>);

impl LimitLog {
    /// Whether this is the first refusal of `client` from `ip` by a `kind`
    /// limit whose window ends at `until`, as of `now`; records it.
    pub(crate) fn first(
        &self,
        kind: EventType,
        client: Option<&str>,
        ip: Option<IpAddr>,
        until: Timestamp,
        now: Timestamp,
    ) -> bool {
        let mut seen = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if seen.len() >= CAP {
            seen.retain(|s| s.3 > now);
            if seen.len() >= CAP {
                seen.clear();
            }
        }
        seen.insert((kind, client.map(str::to_owned), ip, until))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_is_logged_once_per_caller_and_again_after_it_ends() {
        let log = LimitLog::default();
        let ip = Some(IpAddr::from([203, 0, 113, 9]));
        let (t0, end) = (
            Timestamp::from_unix_millis(0),
            Timestamp::from_unix_millis(60_000),
        );
        assert!(log.first(EventType::LimitIp, Some("app"), ip, end, t0));
        assert!(!log.first(EventType::LimitIp, Some("app"), ip, end, t0));
        let other = Some(IpAddr::from([203, 0, 113, 10]));
        assert!(log.first(EventType::LimitIp, Some("app"), other, end, t0));
        let next = Timestamp::from_unix_millis(120_000);
        assert!(log.first(EventType::LimitIp, Some("app"), ip, next, end));
    }
}
