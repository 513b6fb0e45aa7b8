//! The Lua scripts behind every multi-step operation.
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

/// Replaces the challenge for one key.
///
/// `KEYS[1]` index key, `KEYS[2]` new challenge hash; `ARGV[1]` time to live
/// in ms, `ARGV[2]` challenge key prefix, `ARGV[3]` new id, `ARGV[4..]` hash
/// field/value pairs. Deletes the hash the index pointed to, writes the new
/// hash from scratch, points the index at it; both expire after `ARGV[1]`.
pub(crate) static PUT: LazyLock<Script> = LazyLock::new(|| Script::new(PUT_LUA));
const PUT_LUA: &str = r"
local old = redis.call('GET', KEYS[1])
if old and ARGV[2] .. old ~= KEYS[2] then
  redis.call('DEL', ARGV[2] .. old)
end
redis.call('DEL', KEYS[2])
redis.call('HSET', KEYS[2], unpack(ARGV, 4))
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[1])
return 1
";

/// Reads the challenge an index points to, in one step so a concurrent
/// `put` cannot pair the old id with nothing.
///
/// `KEYS[1]` index key; `ARGV[1]` challenge key prefix. Returns nil when
/// there is no index entry, else the hash as a flat field/value array
/// (empty if the hash is gone).
pub(crate) static LATEST: LazyLock<Script> = LazyLock::new(|| Script::new(LATEST_LUA));
const LATEST_LUA: &str = r"
local id = redis.call('GET', KEYS[1])
if not id then return false end
return redis.call('HGETALL', ARGV[1] .. id)
";

/// A reply meaning "nothing changed": unknown, replaced, consumed or
/// exhausted.
pub(crate) const NOTHING: i64 = -1;
/// A reply meaning the hash's state fields do not decode.
pub(crate) const CORRUPT: i64 = -2;

/// Counts one wrong guess.
///
/// `KEYS[1]` challenge hash. Decrements `attempts_left` only when the hash
/// exists, is not consumed and has attempts left; returns the attempts left
/// afterwards, [`NOTHING`] or [`CORRUPT`]. Never goes below zero.
pub(crate) static RECORD_FAILURE: LazyLock<Script> =
    LazyLock::new(|| Script::new(RECORD_FAILURE_LUA));
const RECORD_FAILURE_LUA: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
local h = redis.call('HMGET', KEYS[1], 'consumed', 'attempts_left')
local consumed, left = h[1], tonumber(h[2])
if (consumed ~= '0' and consumed ~= '1') or left == nil or left ~= math.floor(left) then
  return -2
end
if consumed == '1' or left <= 0 then return -1 end
return redis.call('HINCRBY', KEYS[1], 'attempts_left', -1)
";

/// Marks a challenge consumed.
///
/// `KEYS[1]` challenge hash; `ARGV[1]` now in unix ms. Sets `consumed` to 1
/// and returns 1 only when the hash exists, `consumed` is 0,
/// `attempts_left > 0` and `expires_at > now`; otherwise returns 0 (or
/// [`CORRUPT`]) and changes nothing.
pub(crate) static CONSUME: LazyLock<Script> = LazyLock::new(|| Script::new(CONSUME_LUA));
const CONSUME_LUA: &str = r"
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
local h = redis.call('HMGET', KEYS[1], 'consumed', 'attempts_left', 'expires_at')
local consumed, left, expires = h[1], tonumber(h[2]), tonumber(h[3])
if (consumed ~= '0' and consumed ~= '1') or left == nil or expires == nil then
  return -2
end
if consumed == '1' or left <= 0 or expires <= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'consumed', '1')
return 1
";

/// Deletes a challenge and, if the index still points to it, the index.
///
/// `KEYS[1]` challenge hash; `ARGV[1]` its id. Idempotent.
pub(crate) static DELETE: LazyLock<Script> = LazyLock::new(|| Script::new(DELETE_LUA));
const DELETE_LUA: &str = r"
local idx = redis.call('HGET', KEYS[1], 'index_key')
if idx and redis.call('GET', idx) == ARGV[1] then
  redis.call('DEL', idx)
end
redis.call('DEL', KEYS[1])
return 1
";

/// Counts one hit in a fixed window.
///
/// `KEYS[1]` window counter; `ARGV[1]` time to live in ms. Increments and,
/// if the counter has no expiry yet, sets one; returns the new count.
pub(crate) static HIT: LazyLock<Script> = LazyLock::new(|| Script::new(HIT_LUA));
const HIT_LUA: &str = r"
local n = redis.call('INCR', KEYS[1])
if redis.call('PTTL', KEYS[1]) < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
end
return n
";

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::field;

    #[test]
    fn the_scripts_use_the_codec_field_names() {
        for name in [field::CONSUMED, field::ATTEMPTS_LEFT] {
            assert!(RECORD_FAILURE_LUA.contains(&format!("'{name}'")));
        }
        for name in [field::CONSUMED, field::ATTEMPTS_LEFT, field::EXPIRES_AT] {
            assert!(CONSUME_LUA.contains(&format!("'{name}'")));
        }
        assert!(DELETE_LUA.contains(&format!("'{}'", field::INDEX_KEY)));
    }
}
