//! The Lua scripts behind every multi-step operation (sources in `src/lua`).
//!
//! Redis runs a script without interleaving any other command, so each of
//! these is atomic across every server instance sharing the Redis. They are
//! sent with `EVALSHA` and loaded on the first `NOSCRIPT`.
//!
//! Some scripts touch a key they build from a value they read (the
//! challenge an index points to), which Redis Cluster forbids: this adapter
//! targets a single primary (with or without replicas), not a cluster.
//!
//! Numbers are compared as Lua doubles, which is exact for every instant
//! within ±2^53 ms (about 285,000 years) of 1970.

use std::sync::LazyLock;

use redis::Script;

/// A reply meaning "nothing changed": unknown, replaced, consumed or
/// exhausted.
pub(crate) const NOTHING: i64 = -1;
/// A reply meaning the hash's state fields do not decode.
pub(crate) const CORRUPT: i64 = -2;

const PUT_LUA: &str = include_str!("lua/put.lua");
const LATEST_LUA: &str = include_str!("lua/latest.lua");
const RECORD_FAILURE_LUA: &str = include_str!("lua/record_failure.lua");
const CONSUME_LUA: &str = include_str!("lua/consume.lua");
const DELETE_LUA: &str = include_str!("lua/delete.lua");
const PURGE_LUA: &str = include_str!("lua/purge.lua");
const HIT_LUA: &str = include_str!("lua/hit.lua");
const INSERT_CODE_LUA: &str = include_str!("lua/insert_code.lua");
const REDEEM_CODE_LUA: &str = include_str!("lua/redeem_code.lua");
const RECORD_FAMILY_LUA: &str = include_str!("lua/record_family.lua");

/// Replaces the challenge for one key: deletes the challenge the index
/// pointed to, writes the new hash from scratch, points the index at it,
/// sets both to expire, and records the expiry in the expiry index (trimming
/// entries too old to matter).
pub(crate) static PUT: LazyLock<Script> = LazyLock::new(|| Script::new(PUT_LUA));

/// Reads the challenge an index points to, in one step so a concurrent
/// `put` cannot pair the old id with nothing. Nil without an index entry,
/// else the hash as a flat field/value array (empty if the hash is gone).
pub(crate) static LATEST: LazyLock<Script> = LazyLock::new(|| Script::new(LATEST_LUA));

/// Counts one wrong guess: decrements `attempts_left` only when the hash
/// exists, is not consumed and has attempts left; returns the attempts left
/// afterwards, [`NOTHING`] or [`CORRUPT`]. Never goes below zero.
pub(crate) static RECORD_FAILURE: LazyLock<Script> =
    LazyLock::new(|| Script::new(RECORD_FAILURE_LUA));

/// Marks a challenge consumed: sets `consumed` to 1 and returns 1 only when
/// the hash exists, `consumed` is 0, `attempts_left > 0` and
/// `expires_at > now`; otherwise returns 0 (or [`CORRUPT`]), changing
/// nothing.
pub(crate) static CONSUME: LazyLock<Script> = LazyLock::new(|| Script::new(CONSUME_LUA));

/// Deletes a challenge, its expiry-index entry and, if the index still
/// points to it, the index entry. Idempotent.
pub(crate) static DELETE: LazyLock<Script> = LazyLock::new(|| Script::new(DELETE_LUA));

/// Removes one batch of challenges whose `expires_at` is before a cutoff,
/// found through the expiry index; returns `{removed, looked_at}`.
pub(crate) static PURGE: LazyLock<Script> = LazyLock::new(|| Script::new(PURGE_LUA));

/// Counts one hit in a fixed window: increments the counter and gives it an
/// expiry if it has none; returns the new count.
pub(crate) static HIT: LazyLock<Script> = LazyLock::new(|| Script::new(HIT_LUA));

/// Stores a new authorization code with `spent` and `replayed` at `0` and
/// its time to live, unless a hash already exists under its MAC; returns 1,
/// or 0 when it changed nothing.
pub(crate) static INSERT_CODE: LazyLock<Script> = LazyLock::new(|| Script::new(INSERT_CODE_LUA));

/// Presents an authorization code at `now`: an unspent, unexpired one is
/// marked spent and returned whole (`{1, field, value, …}`); a spent one is
/// marked replayed and its family returned (`{2[, family_id]}`); anything
/// else is `{0}`, or `{-2}` when `spent` or `expires_at` does not decode.
pub(crate) static REDEEM_CODE: LazyLock<Script> = LazyLock::new(|| Script::new(REDEEM_CODE_LUA));

/// Sets an authorization code's `family_id` and returns 1 only while the
/// code exists and `replayed` is `0`; otherwise returns 0 (or -2 when
/// `replayed` does not decode), changing nothing.
pub(crate) static RECORD_FAMILY: LazyLock<Script> =
    LazyLock::new(|| Script::new(RECORD_FAMILY_LUA));

#[cfg(test)]
mod tests {
    use super::*;
    use crate::authorization_codes::field as code_field;
    use crate::codec::field;

    fn quoted(name: &str) -> String {
        format!("'{name}'")
    }

    #[test]
    fn the_scripts_use_the_codec_field_names() {
        for name in [field::CONSUMED, field::ATTEMPTS_LEFT] {
            assert!(RECORD_FAILURE_LUA.contains(&quoted(name)));
        }
        for name in [field::CONSUMED, field::ATTEMPTS_LEFT, field::EXPIRES_AT] {
            assert!(CONSUME_LUA.contains(&quoted(name)));
        }
        for name in [field::EXPIRES_AT, field::INDEX_KEY] {
            assert!(PURGE_LUA.contains(&quoted(name)));
        }
        assert!(DELETE_LUA.contains(&quoted(field::INDEX_KEY)));
        for name in [code_field::SPENT, code_field::REPLAYED] {
            assert!(INSERT_CODE_LUA.contains(&quoted(name)));
        }
        for name in [
            code_field::SPENT,
            code_field::REPLAYED,
            code_field::EXPIRES_AT,
            code_field::FAMILY_ID,
        ] {
            assert!(REDEEM_CODE_LUA.contains(&quoted(name)));
        }
        for name in [code_field::REPLAYED, code_field::FAMILY_ID] {
            assert!(RECORD_FAMILY_LUA.contains(&quoted(name)));
        }
    }

    #[test]
    fn the_reply_codes_match_the_scripts() {
        assert!(RECORD_FAILURE_LUA.contains(&format!("return {NOTHING} end")));
        assert!(RECORD_FAILURE_LUA.contains(&format!("return {CORRUPT}")));
        assert!(CONSUME_LUA.contains(&format!("return {CORRUPT}")));
    }
}
