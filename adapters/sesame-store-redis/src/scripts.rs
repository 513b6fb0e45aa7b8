//! The Lua scripts behind every multi-step operation (sources in `src/lua`).
//!
//! Redis runs a script without interleaving any other command, so each of
//! these is atomic across every server instance sharing the Redis. Each
//! touches exactly one key, named in `KEYS`, and never builds a key name from
//! a value it reads: that is what lets them run unchanged on Redis Cluster,
//! where a script may only touch keys of the slot it was routed to. The
//! exceptions are the rate limiter's batches ([`RESERVE_ALL`], [`SETTLE`])
//! and the login steps ([`ADMIT_CHALLENGE`], [`RESERVE_AND_READ`],
//! [`CONSUME_AND_SETTLE`]), which touch every key they are given: they are
//! sent to a single Redis only, and a cluster does them one key at a time.
//!
//! The logic scripts share (taking a batch of counters, settling them,
//! consuming a challenge) is written once, as a Lua function in an `fn_*.lua`
//! file that is put in front of each script using it, so a step does exactly
//! what the separate calls it stands for do.
//!
//! A call is sent with `EVALSHA`; on `NOSCRIPT` (a restarted node, a
//! `SCRIPT FLUSH`, a new primary) it is sent again as `EVAL`, which also
//! caches the script on that node. Unlike redis-rs's own `SCRIPT LOAD`
//! fallback, which a cluster sends to every primary, this involves only the
//! node that owns the key, so a primary that is down cannot fail calls for
//! the slots of the others.
//!
//! Numbers are compared as Lua doubles, which is exact for every instant
//! within ±2^53 ms (about 285,000 years) of 1970.

use std::sync::LazyLock;

use redis::aio::ConnectionLike;
use redis::{FromRedisValue, RedisResult, ServerErrorKind, ToRedisArgs};

/// A reply meaning "nothing changed": unknown, replaced, consumed or
/// exhausted.
pub(crate) const NOTHING: i64 = -1;
/// A reply meaning the hash's state fields do not decode.
pub(crate) const CORRUPT: i64 = -2;

/// `reserve(n, takes)`: a batch of counters, all or nothing.
macro_rules! fn_reserve {
    () => {
        include_str!("lua/fn_reserve.lua")
    };
}
/// `settle(first, releases, resets)`: gives units back and starts counters
/// over, never raising an error.
macro_rules! fn_settle {
    () => {
        include_str!("lua/fn_settle.lua")
    };
}
/// `consume(key, now, id, by_code)`: flips a challenge to consumed.
macro_rules! fn_consume {
    () => {
        include_str!("lua/fn_consume.lua")
    };
}

const PUT_LUA: &str = include_str!("lua/put.lua");
const RECORD_FAILURE_LUA: &str = include_str!("lua/record_failure.lua");
const CONSUME_LUA: &str = concat!(fn_consume!(), include_str!("lua/consume.lua"));
const DELETE_LUA: &str = include_str!("lua/delete.lua");
const HIT_LUA: &str = include_str!("lua/hit.lua");
const RESERVE_LUA: &str = include_str!("lua/reserve.lua");
const RELEASE_LUA: &str = include_str!("lua/release.lua");
const RESERVE_ALL_LUA: &str = concat!(fn_reserve!(), include_str!("lua/reserve_all.lua"));
const SETTLE_LUA: &str = concat!(fn_settle!(), include_str!("lua/settle.lua"));
const ADMIT_CHALLENGE_LUA: &str = concat!(fn_reserve!(), include_str!("lua/admit_challenge.lua"));
const RESERVE_AND_READ_LUA: &str = concat!(fn_reserve!(), include_str!("lua/reserve_and_read.lua"));
const CONSUME_AND_SETTLE_LUA: &str = concat!(
    fn_consume!(),
    fn_settle!(),
    include_str!("lua/consume_and_settle.lua")
);
const CLAIM_JTI_LUA: &str = include_str!("lua/claim_jti.lua");
const INSERT_CODE_LUA: &str = include_str!("lua/insert_code.lua");
const REDEEM_CODE_LUA: &str = include_str!("lua/redeem_code.lua");
const RECORD_FAMILY_LUA: &str = include_str!("lua/record_family.lua");

/// A Lua script and its SHA-1, the name `EVALSHA` knows it by.
pub(crate) struct Script {
    code: &'static str,
    sha1: String,
}

impl Script {
    fn new(code: &'static str) -> Self {
        Self {
            code,
            sha1: redis::Script::new(code).get_hash().to_owned(),
        }
    }

    /// A call of this script, to be given its key and arguments.
    pub(crate) fn call(&self) -> Call<'_> {
        Call {
            script: self,
            keys: Vec::new(),
            args: Vec::new(),
        }
    }
}

/// One call of a [`Script`]: its keys and arguments.
pub(crate) struct Call<'a> {
    script: &'a Script,
    keys: Vec<Vec<u8>>,
    args: Vec<Vec<u8>>,
}

impl Call<'_> {
    /// Adds a key (the scripts take exactly one).
    pub(crate) fn key(&mut self, key: impl ToRedisArgs) -> &mut Self {
        self.keys.extend(key.to_redis_args());
        self
    }

    /// Adds an argument.
    pub(crate) fn arg(&mut self, arg: impl ToRedisArgs) -> &mut Self {
        self.args.extend(arg.to_redis_args());
        self
    }

    /// Runs the call: `EVALSHA`, then `EVAL` if the node does not know the
    /// script.
    pub(crate) async fn invoke<T: FromRedisValue>(
        &self,
        conn: &mut impl ConnectionLike,
    ) -> RedisResult<T> {
        match self
            .command("EVALSHA", &self.script.sha1)
            .query_async(conn)
            .await
        {
            Err(e) if e.kind() == redis::ErrorKind::Server(ServerErrorKind::NoScript) => {
                self.command("EVAL", self.script.code)
                    .query_async(conn)
                    .await
            }
            other => other,
        }
    }

    fn command(&self, verb: &str, script: &str) -> redis::Cmd {
        let mut cmd = redis::cmd(verb);
        cmd.arg(script)
            .arg(self.keys.len())
            .arg(&self.keys)
            .arg(&self.args);
        cmd
    }
}

/// Replaces the challenge for one key: deletes the hash, writes the new
/// one from scratch and sets its expiry, so the old id is gone with it.
pub(crate) static PUT: LazyLock<Script> = LazyLock::new(|| Script::new(PUT_LUA));

/// Counts one wrong guess: decrements `attempts_left` only when the hash
/// holds the given id, is not consumed and has attempts left; returns the
/// attempts left afterwards, [`NOTHING`] or [`CORRUPT`]. Never goes below
/// zero.
pub(crate) static RECORD_FAILURE: LazyLock<Script> =
    LazyLock::new(|| Script::new(RECORD_FAILURE_LUA));

/// Marks a challenge consumed: sets `consumed` to 1 and returns 1 only when
/// the hash holds the given id, `consumed` is 0, `expires_at > now` and, for
/// a code (not a link), `attempts_left > 0`; otherwise returns 0 (or
/// [`CORRUPT`]), changing nothing.
pub(crate) static CONSUME: LazyLock<Script> = LazyLock::new(|| Script::new(CONSUME_LUA));

/// Deletes a key's challenge if it still holds the given id. Idempotent.
pub(crate) static DELETE: LazyLock<Script> = LazyLock::new(|| Script::new(DELETE_LUA));

/// Counts one hit in a fixed window: increments the counter and gives it an
/// expiry if it has none; returns the new count.
pub(crate) static HIT: LazyLock<Script> = LazyLock::new(|| Script::new(HIT_LUA));

/// Takes one unit of a window's budget only while the count is below the
/// limit; returns `{1, count}` (taken), `{0, count}` (refused, nothing
/// written) or `{-2, 0}` when the counter is not a count.
pub(crate) static RESERVE: LazyLock<Script> = LazyLock::new(|| Script::new(RESERVE_LUA));

/// Gives back one unit of a window's count, never below zero; returns the
/// count before, or -2 when the counter is not a count.
pub(crate) static RELEASE: LazyLock<Script> = LazyLock::new(|| Script::new(RELEASE_LUA));

/// Takes one unit of each of the first `ARGV[1]` counters if every counter
/// given has room, else nothing; returns `{1, count, …}` (taken),
/// `{0, i, count}` (refused by the i-th key, 1-based) or `{-2}`. Touches
/// every key given: for a single Redis only.
pub(crate) static RESERVE_ALL: LazyLock<Script> = LazyLock::new(|| Script::new(RESERVE_ALL_LUA));

/// Gives back one unit of each of the first `ARGV[1]` counters and deletes
/// the others; returns 0, or -2 (nothing changed) when a counter is not a
/// count. Touches every key given: for a single Redis only.
pub(crate) static SETTLE: LazyLock<Script> = LazyLock::new(|| Script::new(SETTLE_LUA));

/// A start: [`RESERVE_ALL`] of every counter given but the last key, and
/// only when that is taken, [`PUT`] of the challenge hash in the last key;
/// replies as [`RESERVE_ALL`]. Touches every key given: for a single Redis
/// only.
pub(crate) static ADMIT_CHALLENGE: LazyLock<Script> =
    LazyLock::new(|| Script::new(ADMIT_CHALLENGE_LUA));

/// A redemption's first half: [`RESERVE_ALL`] of every counter given but
/// the last key, and when that is taken, `HGETALL` of the challenge hash in
/// the last key; returns `{reservation, fields}` (`fields` empty unless
/// taken). Touches every key given: for a single Redis only.
pub(crate) static RESERVE_AND_READ: LazyLock<Script> =
    LazyLock::new(|| Script::new(RESERVE_AND_READ_LUA));

/// A redemption's second half: [`CONSUME`] by code of the challenge hash in
/// the first key, then [`SETTLE`] of the won or the lost counters after it;
/// returns `{flipped, settled}` (`settled` is 0, or -2 when a counter is
/// not a count and none was settled; the flip stands) or `{-2}` when the
/// challenge does not decode. Touches every key given: for a single Redis
/// only.
pub(crate) static CONSUME_AND_SETTLE: LazyLock<Script> =
    LazyLock::new(|| Script::new(CONSUME_AND_SETTLE_LUA));

/// Claims a DPoP proof id: returns 1 and stores its expiry (with a TTL)
/// unless a held, unexpired entry exists; then 0.
pub(crate) static CLAIM_JTI: LazyLock<Script> = LazyLock::new(|| Script::new(CLAIM_JTI_LUA));

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
        for name in [field::ID, field::CONSUMED, field::ATTEMPTS_LEFT] {
            assert!(RECORD_FAILURE_LUA.contains(&quoted(name)));
        }
        for name in [
            field::ID,
            field::CONSUMED,
            field::ATTEMPTS_LEFT,
            field::EXPIRES_AT,
        ] {
            assert!(CONSUME_LUA.contains(&quoted(name)));
        }
        assert!(DELETE_LUA.contains(&quoted(field::ID)));
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
    fn every_script_touches_one_key_it_is_given() {
        for lua in [
            PUT_LUA,
            RECORD_FAILURE_LUA,
            CONSUME_LUA,
            DELETE_LUA,
            HIT_LUA,
            RESERVE_LUA,
            RELEASE_LUA,
            CLAIM_JTI_LUA,
            INSERT_CODE_LUA,
            REDEEM_CODE_LUA,
            RECORD_FAMILY_LUA,
        ] {
            assert!(!lua.contains("KEYS[2]"), "{lua}");
            assert!(!lua.contains(" .. "), "builds a name: {lua}");
        }
    }

    #[test]
    fn the_batch_scripts_never_build_a_key_name() {
        for lua in [
            RESERVE_ALL_LUA,
            SETTLE_LUA,
            ADMIT_CHALLENGE_LUA,
            RESERVE_AND_READ_LUA,
            CONSUME_AND_SETTLE_LUA,
        ] {
            assert!(!lua.contains(" .. "), "builds a name: {lua}");
        }
    }

    #[test]
    fn the_steps_use_the_codec_field_names_and_reply_codes() {
        for name in [
            field::ID,
            field::CONSUMED,
            field::ATTEMPTS_LEFT,
            field::EXPIRES_AT,
        ] {
            assert!(CONSUME_AND_SETTLE_LUA.contains(&quoted(name)));
        }
        assert!(CONSUME_AND_SETTLE_LUA.contains(&format!("return {CORRUPT}")));
    }

    #[test]
    fn the_shared_functions_come_before_the_scripts_that_call_them() {
        for (lua, calls) in [
            (RESERVE_ALL_LUA, "reserve("),
            (ADMIT_CHALLENGE_LUA, "reserve("),
            (RESERVE_AND_READ_LUA, "reserve("),
            (SETTLE_LUA, "settle("),
            (CONSUME_LUA, "consume("),
            (CONSUME_AND_SETTLE_LUA, "settle("),
            (CONSUME_AND_SETTLE_LUA, "consume("),
        ] {
            let defined = lua.find(&format!("local function {calls}")).unwrap();
            let called = lua.rfind(calls).unwrap();
            assert!(defined < called, "{calls} is called before it is defined");
        }
    }

    #[test]
    fn the_sha1_is_the_one_redis_computes() {
        // SCRIPT LOAD "return 1" answers this digest.
        assert_eq!(
            Script::new("return 1").sha1,
            "e0e1f9fabfc9d4800c877a703b823ac0578ff8db"
        );
    }

    #[test]
    fn the_reply_codes_match_the_scripts() {
        assert!(RECORD_FAILURE_LUA.contains(&format!("return {NOTHING} end")));
        assert!(RECORD_FAILURE_LUA.contains(&format!("return {CORRUPT}")));
        assert!(CONSUME_LUA.contains(&format!("return {CORRUPT}")));
    }
}
