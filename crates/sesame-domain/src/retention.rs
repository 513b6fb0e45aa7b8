//! How long each kind of stored record must outlive its expiry, in one
//! place: the ports' MUSTs, every adapter's purge and every TTL read these.
//!
//! A record past its retention can never change an answer again, so
//! [`Housekeeping`](crate::ports::Housekeeping) may remove it; a record
//! within it MUST stay, because some answer still depends on it.

use std::time::Duration;

use crate::time::Timestamp;

/// How long an expired challenge must still be readable, so that a late
/// user is told "expired" rather than "wrong code". Fifteen minutes covers a
/// message that arrived late or was read late; after that, "wrong code" is
/// as helpful.
pub const EXPIRED_CHALLENGE_RETENTION: Duration = Duration::from_secs(15 * 60);

/// How long a used or expired authorization code must still be known to its
/// store, so that a replay is recognised as one and the refresh-token family
/// its exchange produced is revoked. The code itself lives one minute;
/// fifteen more cover a leaked code replayed by hand.
pub const AUTHORIZATION_CODE_RETENTION: Duration = Duration::from_secs(15 * 60);

/// How long a refresh-token family is kept after its absolute expiry, spent
/// and revoked tokens included.
///
/// Every token of the family is refused by then, so keeping it changes no
/// answer to a client: only the log. A replay of a spent token of a kept
/// family is logged as reuse (a sign that the token was stolen), while an
/// unknown token is not. A day keeps that signal long enough for an
/// operator to see it, at the cost of rows the size of a few MACs. Every
/// backend keeps this one value: before it lived in the domain, Postgres
/// kept families a day and SQLite fifteen minutes.
pub const EXPIRED_REFRESH_FAMILY_RETENTION: Duration = Duration::from_secs(24 * 60 * 60);

/// How long a rate-limit counter is kept after its window ended: not at all.
/// Windows are aligned on the Unix epoch, so every instance agrees on when
/// one ends, and no decision ever reads an ended window's count again.
pub const RATE_LIMIT_WINDOW_RETENTION: Duration = Duration::ZERO;

/// How long a DPoP proof id is kept after it can no longer be replayed:
/// not at all. Its entry expires when the proof's `iat` leaves the window,
/// after which the proof is refused as stale anyway.
pub const DPOP_JTI_RETENTION: Duration = Duration::ZERO;

/// The purge cutoff for `retention` at `now`: records whose expiry is
/// before it are past their retention. Saturates instead of overflowing.
#[must_use]
pub fn cutoff(now: Timestamp, retention: Duration) -> Timestamp {
    let millis = i64::try_from(retention.as_millis()).unwrap_or(i64::MAX);
    Timestamp::from_unix_millis(now.unix_millis().saturating_sub(millis))
}
