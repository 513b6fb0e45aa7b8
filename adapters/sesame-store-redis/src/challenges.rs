//! [`ChallengeStore`] on Redis hashes that expire by themselves.
//!
//! Each [`ChallengeKey`] has one hash,
//! `{prefix}ch:{<sha256(recipient)>}:{connection}:{client}`, holding its
//! current challenge, id included. `put` rewrites it whole, so a replaced
//! challenge (and its id) is simply gone; `consume`, `record_failure` and
//! `delete` act only when the hash still holds the id they were given. One
//! key per recipient, one key per script: this works the same on one Redis
//! and on a Redis Cluster.
//!
//! The hash expires [`EXPIRED_CHALLENGE_RETENTION`] after the challenge
//! does, so an expired challenge can still be reported as expired, and then
//! goes by itself: nothing needs purging.

use std::collections::HashMap;

use async_trait::async_trait;
use redis::Value;
use sesame_domain::challenge::{Challenge, ChallengeId, ChallengeKey};
use sesame_domain::ports::{ChallengeStore, StoreError};
use sesame_domain::retention::EXPIRED_CHALLENGE_RETENTION;
use sesame_domain::time::Timestamp;

use crate::codec::{self, corrupt};
use crate::scripts::{self, Call};
use crate::store::RedisStore;

/// How long a challenge's hash lives once written, in milliseconds.
///
/// Counted from the challenge's own timestamps (`expires_at - created_at`,
/// plus the retention) and applied relative to Redis's clock at the write,
/// rather than as an absolute instant: a Redis whose clock runs ahead of the
/// servers' would otherwise drop challenges before the retention is over.
/// A challenge is written no earlier than its `created_at`, so its hash
/// lives at least until `expires_at + retention`.
fn time_to_live_ms(ch: &Challenge) -> i64 {
    let lifetime = ch
        .expires_at
        .unix_millis()
        .saturating_sub(ch.created_at.unix_millis())
        .max(0);
    let retention = i64::try_from(EXPIRED_CHALLENGE_RETENTION.as_millis()).unwrap_or(i64::MAX);
    // PEXPIRE refuses 0.
    lifetime.saturating_add(retention).max(1)
}

#[async_trait]
impl ChallengeStore for RedisStore {
    async fn put(&self, challenge: &Challenge) -> Result<(), StoreError> {
        let mut call = scripts::PUT.call();
        self.put_args(&mut call, challenge)?;
        self.eval::<i64>(call).await?;
        Ok(())
    }

    async fn latest(&self, key: &ChallengeKey) -> Result<Option<Challenge>, StoreError> {
        let reply: Value = self
            .query(redis::cmd("HGETALL").arg(self.keys.challenge(key)))
            .await?;
        challenge_from(key, reply)
    }

    async fn record_failure(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
    ) -> Result<Option<u32>, StoreError> {
        let mut call = scripts::RECORD_FAILURE.call();
        call.key(self.keys.challenge(key)).arg(id.as_str());
        match self.eval::<i64>(call).await? {
            scripts::NOTHING => Ok(None),
            scripts::CORRUPT => Err(StoreError::Corrupt(
                "challenge field `consumed` or `attempts_left` does not decode".to_owned(),
            )),
            left => u32::try_from(left)
                .map(Some)
                .map_err(|_| corrupt("attempts_left", "is out of range")),
        }
    }

    async fn consume(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.flip(key, id, now, true).await
    }

    async fn consume_link(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        self.flip(key, id, now, false).await
    }

    async fn delete(&self, key: &ChallengeKey, id: &ChallengeId) -> Result<(), StoreError> {
        let mut call = scripts::DELETE.call();
        call.key(self.keys.challenge(key)).arg(id.as_str());
        self.eval::<i64>(call).await?;
        Ok(())
    }
}

impl RedisStore {
    /// Adds what `put.lua` writes to a call: the challenge's hash as the
    /// next key, then its time to live and its field/value pairs as the
    /// next arguments.
    pub(crate) fn put_args(
        &self,
        call: &mut Call<'_>,
        challenge: &Challenge,
    ) -> Result<(), StoreError> {
        let fields = codec::encode(challenge)?;
        call.key(self.keys.challenge(&challenge.key()))
            .arg(time_to_live_ms(challenge));
        for (name, value) in &fields {
            call.arg(*name).arg(value);
        }
        Ok(())
    }

    /// The consume script; `by_code` makes it require attempts left (a code),
    /// without it the attempts do not matter (a link).
    async fn flip(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
        by_code: bool,
    ) -> Result<bool, StoreError> {
        let mut call = scripts::CONSUME.call();
        call.key(self.keys.challenge(key))
            .arg(now.unix_millis())
            .arg(id.as_str())
            .arg(if by_code { "1" } else { "0" });
        match self.eval::<i64>(call).await? {
            1 => Ok(true),
            0 => Ok(false),
            _ => Err(undecodable_state()),
        }
    }
}

/// What the consume script's [`scripts::CORRUPT`] reply means.
pub(crate) fn undecodable_state() -> StoreError {
    StoreError::Corrupt(
        "challenge field `consumed`, `attempts_left` or `expires_at` does not decode".to_owned(),
    )
}

/// The challenge of `key` in a `HGETALL` reply of its hash; `None` for
/// nil or an empty hash.
pub(crate) fn challenge_from(
    key: &ChallengeKey,
    reply: Value,
) -> Result<Option<Challenge>, StoreError> {
    let Some(fields) = hash_fields(reply)? else {
        return Ok(None);
    };
    let challenge = codec::decode(&fields)?;
    // The key is named by a digest; make sure it led to the right one.
    if challenge.key() != *key {
        return Err(StoreError::Corrupt(
            "a recipient's challenge key holds another recipient's challenge".to_owned(),
        ));
    }
    Ok(Some(challenge))
}

/// The field map from a `HGETALL` reply; `None` for nil or an empty hash.
fn hash_fields(reply: Value) -> Result<Option<HashMap<String, String>>, StoreError> {
    let pairs: Vec<(Value, Value)> = match reply {
        Value::Nil => return Ok(None),
        Value::Array(items) => {
            if items.len() % 2 != 0 {
                return Err(not_a_hash());
            }
            let mut it = items.into_iter();
            let mut pairs = Vec::new();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                pairs.push((k, v));
            }
            pairs
        }
        Value::Map(pairs) => pairs,
        _ => return Err(not_a_hash()),
    };
    if pairs.is_empty() {
        return Ok(None);
    }
    let mut fields = HashMap::with_capacity(pairs.len());
    for (k, v) in pairs {
        fields.insert(text(k)?, text(v)?);
    }
    Ok(Some(fields))
}

fn text(v: Value) -> Result<String, StoreError> {
    match v {
        Value::BulkString(bytes) => String::from_utf8(bytes)
            .map_err(|_| StoreError::Corrupt("a challenge field is not UTF-8".to_owned())),
        Value::SimpleString(s) => Ok(s),
        _ => Err(not_a_hash()),
    }
}

fn not_a_hash() -> StoreError {
    StoreError::Corrupt("a challenge is not stored as a hash of strings".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nil_and_empty_replies_mean_no_challenge() {
        assert!(hash_fields(Value::Nil).unwrap().is_none());
        assert!(hash_fields(Value::Array(vec![])).unwrap().is_none());
    }

    #[test]
    fn flat_replies_pair_up() {
        let reply = Value::Array(vec![
            Value::BulkString(b"id".to_vec()),
            Value::BulkString(b"ch_1".to_vec()),
        ]);
        let fields = hash_fields(reply).unwrap().unwrap();
        assert_eq!(fields["id"], "ch_1");
    }

    #[test]
    fn odd_or_binary_replies_are_corrupt() {
        let odd = Value::Array(vec![Value::BulkString(b"id".to_vec())]);
        assert!(matches!(hash_fields(odd), Err(StoreError::Corrupt(_))));
        let binary = Value::Array(vec![
            Value::BulkString(b"id".to_vec()),
            Value::BulkString(vec![0xff, 0xfe]),
        ]);
        assert!(matches!(hash_fields(binary), Err(StoreError::Corrupt(_))));
    }
}
