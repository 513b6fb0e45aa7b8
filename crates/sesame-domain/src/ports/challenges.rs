//! Where issued challenges wait to be redeemed.

use async_trait::async_trait;

use super::StoreError;
use crate::challenge::{Challenge, ChallengeId, ChallengeKey};
use crate::time::Timestamp;

/// Storage for challenges.
///
/// The calls on one challenge (`record_failure`, `consume`, `delete`) take
/// its [`ChallengeKey`] as well as its id: the domain always has both, and a
/// store that shards by recipient (Redis Cluster) finds the challenge's shard
/// from the key. `key` MUST be the key of challenge `id` (`challenge.key()`);
/// a store MAY ignore it, and MAY treat an id under another key as unknown.
///
/// Every method returns [`StoreError::Unavailable`] when the backend cannot be
/// reached within the adapter's timeout; none may block without bound.
#[async_trait]
pub trait ChallengeStore: Send + Sync {
    /// Stores `challenge` as the one challenge for its [`ChallengeKey`].
    ///
    /// # Errors
    /// - MUST replace any earlier challenge with the same key: afterwards
    ///   [`latest`](Self::latest) returns `challenge`, and
    ///   [`consume`](Self::consume) or [`record_failure`](Self::record_failure)
    ///   of the earlier id MUST fail as if the id were unknown.
    /// - MUST store every field unchanged.
    async fn put(&self, challenge: &Challenge) -> Result<(), StoreError>;

    /// The challenge stored for `key`, live or not.
    ///
    /// # Errors
    /// - MUST return an expired challenge until at least
    ///   [`EXPIRED_CHALLENGE_RETENTION`](crate::retention::EXPIRED_CHALLENGE_RETENTION)
    ///   after its `expires_at`; MAY return `None` after that (see
    ///   [`Housekeeping`](super::Housekeeping)).
    /// - MUST reflect every completed `record_failure` and `consume`.
    async fn latest(&self, key: &ChallengeKey) -> Result<Option<Challenge>, StoreError>;

    /// Counts one wrong code against challenge `id`.
    ///
    /// Returns the attempts left afterwards, or `None` when `id` is unknown,
    /// replaced, consumed or has no attempts left (nothing changes then).
    ///
    /// # Errors
    /// - MUST be atomic: N concurrent calls on a challenge with `k` attempts
    ///   left decrement it by exactly `min(N, k)`, and never below zero.
    /// - MUST change nothing but `attempts_left`: at zero the *code* is dead,
    ///   while the challenge's link stays redeemable by
    ///   [`consume_link`](Self::consume_link) until it expires or is used.
    async fn record_failure(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
    ) -> Result<Option<u32>, StoreError>;

    /// Marks challenge `id` consumed by its code, if the code is still
    /// redeemable at `now`.
    ///
    /// Returns `true` to exactly one caller: the one that flipped it.
    ///
    /// # Errors
    /// - MUST be atomic: of N concurrent calls (of this method and
    ///   [`consume_link`](Self::consume_link) together), exactly one returns
    ///   `true`.
    /// - MUST return `false` when `id` is unknown or replaced, already
    ///   consumed, has no attempts left, or `now >= expires_at`.
    async fn consume(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Marks challenge `id` consumed by its magic link, if it is still
    /// redeemable at `now`.
    ///
    /// The attempts count wrong *codes*: a link has its own 256-bit token,
    /// and a stranger who types wrong codes for an address must not kill the
    /// link in the owner's mailbox. So, unlike [`consume`](Self::consume),
    /// this ignores `attempts_left`.
    ///
    /// # Errors
    /// - MUST be atomic: of N concurrent calls (of this method and
    ///   [`consume`](Self::consume) together), exactly one returns `true`.
    /// - MUST return `true` for a challenge with no attempts left that is
    ///   otherwise redeemable, and `false` when `id` is unknown or replaced,
    ///   already consumed, or `now >= expires_at`.
    async fn consume_link(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError>;

    /// Removes challenge `id`, e.g. after its message could not be delivered.
    ///
    /// # Errors
    /// MUST succeed when `id` is unknown (idempotent).
    async fn delete(&self, key: &ChallengeKey, id: &ChallengeId) -> Result<(), StoreError>;
}
