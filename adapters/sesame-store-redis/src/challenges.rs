//! [`ChallengeStore`] on Redis hashes that expire by themselves.
//!
//! Each challenge is a hash `{prefix}ch:{id}`; an index key
//! `{prefix}chk:{client}:{connection}:{sha256(recipient)}` holds the id of
//! the current one for its [`ChallengeKey`]. Both expire
//! [`EXPIRED_CHALLENGE_RETENTION`] after the challenge does, so an expired
//! challenge can still be reported as expired without any purging. A sorted
//! set `{prefix}chx` of ids by `expires_at` lets the store's
//! [`Housekeeping`](sesame_domain::ports::Housekeeping) remove challenges as
//! soon as they are past their retention, and keeps that index short.

use std::collections::HashMap;

use async_trait::async_trait;
use redis::Value;
use sesame_domain::challenge::{Challenge, ChallengeId, ChallengeKey};
use sesame_domain::ports::{ChallengeStore, StoreError};
use sesame_domain::retention::EXPIRED_CHALLENGE_RETENTION;
use sesame_domain::time::Timestamp;

use crate::codec::{self, corrupt};
use crate::scripts;
use crate::store::RedisStore;

/// How long a challenge's keys live once written, in milliseconds.
///
/// Counted from the challenge's own timestamps (`expires_at - created_at`,
/// plus the retention) and applied relative to Redis's clock at the write,
/// rather than as an absolute instant: a Redis whose clock runs ahead of the
/// servers' would otherwise drop challenges before the retention is over.
/// A challenge is written no earlier than its `created_at`, so its keys live
/// at least until `expires_at + retention`.
fn time_to_live_ms(ch: &Challenge) -> i64 {
    let lifetime = ch
        .expires_at
        .unix_millis()
        .saturating_sub(ch.created_at.unix_millis())
        .max(0);
    let retention = i64::try_from(EXPIRED_CHALLENGE_RETENTION.as_millis()).unwrap_or(i64::MAX);
    lifetime.saturating_add(retention)
}

/// Expiry-index entries scored below this when `ch` is written are dropped,
/// so the index stays bounded even if nothing ever purges.
/// Two retention periods back: only entries whose keys expired a whole
/// retention period ago go. (Should a server's clock run far ahead, an entry
/// may go early; its challenge then still expires by its TTL.)
fn trim_below_ms(ch: &Challenge) -> i64 {
    let retention = i64::try_from(EXPIRED_CHALLENGE_RETENTION.as_millis()).unwrap_or(i64::MAX);
    ch.created_at
        .unix_millis()
        .saturating_sub(retention.saturating_mul(2))
}

/// How many expired challenges one purge script removes, so that no single
/// script keeps Redis busy for long.
const PURGE_BATCH: usize = 500;

#[async_trait]
impl ChallengeStore for RedisStore {
    async fn put(&self, challenge: &Challenge) -> Result<(), StoreError> {
        let index = self.keys.index(&challenge.key());
        let fields = codec::encode(challenge, &index)?;
        let mut call = scripts::PUT.prepare_invoke();
        call.key(&index)
            .key(self.keys.challenge(&challenge.id))
            .key(self.keys.expiries())
            .arg(time_to_live_ms(challenge))
            .arg(self.keys.challenge_prefix())
            .arg(challenge.id.as_str())
            .arg(challenge.expires_at.unix_millis())
            .arg(trim_below_ms(challenge));
        for (name, value) in &fields {
            call.arg(*name).arg(value);
        }
        let mut conn = self.conn.clone();
        self.run(call.invoke_async::<i64>(&mut conn)).await?;
        Ok(())
    }

    async fn latest(&self, key: &ChallengeKey) -> Result<Option<Challenge>, StoreError> {
        let mut call = scripts::LATEST.prepare_invoke();
        call.key(self.keys.index(key))
            .arg(self.keys.challenge_prefix());
        let mut conn = self.conn.clone();
        let reply: Value = self.run(call.invoke_async(&mut conn)).await?;
        let Some(fields) = hash_fields(reply)? else {
            return Ok(None);
        };
        let challenge = codec::decode(&fields)?;
        // The index is keyed on a digest; make sure it led to the right one.
        if challenge.key() != *key {
            return Err(StoreError::Corrupt(
                "a challenge index points to another recipient's challenge".to_owned(),
            ));
        }
        Ok(Some(challenge))
    }

    async fn record_failure(&self, id: &ChallengeId) -> Result<Option<u32>, StoreError> {
        let mut call = scripts::RECORD_FAILURE.prepare_invoke();
        call.key(self.keys.challenge(id));
        let mut conn = self.conn.clone();
        match self.run(call.invoke_async::<i64>(&mut conn)).await? {
            scripts::NOTHING => Ok(None),
            scripts::CORRUPT => Err(StoreError::Corrupt(
                "challenge field `consumed` or `attempts_left` does not decode".to_owned(),
            )),
            left => u32::try_from(left)
                .map(Some)
                .map_err(|_| corrupt("attempts_left", "is out of range")),
        }
    }

    async fn consume(&self, id: &ChallengeId, now: Timestamp) -> Result<bool, StoreError> {
        let mut call = scripts::CONSUME.prepare_invoke();
        call.key(self.keys.challenge(id)).arg(now.unix_millis());
        let mut conn = self.conn.clone();
        match self.run(call.invoke_async::<i64>(&mut conn)).await? {
            1 => Ok(true),
            0 => Ok(false),
            _ => Err(StoreError::Corrupt(
                "challenge field `consumed`, `attempts_left` or `expires_at` does not decode"
                    .to_owned(),
            )),
        }
    }

    async fn delete(&self, id: &ChallengeId) -> Result<(), StoreError> {
        let mut call = scripts::DELETE.prepare_invoke();
        call.key(self.keys.challenge(id))
            .key(self.keys.expiries())
            .arg(id.as_str());
        let mut conn = self.conn.clone();
        self.run(call.invoke_async::<i64>(&mut conn)).await?;
        Ok(())
    }
}

impl RedisStore {
    /// Removes, in batches, the challenges the expiry index lists with
    /// `expires_at < before`, re-checking each hash's own `expires_at`.
    ///
    /// Every key also expires by itself about [`EXPIRED_CHALLENGE_RETENTION`]
    /// after its challenge, so this mostly drops index entries; it also
    /// removes a challenge whose keys would outlive that (one written late,
    /// or under a Redis clock that runs slow). Challenges whose keys already
    /// expired are not counted.
    pub(crate) async fn purge_challenges(&self, before: Timestamp) -> Result<u64, StoreError> {
        let mut removed: u64 = 0;
        loop {
            let mut call = scripts::PURGE.prepare_invoke();
            call.key(self.keys.expiries())
                .arg(before.unix_millis())
                .arg(self.keys.challenge_prefix())
                .arg(PURGE_BATCH);
            let mut conn = self.conn.clone();
            let (gone, looked_at): (u64, usize) = self.run(call.invoke_async(&mut conn)).await?;
            removed = removed.saturating_add(gone);
            // Every entry looked at leaves the range, so this terminates.
            if looked_at < PURGE_BATCH {
                return Ok(removed);
            }
        }
    }
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
