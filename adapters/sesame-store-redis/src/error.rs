//! Redis errors as the domain's [`StoreError`].

use std::time::Duration;

use redis::{ErrorKind, RedisError, ServerErrorKind};
use sesame_domain::ports::StoreError;

/// Maps a client or server error.
///
/// "Could not reach or hear back from Redis" is `Unavailable`: I/O errors
/// (refused, reset, dropped, timed out) and a server that says it cannot
/// serve right now (loading, failing over, read-only replica, a cluster
/// without a node for the slot). A `MOVED` or `ASK` that reaches us is a
/// redirect the cluster client could not follow: the slot's owner is down
/// or moving, so it is `Unavailable` too. A key holding
/// the wrong type is `Corrupt`. Anything else, such as a script error or
/// bad credentials, is `Unknown`.
pub(crate) fn from_redis(e: RedisError) -> StoreError {
    match e.kind() {
        ErrorKind::Io
        | ErrorKind::ClusterConnectionNotFound
        | ErrorKind::Server(
            ServerErrorKind::BusyLoading
            | ServerErrorKind::TryAgain
            | ServerErrorKind::ClusterDown
            | ServerErrorKind::MasterDown
            | ServerErrorKind::ReadOnly
            | ServerErrorKind::Moved
            | ServerErrorKind::Ask,
        ) => StoreError::Unavailable(e.into()),
        _ if e.code() == Some("WRONGTYPE") => {
            StoreError::Corrupt("a key holds the wrong kind of value".to_owned())
        }
        _ if e.is_timeout() || e.is_connection_dropped() || e.is_connection_refusal() => {
            StoreError::Unavailable(e.into())
        }
        _ => StoreError::Unknown(e.into()),
    }
}

/// The error for a call that ran past its deadline.
pub(crate) fn deadline_passed(deadline: Duration) -> StoreError {
    StoreError::Unavailable(anyhow::anyhow!(
        "redis did not answer within {} ms",
        deadline.as_millis()
    ))
}

#[cfg(test)]
mod tests {
    use std::io;

    use super::*;

    #[test]
    fn io_errors_are_unavailable() {
        for kind in [
            io::ErrorKind::ConnectionRefused,
            io::ErrorKind::ConnectionReset,
            io::ErrorKind::TimedOut,
            io::ErrorKind::UnexpectedEof,
        ] {
            let e = RedisError::from(io::Error::from(kind));
            assert!(
                matches!(from_redis(e), StoreError::Unavailable(_)),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn unfollowed_cluster_redirects_are_unavailable() {
        for kind in [
            ServerErrorKind::Moved,
            ServerErrorKind::Ask,
            ServerErrorKind::ClusterDown,
        ] {
            let e = RedisError::from((ErrorKind::Server(kind), "redirect"));
            assert!(
                matches!(from_redis(e), StoreError::Unavailable(_)),
                "{kind:?}"
            );
        }
        let e = RedisError::from((ErrorKind::ClusterConnectionNotFound, "no node"));
        assert!(matches!(from_redis(e), StoreError::Unavailable(_)));
    }

    #[test]
    fn client_errors_are_unknown() {
        let e = RedisError::from((ErrorKind::Client, "bad"));
        assert!(matches!(from_redis(e), StoreError::Unknown(_)));
    }

    #[test]
    fn a_passed_deadline_is_unavailable() {
        assert!(matches!(
            deadline_passed(Duration::from_millis(5)),
            StoreError::Unavailable(_)
        ));
    }
}
