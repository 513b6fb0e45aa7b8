//! The stores on every login's path, timed per call for
//! `sesame_store_call_duration_seconds{backend, op}`: challenges, users,
//! refresh tokens, rate limits and the login steps that do both. Each method forwards to the adapter
//! unchanged, the batched ones (`reserve_all`, `settle`,
//! `record_login_or_create`) included, so a store's one-round-trip
//! versions stay in use.

use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use sesame_domain::code::CodeMac;
use sesame_domain::ports::{
    ChallengeStore, RateLimiter, RefreshTokenStore, Settlement, StepStore, StoreError, UserStore,
};
use sesame_domain::{
    Challenge, ChallengeId, ChallengeKey, RateDecision, RateKey, RateLimit, Recipient,
    RefreshTokenRecord, Reservation, Rotation, Timestamp, User, UserId, UserPage, UserQuery,
};

/// A port adapter whose calls are timed under `backend`.
pub struct Metered<T: ?Sized> {
    inner: Arc<T>,
    backend: &'static str,
}

impl<T: ?Sized> Metered<T> {
    /// `inner`, timed as `backend` (`sqlite`, `postgres`, `redis`,
    /// `memory`).
    pub fn new(inner: Arc<T>, backend: &'static str) -> Arc<Self> {
        Arc::new(Self { inner, backend })
    }
}

/// Times `$call` as operation `$op`.
macro_rules! timed {
    ($self:ident, $op:literal, $call:expr) => {{
        let start = Instant::now();
        let result = $call.await;
        metrics::histogram!(
            "sesame_store_call_duration_seconds",
            "backend" => $self.backend,
            "op" => $op
        )
        .record(start.elapsed().as_secs_f64());
        result
    }};
}

#[async_trait]
impl ChallengeStore for Metered<dyn ChallengeStore> {
    async fn put(&self, challenge: &Challenge) -> Result<(), StoreError> {
        timed!(self, "challenge_put", self.inner.put(challenge))
    }
    async fn latest(&self, key: &ChallengeKey) -> Result<Option<Challenge>, StoreError> {
        timed!(self, "challenge_latest", self.inner.latest(key))
    }
    async fn record_failure(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
    ) -> Result<Option<u32>, StoreError> {
        timed!(
            self,
            "challenge_record_failure",
            self.inner.record_failure(key, id)
        )
    }
    async fn consume(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        timed!(self, "challenge_consume", self.inner.consume(key, id, now))
    }
    async fn consume_link(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        timed!(
            self,
            "challenge_consume_link",
            self.inner.consume_link(key, id, now)
        )
    }
    async fn delete(&self, key: &ChallengeKey, id: &ChallengeId) -> Result<(), StoreError> {
        timed!(self, "challenge_delete", self.inner.delete(key, id))
    }
}

#[async_trait]
impl UserStore for Metered<dyn UserStore> {
    async fn find(&self, recipient: &Recipient) -> Result<Option<User>, StoreError> {
        timed!(self, "user_find", self.inner.find(recipient))
    }
    async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        timed!(self, "user_get", self.inner.get(id))
    }
    async fn create(&self, user: &User) -> Result<User, StoreError> {
        timed!(self, "user_create", self.inner.create(user))
    }
    async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError> {
        timed!(self, "user_record_login", self.inner.record_login(id, at))
    }
    async fn record_login_or_create(
        &self,
        recipient: &Recipient,
        fresh: Option<&User>,
        at: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        timed!(
            self,
            "user_record_login_or_create",
            self.inner.record_login_or_create(recipient, fresh, at)
        )
    }
    async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError> {
        timed!(
            self,
            "user_set_blocked",
            self.inner.set_blocked(id, blocked)
        )
    }
    async fn update_profile(
        &self,
        id: &UserId,
        change: &sesame_domain::user::ProfileChange,
    ) -> Result<sesame_domain::user::ProfileUpdate, StoreError> {
        timed!(
            self,
            "user_update_profile",
            self.inner.update_profile(id, change)
        )
    }
    async fn search(&self, query: &UserQuery) -> Result<UserPage, StoreError> {
        timed!(self, "user_search", self.inner.search(query))
    }
    async fn delete(&self, id: &UserId) -> Result<bool, StoreError> {
        timed!(self, "user_delete", self.inner.delete(id))
    }
}

#[async_trait]
impl RefreshTokenStore for Metered<dyn RefreshTokenStore> {
    async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), StoreError> {
        timed!(self, "refresh_insert", self.inner.insert(record))
    }
    async fn find(&self, mac: &CodeMac) -> Result<Option<RefreshTokenRecord>, StoreError> {
        timed!(self, "refresh_find", self.inner.find(mac))
    }
    async fn rotate(
        &self,
        presented: &CodeMac,
        replacement: &CodeMac,
        now: Timestamp,
        idle: Duration,
    ) -> Result<Rotation, StoreError> {
        timed!(
            self,
            "refresh_rotate",
            self.inner.rotate(presented, replacement, now, idle)
        )
    }
    async fn revoke_family(&self, family_id: &str) -> Result<(), StoreError> {
        timed!(
            self,
            "refresh_revoke_family",
            self.inner.revoke_family(family_id)
        )
    }
    async fn revoke_user(&self, user: &UserId) -> Result<(), StoreError> {
        timed!(self, "refresh_revoke_user", self.inner.revoke_user(user))
    }
}

#[async_trait]
impl RateLimiter for Metered<dyn RateLimiter> {
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        timed!(self, "rate_hit", self.inner.hit(key, rule, now))
    }
    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        timed!(self, "rate_peek", self.inner.peek(key, rule, now))
    }
    async fn reserve(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        timed!(self, "rate_reserve", self.inner.reserve(key, rule, now))
    }
    async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        timed!(self, "rate_release", self.inner.release(key, rule, now))
    }
    async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        timed!(self, "rate_reset", self.inner.reset(key, rule, now))
    }
    async fn reserve_all(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        timed!(
            self,
            "rate_reserve_all",
            self.inner.reserve_all(take, need, now)
        )
    }
    async fn settle(
        &self,
        release: &[RateKey<'_>],
        reset: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<(), StoreError> {
        timed!(self, "rate_settle", self.inner.settle(release, reset, now))
    }
}

#[async_trait]
impl StepStore for Metered<dyn StepStore> {
    async fn admit_challenge(
        &self,
        take: &[RateKey<'_>],
        challenge: &Challenge,
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        timed!(
            self,
            "step_admit_challenge",
            self.inner.admit_challenge(take, challenge, now)
        )
    }
    async fn reserve_and_read(
        &self,
        take: &[RateKey<'_>],
        need: &[RateKey<'_>],
        key: &ChallengeKey,
        now: Timestamp,
    ) -> Result<(Reservation, Option<Challenge>), StoreError> {
        timed!(
            self,
            "step_reserve_and_read",
            self.inner.reserve_and_read(take, need, key, now)
        )
    }
    async fn consume_and_settle(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
        won: Settlement<'_>,
        lost: Settlement<'_>,
    ) -> Result<bool, StoreError> {
        timed!(
            self,
            "step_consume_and_settle",
            self.inner.consume_and_settle(key, id, now, won, lost)
        )
    }
}
