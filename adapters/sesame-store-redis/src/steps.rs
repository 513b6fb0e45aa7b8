//! [`StepStore`]: each step of a login in one script, so one round trip.
//!
//! On a single Redis, a start's counters and its challenge put are one
//! script ([`scripts::ADMIT_CHALLENGE`]), a redemption's reservation and
//! read another ([`scripts::RESERVE_AND_READ`]), and its consume and
//! settlement a third ([`scripts::CONSUME_AND_SETTLE`]). Each is built from
//! the same Lua functions as the separate calls it stands for, on the same
//! keys, so it does exactly what they do, and atomically.
//!
//! On a Redis Cluster the counters and the challenge live in different
//! slots, which one script may not touch together: each step is then the
//! separate calls, one after the other, as
//! [`SeparateSteps`](sesame_domain::ports::SeparateSteps) does.

use async_trait::async_trait;
use redis::Value;
use sesame_domain::challenge::{Challenge, ChallengeId, ChallengeKey};
use sesame_domain::ports::{
    Settlement, StepStore, StoreError, admit_one_by_one, consume_then_settle, reserve_then_read,
};
use sesame_domain::rate_limit::{RateKey, Reservation};
use sesame_domain::time::Timestamp;

use crate::challenges::{challenge_from, undecodable_state};
use crate::rate_limiter::reservation;
use crate::scripts::{self, CORRUPT};
use crate::store::RedisStore;

#[async_trait]
impl StepStore for RedisStore {
    async fn admit_challenge(
        &self,
        take: &[RateKey<'_>],
        challenge: &Challenge,
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        if self.is_cluster() {
            return admit_one_by_one(self, self, take, challenge, now).await;
        }
        let mut call = scripts::ADMIT_CHALLENGE.call();
        self.batch(&mut call, take, &[], now);
        self.put_args(&mut call, challenge)?;
        let reply: Vec<i64> = self.eval(call).await?;
        reservation(take, &[], now, &reply)
    }

    async fn reserve_and_read(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        key: &ChallengeKey,
        now: Timestamp,
    ) -> Result<(Reservation, Option<Challenge>), StoreError> {
        if self.is_cluster() {
            return reserve_then_read(self, self, take, need, key, now).await;
        }
        let mut call = scripts::RESERVE_AND_READ.call();
        self.batch(&mut call, take, need, now);
        call.key(self.keys.challenge(key));
        let (counts, fields): (Vec<i64>, Value) = self.eval(call).await?;
        let reserved = reservation(take, need, now, &counts)?;
        let latest = match reserved {
            Reservation::Taken(_) => challenge_from(key, fields)?,
            Reservation::Refused { .. } => None,
        };
        Ok((reserved, latest))
    }

    async fn consume_and_settle(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
        won: Settlement<'_>,
        lost: Settlement<'_>,
    ) -> Result<bool, StoreError> {
        if self.is_cluster() {
            return consume_then_settle(self, self, key, id, now, won, lost).await;
        }
        let mut call = scripts::CONSUME_AND_SETTLE.call();
        call.key(self.keys.challenge(key))
            .arg(now.unix_millis())
            .arg(id.as_str());
        for s in [won, lost] {
            call.arg(s.release.len()).arg(s.reset.len());
        }
        for k in [won.release, won.reset, lost.release, lost.reset]
            .into_iter()
            .flatten()
        {
            let window = k.rule.window_at(now);
            call.key(self.keys.rate(k.key, window.length_ms, window.index));
        }
        let reply: Vec<i64> = self.eval(call).await?;
        let (flipped, settled) = match reply.as_slice() {
            [1, settled] => (true, *settled),
            [0, settled] => (false, *settled),
            [CORRUPT] => return Err(undecodable_state()),
            _ => {
                return Err(StoreError::Corrupt(
                    "the consume-and-settle script answered something else".to_owned(),
                ));
            }
        };
        // The caller's answer depends on the flip alone, so a counter that
        // could not be settled is worth a warning, not an error.
        if settled != 0 {
            tracing::warn!(
                flipped,
                "could not settle the failure budget: a rate-limit counter is not a count"
            );
        }
        Ok(flipped)
    }
}
