//! The contract checks fail on adapters that break the rules they check:
//! each buggy adapter here gets past the compiler but not its check.
#![expect(
    clippy::unwrap_used,
    reason = "the buggy test adapters lock plain mutexes; a poisoned one means a test already failed"
)]

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures::FutureExt as _;
use serde_json::Value;
use sesame_domain::code::CodeMac;
use sesame_domain::mfa::{Authenticator, AuthenticatorId, AuthenticatorSecret, MfaTicket};
use sesame_domain::ports::{
    AuthenticatorStore, AuthorizationCodeStore, ChallengeStore, Housekeeping, KeyStore,
    MfaTransactionStore, PurgeReport, RateLimiter, RefreshTokenStore, StoreError, UserStore,
};
use sesame_domain::retention::{AUTHORIZATION_CODE_RETENTION, EXPIRED_CHALLENGE_RETENTION, cutoff};
use sesame_domain::user::{ProfileChange, ProfileUpdate};
use sesame_domain::{
    AuthorizationCode, Challenge, ChallengeId, ChallengeKey, KeyStatus, RateDecision, RateKey,
    RateLimit, Recipient, Redemption, RefreshTokenRecord, Refuser, Reservation, Rotation,
    SigningKey, Timestamp, User, UserFilter, UserId, UserPage, UserQuery, UserSortField,
};
use sesame_testkit::contract::{
    self, authenticators, authorization_codes, challenges, housekeeping, keys, mfa_transactions,
    rate_batch, rate_budget, rate_limiter, refresh_tokens, user_profile, users,
};
// The module of the search checks, apart from the suite of the same name.
use sesame_testkit::contract::user_search as search_checks;
use sesame_testkit::{
    MemoryAuthenticatorStore, MemoryKeyStore, MemoryMfaTransactionStore, MemoryRateLimiter,
    MemoryRefreshTokenStore, MemoryUserStore,
};

/// Whether `check` panics.
async fn fails(check: impl Future<Output = ()>) -> bool {
    AssertUnwindSafe(check).catch_unwind().await.is_err()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Bug {
    None,
    KeepsReplacedIds,
    RacyConsume,
    InclusiveExpiry,
    DropsAuthParams,
    PurgesTheCutoff,
    LinkDiesWithTheCode,
}

/// A challenge store with one chosen bug.
struct BuggyChallenges {
    bug: Bug,
    by_id: Mutex<HashMap<ChallengeId, Challenge>>,
    by_key: Mutex<HashMap<ChallengeKey, ChallengeId>>,
}

impl BuggyChallenges {
    fn new(bug: Bug) -> Self {
        Self {
            bug,
            by_id: Mutex::default(),
            by_key: Mutex::default(),
        }
    }
}

#[async_trait]
impl ChallengeStore for BuggyChallenges {
    async fn put(&self, ch: &Challenge) -> Result<(), StoreError> {
        let mut stored = ch.clone();
        if self.bug == Bug::DropsAuthParams {
            stored.auth_params.nonce = None;
        }
        let old = self.by_key.lock().unwrap().insert(ch.key(), ch.id.clone());
        let mut by_id = self.by_id.lock().unwrap();
        if let Some(old) = old
            && self.bug != Bug::KeepsReplacedIds
        {
            by_id.remove(&old);
        }
        by_id.insert(ch.id.clone(), stored);
        Ok(())
    }

    async fn latest(&self, key: &ChallengeKey) -> Result<Option<Challenge>, StoreError> {
        let id = self.by_key.lock().unwrap().get(key).cloned();
        Ok(id.and_then(|id| self.by_id.lock().unwrap().get(&id).cloned()))
    }

    async fn record_failure(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
    ) -> Result<Option<u32>, StoreError> {
        let mut by_id = self.by_id.lock().unwrap();
        Ok(by_id
            .get_mut(id)
            .filter(|c| !c.consumed && c.attempts_left > 0)
            .map(|c| {
                c.attempts_left -= 1;
                c.attempts_left
            }))
    }

    async fn consume_link(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        if self.bug == Bug::LinkDiesWithTheCode {
            return self.consume(key, id, now).await;
        }
        let mut by_id = self.by_id.lock().unwrap();
        let live = by_id.get(id).is_some_and(|c| c.link_is_live_at(now));
        if live && let Some(c) = by_id.get_mut(id) {
            c.consumed = true;
        }
        Ok(live)
    }

    async fn consume(
        &self,
        _key: &ChallengeKey,
        id: &ChallengeId,
        now: Timestamp,
    ) -> Result<bool, StoreError> {
        let is_live = |c: &Challenge| {
            let expired = if self.bug == Bug::InclusiveExpiry {
                now > c.expires_at
            } else {
                now >= c.expires_at
            };
            !c.consumed && c.attempts_left > 0 && !expired
        };
        if self.bug != Bug::RacyConsume {
            // Check and flip under one lock: atomic, as the port demands.
            let mut by_id = self.by_id.lock().unwrap();
            let live = by_id.get(id).is_some_and(is_live);
            if live && let Some(c) = by_id.get_mut(id) {
                c.consumed = true;
            }
            return Ok(live);
        }
        // The bug: check, let others in, then flip.
        let live = self.by_id.lock().unwrap().get(id).is_some_and(is_live);
        tokio::time::sleep(Duration::from_millis(5)).await;
        if live && let Some(c) = self.by_id.lock().unwrap().get_mut(id) {
            c.consumed = true;
        }
        Ok(live)
    }

    async fn delete(&self, _key: &ChallengeKey, id: &ChallengeId) -> Result<(), StoreError> {
        self.by_id.lock().unwrap().remove(id);
        Ok(())
    }
}

#[async_trait]
impl Housekeeping for BuggyChallenges {
    fn name(&self) -> &'static str {
        "buggy-challenges"
    }

    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        let before = cutoff(now, EXPIRED_CHALLENGE_RETENTION);
        let mut by_id = self.by_id.lock().unwrap();
        let n = by_id.len();
        if self.bug == Bug::PurgesTheCutoff {
            by_id.retain(|_, c| c.expires_at > before);
        } else {
            by_id.retain(|_, c| c.expires_at >= before);
        }
        Ok(PurgeReport {
            challenges: (n - by_id.len()) as u64,
            ..PurgeReport::default()
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_challenge_checks_pass_the_bug_free_store_and_catch_each_bug() {
    let store = |bug| Arc::new(BuggyChallenges::new(bug));
    let dyn_store = |bug| store(bug) as Arc<dyn ChallengeStore>;
    let s = store(Bug::None);
    assert!(!fails(contract::challenge_store(s.clone())).await);
    assert!(!fails(contract::challenge_retention(s.clone(), s)).await);
    let s = store(Bug::KeepsReplacedIds);
    assert!(fails(challenges::put_replaces_the_earlier_challenge(s.as_ref())).await);
    let s = dyn_store(Bug::RacyConsume);
    assert!(fails(challenges::consume_is_atomic_under_concurrency(&s)).await);
    let s = store(Bug::InclusiveExpiry);
    assert!(fails(challenges::consume_refuses_an_expired_challenge(s.as_ref())).await);
    let s = store(Bug::DropsAuthParams);
    assert!(fails(challenges::every_field_round_trips(s.as_ref())).await);
    let s = store(Bug::LinkDiesWithTheCode);
    assert!(fails(challenges::a_link_outlives_its_codes_attempts(s.as_ref())).await);
    let s = store(Bug::PurgesTheCutoff);
    assert!(
        fails(housekeeping::challenges_past_their_retention_are_purged(
            s.as_ref(),
            s.as_ref()
        ))
        .await
    );
}

/// Creates check for an existing user, then insert after a pause: a race.
#[derive(Default)]
struct RacyUsers(Mutex<Vec<User>>);

#[async_trait]
impl UserStore for RacyUsers {
    async fn find(&self, r: &Recipient) -> Result<Option<User>, StoreError> {
        Ok(self
            .0
            .lock()
            .unwrap()
            .iter()
            .find(|u| &u.recipient == r)
            .cloned())
    }
    async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        Ok(self.0.lock().unwrap().iter().find(|u| &u.id == id).cloned())
    }
    async fn create(&self, user: &User) -> Result<User, StoreError> {
        if let Some(u) = self.find(&user.recipient).await? {
            return Ok(u);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        self.0.lock().unwrap().push(user.clone());
        Ok(user.clone())
    }
    async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError> {
        let mut users = self.0.lock().unwrap();
        Ok(users.iter_mut().find(|u| &u.id == id).map(|u| {
            u.logins_count += 1;
            u.verified = true;
            u.last_login = Some(at);
            u.clone()
        }))
    }
    async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError> {
        let mut users = self.0.lock().unwrap();
        Ok(users
            .iter_mut()
            .find(|u| &u.id == id)
            .map(|u| u.blocked = blocked)
            .is_some())
    }
    async fn update_profile(
        &self,
        id: &UserId,
        change: &ProfileChange,
    ) -> Result<ProfileUpdate, StoreError> {
        // Reads, pauses, writes the whole user back: a lost update.
        let Some(user) = self.get(id).await? else {
            return Ok(ProfileUpdate::NoSuchUser);
        };
        let next = match change.apply(&user) {
            Ok(next) => next,
            Err(too_large) => return Ok(ProfileUpdate::TooLarge(too_large.0)),
        };
        tokio::time::sleep(Duration::from_millis(5)).await;
        let mut users = self.0.lock().unwrap();
        for u in users.iter_mut().filter(|u| &u.id == id) {
            *u = next.clone();
        }
        Ok(ProfileUpdate::Applied(next))
    }
    async fn search(&self, query: &UserQuery) -> Result<UserPage, StoreError> {
        let mut found: Vec<User> = self
            .0
            .lock()
            .unwrap()
            .iter()
            .filter(|u| query.matches(u))
            .cloned()
            .collect();
        query.sort(&mut found);
        let total = found.len() as u64;
        let skip = u64::from(query.page) * u64::from(query.per_page);
        let users = found
            .into_iter()
            .skip(usize::try_from(skip).unwrap())
            .take(usize::try_from(query.per_page).unwrap())
            .collect();
        Ok(UserPage { users, total })
    }
    async fn delete(&self, id: &UserId) -> Result<bool, StoreError> {
        let mut users = self.0.lock().unwrap();
        let before = users.len();
        users.retain(|u| &u.id != id);
        Ok(users.len() < before)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_user_creation_is_caught() {
    let good: Arc<dyn UserStore> = Arc::new(MemoryUserStore::new());
    assert!(!fails(users::concurrent_creates_make_one_user(&good)).await);
    let racy: Arc<dyn UserStore> = Arc::new(RacyUsers::default());
    assert!(fails(users::concurrent_creates_make_one_user(&racy)).await);
}

/// Merges metadata as JSON Merge Patch (RFC 7396, SQLite's `json_patch`)
/// does, atomically: nested objects merged, a `null` removing at every
/// level, an empty patch changing nothing. Not Auth0's merge.
#[derive(Default)]
struct MergePatchProfiles(RacyUsers);

fn merge_patch(
    target: &mut serde_json::Map<String, Value>,
    patch: &serde_json::Map<String, Value>,
) {
    for (k, v) in patch {
        match v {
            Value::Null => {
                target.remove(k);
            }
            Value::Object(p) => {
                let entry = target
                    .entry(k.clone())
                    .or_insert_with(|| Value::Object(serde_json::Map::new()));
                if !entry.is_object() {
                    *entry = Value::Object(serde_json::Map::new());
                }
                if let Value::Object(t) = entry {
                    merge_patch(t, p);
                }
            }
            other => {
                target.insert(k.clone(), other.clone());
            }
        }
    }
}

#[async_trait]
impl UserStore for MergePatchProfiles {
    async fn find(&self, r: &Recipient) -> Result<Option<User>, StoreError> {
        self.0.find(r).await
    }
    async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        self.0.get(id).await
    }
    async fn create(&self, user: &User) -> Result<User, StoreError> {
        self.0.create(user).await
    }
    async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError> {
        self.0.record_login(id, at).await
    }
    async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError> {
        self.0.set_blocked(id, blocked).await
    }
    async fn update_profile(
        &self,
        id: &UserId,
        change: &ProfileChange,
    ) -> Result<ProfileUpdate, StoreError> {
        let mut users = self.0.0.lock().unwrap();
        let Some(user) = users.iter_mut().find(|u| &u.id == id) else {
            return Ok(ProfileUpdate::NoSuchUser);
        };
        if let Some(verified) = change.verified {
            user.verified = verified;
        }
        if let Some(patch) = &change.user_metadata {
            merge_patch(&mut user.user_metadata, patch);
        }
        if let Some(patch) = &change.app_metadata {
            merge_patch(&mut user.app_metadata, patch);
        }
        user.profile_updated_at = Some(change.at);
        Ok(ProfileUpdate::Applied(user.clone()))
    }
    async fn search(&self, query: &UserQuery) -> Result<UserPage, StoreError> {
        self.0.search(query).await
    }
    async fn delete(&self, id: &UserId) -> Result<bool, StoreError> {
        self.0.delete(id).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_profile_checks_catch_lost_properties_and_merge_patch_semantics() {
    let good: Arc<dyn UserStore> = Arc::new(MemoryUserStore::new());
    assert!(!fails(user_profile::concurrent_updates_of_different_keys_all_survive(&good)).await);
    // A read, a pause and a whole-user write: right one at a time, but
    // concurrent updates lose each other's properties.
    let lossy: Arc<dyn UserStore> = Arc::new(RacyUsers::default());
    assert!(
        !fails(user_profile::metadata_merges_at_the_root_only(
            lossy.as_ref()
        ))
        .await
    );
    assert!(fails(user_profile::concurrent_updates_of_different_keys_all_survive(&lossy)).await);
    // Atomic, but RFC 7396's merge rather than Auth0's.
    let patchy: Arc<dyn UserStore> = Arc::new(MergePatchProfiles::default());
    assert!(!fails(user_profile::concurrent_updates_of_different_keys_all_survive(&patchy)).await);
    assert!(
        fails(user_profile::metadata_merges_at_the_root_only(
            patchy.as_ref()
        ))
        .await
    );
    assert!(
        fails(user_profile::null_removes_a_property_and_an_empty_object_clears(patchy.as_ref()))
            .await
    );
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum SearchBug {
    None,
    /// `search` drops every `Blocked` filter.
    IgnoresBlocked,
    /// `search` sorts users without a login after every login, ascending.
    NullLoginsLast,
    /// `search` counts only the users of its page.
    CountsThePage,
    /// `delete` removes the user, but `find` still finds it by recipient.
    KeepsTheRecipient,
    /// `delete` says it removed a user even when there was none.
    AlwaysDeletes,
}

/// A user store whose `search` or `delete` has one chosen bug, over
/// `RacyUsers` (whose racy `create` the search checks never race).
struct BuggyUserSearch {
    bug: SearchBug,
    users: RacyUsers,
    /// Recipients whose user `KeepsTheRecipient` deleted, still found.
    ghosts: Mutex<HashMap<Recipient, User>>,
}

impl BuggyUserSearch {
    fn new(bug: SearchBug) -> Self {
        Self {
            bug,
            users: RacyUsers::default(),
            ghosts: Mutex::default(),
        }
    }
}

#[async_trait]
impl UserStore for BuggyUserSearch {
    async fn find(&self, r: &Recipient) -> Result<Option<User>, StoreError> {
        if let Some(ghost) = self.ghosts.lock().unwrap().get(r) {
            return Ok(Some(ghost.clone()));
        }
        self.users.find(r).await
    }
    async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        self.users.get(id).await
    }
    async fn create(&self, user: &User) -> Result<User, StoreError> {
        // Racy, but the search checks create one user at a time.
        self.users.create(user).await
    }
    async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError> {
        self.users.record_login(id, at).await
    }
    async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError> {
        self.users.set_blocked(id, blocked).await
    }
    async fn update_profile(
        &self,
        id: &UserId,
        change: &ProfileChange,
    ) -> Result<ProfileUpdate, StoreError> {
        self.users.update_profile(id, change).await
    }
    async fn search(&self, query: &UserQuery) -> Result<UserPage, StoreError> {
        let mut query = query.clone();
        if self.bug == SearchBug::IgnoresBlocked {
            query
                .filters
                .retain(|f| !matches!(f, UserFilter::Blocked(_)));
        }
        let mut page = self.users.search(&query).await?;
        if self.bug == SearchBug::NullLoginsLast
            && query.sort == Some((UserSortField::LastLogin, false))
        {
            // Stable: the rest keep their order.
            page.users.sort_by_key(|u| u.last_login.is_none());
        }
        if self.bug == SearchBug::CountsThePage {
            page.total = page.users.len() as u64;
        }
        Ok(page)
    }
    async fn delete(&self, id: &UserId) -> Result<bool, StoreError> {
        let doomed = self.users.get(id).await?;
        let deleted = self.users.delete(id).await?;
        if self.bug == SearchBug::KeepsTheRecipient
            && let Some(user) = doomed
        {
            self.ghosts
                .lock()
                .unwrap()
                .insert(user.recipient.clone(), user);
        }
        Ok(deleted || self.bug == SearchBug::AlwaysDeletes)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_user_search_checks_pass_the_bug_free_stores_and_catch_each_bug() {
    let memory = Arc::new(MemoryUserStore::new());
    assert!(!fails(contract::user_search(memory.clone())).await);
    assert!(!fails(contract::user_store(memory)).await);
    assert!(
        !fails(contract::user_search(Arc::new(BuggyUserSearch::new(
            SearchBug::None
        ))))
        .await
    );
    let s = BuggyUserSearch::new(SearchBug::IgnoresBlocked);
    assert!(fails(search_checks::blocked_alone_returns_only_users_in_that_state(&s)).await);
    assert!(fails(search_checks::combined_filters_must_all_hold(&s)).await);
    assert!(fails(search_checks::blocked_with_logins_at_least_finds_the_intersection(&s)).await);
    assert!(!fails(search_checks::pages_split_the_matches_and_each_counts_them_all(&s)).await);
    let s = BuggyUserSearch::new(SearchBug::NullLoginsLast);
    assert!(
        fails(search_checks::a_user_without_a_login_sorts_first_ascending_and_last_descending(&s))
            .await
    );
    assert!(
        fails(search_checks::every_sort_field_orders_both_ways_with_ids_breaking_ties(&s)).await
    );
    let s = BuggyUserSearch::new(SearchBug::CountsThePage);
    assert!(
        !fails(search_checks::a_filter_naming_a_user_finds_only_that_user(
            &s
        ))
        .await
    );
    assert!(fails(search_checks::pages_split_the_matches_and_each_counts_them_all(&s)).await);
    let s = BuggyUserSearch::new(SearchBug::KeepsTheRecipient);
    assert!(fails(search_checks::delete_removes_exactly_that_user(&s)).await);
    assert!(fails(search_checks::a_deleted_users_recipient_signs_up_afresh(&s)).await);
    let s = BuggyUserSearch::new(SearchBug::AlwaysDeletes);
    assert!(!fails(search_checks::a_deleted_users_recipient_signs_up_afresh(&s)).await);
    assert!(fails(search_checks::delete_removes_exactly_that_user(&s)).await);
}

/// Rotates whatever the expectation: no compare-and-set.
#[derive(Default)]
struct NoCasKeys(MemoryKeyStore);

#[async_trait]
impl KeyStore for NoCasKeys {
    async fn active(&self) -> Result<Vec<SigningKey>, StoreError> {
        self.0.active().await
    }
    async fn rotate(&self, new: &SigningKey, _: Option<&str>) -> Result<bool, StoreError> {
        let current = self
            .0
            .active()
            .await?
            .into_iter()
            .find(|k| k.alg == new.alg && k.status == KeyStatus::Current);
        self.0
            .rotate(new, current.as_ref().map(|k| k.kid.as_str()))
            .await
    }
    async fn reseal(&self, kid: &str, _: &[u8], to: &[u8]) -> Result<bool, StoreError> {
        let stored = self.0.active().await?.into_iter().find(|k| k.kid == kid);
        match stored {
            Some(k) => self.0.reseal(kid, k.private_der(), to).await,
            None => Ok(false),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn key_rotation_without_compare_and_set_is_caught() {
    let store: Arc<dyn KeyStore> = Arc::new(NoCasKeys::default());
    assert!(fails(keys::a_wrong_expectation_changes_nothing(store.as_ref())).await);
    let store: Arc<dyn KeyStore> = Arc::new(NoCasKeys::default());
    assert!(fails(keys::concurrent_rotations_elect_exactly_one(&store)).await);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reseal_without_compare_and_set_is_caught() {
    let good: Arc<dyn KeyStore> = Arc::new(MemoryKeyStore::new());
    assert!(
        !fails(keys::reseal_is_a_compare_and_set_on_the_private_bytes(
            &good
        ))
        .await
    );
    let store: Arc<dyn KeyStore> = Arc::new(NoCasKeys::default());
    assert!(
        fails(keys::reseal_is_a_compare_and_set_on_the_private_bytes(
            &store
        ))
        .await
    );
}

/// Forgets a revoked family, so later reuses are `Invalid` not `Reused`.
#[derive(Default)]
struct ForgetfulRefresh(MemoryRefreshTokenStore, Mutex<HashSet<String>>);

#[async_trait]
impl RefreshTokenStore for ForgetfulRefresh {
    async fn insert(&self, r: &RefreshTokenRecord) -> Result<(), StoreError> {
        self.0.insert(r).await
    }
    async fn find(&self, mac: &CodeMac) -> Result<Option<RefreshTokenRecord>, StoreError> {
        self.0.find(mac).await
    }
    async fn rotate(
        &self,
        presented: &CodeMac,
        replacement: &CodeMac,
        now: Timestamp,
        idle: Duration,
    ) -> Result<Rotation, StoreError> {
        match self.0.rotate(presented, replacement, now, idle).await? {
            Rotation::Reused { family_id } if !self.1.lock().unwrap().insert(family_id.clone()) => {
                Ok(Rotation::Invalid)
            }
            other => Ok(other),
        }
    }
    async fn revoke_family(&self, family_id: &str) -> Result<(), StoreError> {
        self.0.revoke_family(family_id).await
    }
    async fn revoke_user(&self, user: &UserId) -> Result<(), StoreError> {
        self.0.revoke_user(user).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn losers_of_a_rotation_race_told_invalid_are_caught() {
    let store: Arc<dyn RefreshTokenStore> = Arc::new(ForgetfulRefresh::default());
    assert!(
        !fails(refresh_tokens::reusing_a_spent_token_revokes_the_family(
            store.as_ref()
        ))
        .await
    );
    assert!(fails(refresh_tokens::concurrent_rotations_rotate_once(&store)).await);
}

/// Sliding windows that start at the first hit instead of at `k·w`.
#[derive(Default)]
struct UnalignedWindows(MemoryRateLimiter);

#[async_trait]
impl RateLimiter for UnalignedWindows {
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let d = self.0.hit(key, rule, now).await?;
        Ok(RateDecision {
            reset_at: now.plus(rule.window),
            ..d
        })
    }
    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        self.0.peek(key, rule, now).await
    }
    async fn reserve(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        self.0.reserve(key, rule, now).await
    }
    async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        self.0.release(key, rule, now).await
    }
    async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        self.0.reset(key, rule, now).await
    }
}

/// Today's `peek`-then-count, as a reservation: concurrent callers all pass
/// the peek before any of them counts.
#[derive(Default)]
struct PeekThenHit(MemoryRateLimiter);

#[async_trait]
impl RateLimiter for PeekThenHit {
    async fn hit(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        self.0.hit(key, rule, now).await
    }
    async fn peek(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        self.0.peek(key, rule, now).await
    }
    async fn reserve(
        &self,
        key: &str,
        rule: RateLimit,
        now: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        let before = self.0.peek(key, rule, now).await?;
        if !before.allowed {
            return Ok(before);
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
        let d = self.0.hit(key, rule, now).await?;
        Ok(RateDecision { allowed: true, ..d })
    }
    async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        self.0.release(key, rule, now).await
    }
    async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        self.0.reset(key, rule, now).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_reservation_that_peeks_then_counts_is_caught_overshooting() {
    let racy: Arc<dyn RateLimiter> = Arc::new(PeekThenHit::default());
    assert!(fails(rate_budget::concurrent_reservations_never_overshoot_the_limit(&racy)).await);
    let sound: Arc<dyn RateLimiter> = Arc::new(MemoryRateLimiter::new());
    assert!(!fails(rate_budget::concurrent_reservations_never_overshoot_the_limit(&sound)).await);
}

/// A batch that takes what has room and refuses the rest: not all or
/// nothing.
#[derive(Default)]
struct PartialBatch(MemoryRateLimiter);

#[async_trait]
impl RateLimiter for PartialBatch {
    async fn hit(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<RateDecision, StoreError> {
        self.0.hit(k, r, n).await
    }
    async fn peek(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<RateDecision, StoreError> {
        self.0.peek(k, r, n).await
    }
    async fn reserve(
        &self,
        k: &str,
        r: RateLimit,
        n: Timestamp,
    ) -> Result<RateDecision, StoreError> {
        self.0.reserve(k, r, n).await
    }
    async fn release(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<(), StoreError> {
        self.0.release(k, r, n).await
    }
    async fn reset(&self, k: &str, r: RateLimit, n: Timestamp) -> Result<(), StoreError> {
        self.0.reset(k, r, n).await
    }
    async fn reserve_all(
        &self,
        take: &[RateKey<'_>],
        _need: &[RateKey<'_>],
        now: Timestamp,
    ) -> Result<Reservation, StoreError> {
        let mut taken = Vec::new();
        let mut refused = None;
        for (i, k) in take.iter().enumerate() {
            let d = self.0.reserve(k.key, k.rule, now).await?;
            if d.allowed {
                taken.push(d);
            } else if refused.is_none() {
                refused = Some((i, d));
            }
        }
        Ok(match refused {
            Some((i, decision)) => Reservation::Refused {
                by: Refuser::Take(i),
                decision,
            },
            None => Reservation::Taken(taken),
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_batch_that_takes_part_of_itself_is_caught() {
    let partial: Arc<dyn RateLimiter> = Arc::new(PartialBatch::default());
    assert!(
        fails(rate_batch::a_batch_without_room_somewhere_takes_nothing(
            partial.as_ref()
        ))
        .await
    );
    assert!(fails(rate_batch::concurrent_batches_take_all_or_nothing(&partial)).await);
    assert!(
        !fails(rate_batch::a_batch_with_room_takes_one_unit_of_each_counter(partial.as_ref()))
            .await
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn unaligned_rate_limit_windows_are_caught() {
    let limiter = UnalignedWindows::default();
    assert!(
        fails(rate_limiter::reset_at_is_the_end_of_the_aligned_window(
            &limiter
        ))
        .await
    );
    assert!(!fails(rate_limiter::peek_does_not_count(&limiter)).await);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum CodeBug {
    None,
    RacyRedeem,
    InclusiveExpiry,
    RefusalSpends,
    RecordsAfterReplay,
    ReplayForgetsFamily,
    PurgesTheCutoff,
    NeverPurges,
}

/// One stored code: the record, spent, replayed, family.
type CodeEntry = (AuthorizationCode, bool, bool, Option<String>);

/// An authorization-code store with one chosen bug.
struct BuggyCodes {
    bug: CodeBug,
    codes: Mutex<HashMap<CodeMac, CodeEntry>>,
}

impl BuggyCodes {
    fn new(bug: CodeBug) -> Self {
        Self {
            bug,
            codes: Mutex::default(),
        }
    }
}

#[async_trait]
impl AuthorizationCodeStore for BuggyCodes {
    async fn insert(&self, code: &AuthorizationCode) -> Result<(), StoreError> {
        self.codes
            .lock()
            .unwrap()
            .insert(code.code_mac.clone(), (code.clone(), false, false, None));
        Ok(())
    }

    async fn redeem(&self, mac: &CodeMac, now: Timestamp) -> Result<Redemption, StoreError> {
        if self.bug == CodeBug::RacyRedeem {
            let live = self
                .codes
                .lock()
                .unwrap()
                .get(mac)
                .is_some_and(|e| !e.1 && now < e.0.expires_at);
            tokio::time::sleep(Duration::from_millis(5)).await;
            if live {
                let mut codes = self.codes.lock().unwrap();
                let e = codes.get_mut(mac).unwrap();
                e.1 = true;
                return Ok(Redemption::Redeemed(e.0.clone()));
            }
        }
        let mut codes = self.codes.lock().unwrap();
        let Some(e) = codes.get_mut(mac) else {
            return Ok(Redemption::Invalid);
        };
        if e.1 {
            e.2 = true;
            let family_id = if self.bug == CodeBug::ReplayForgetsFamily {
                None
            } else {
                e.3.clone()
            };
            return Ok(Redemption::Reused { family_id });
        }
        let expired = if self.bug == CodeBug::InclusiveExpiry {
            now > e.0.expires_at
        } else {
            now >= e.0.expires_at
        };
        if expired {
            if self.bug == CodeBug::RefusalSpends {
                e.1 = true;
            }
            return Ok(Redemption::Invalid);
        }
        e.1 = true;
        Ok(Redemption::Redeemed(e.0.clone()))
    }

    async fn record_family(&self, mac: &CodeMac, family_id: &str) -> Result<bool, StoreError> {
        let mut codes = self.codes.lock().unwrap();
        match codes.get_mut(mac) {
            Some(e) if !e.2 || self.bug == CodeBug::RecordsAfterReplay => {
                e.3 = Some(family_id.to_owned());
                Ok(true)
            }
            _ => Ok(false),
        }
    }
}

#[async_trait]
impl Housekeeping for BuggyCodes {
    fn name(&self) -> &'static str {
        "buggy-codes"
    }

    async fn purge_once(&self, now: Timestamp) -> Result<PurgeReport, StoreError> {
        let before = cutoff(now, AUTHORIZATION_CODE_RETENTION);
        let mut codes = self.codes.lock().unwrap();
        let n = codes.len();
        match self.bug {
            CodeBug::NeverPurges => {}
            CodeBug::PurgesTheCutoff => codes.retain(|_, e| e.0.expires_at > before),
            _ => codes.retain(|_, e| e.0.expires_at >= before),
        }
        Ok(PurgeReport {
            authorization_codes: (n - codes.len()) as u64,
            ..PurgeReport::default()
        })
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_authorization_code_checks_pass_the_bug_free_store_and_catch_each_bug() {
    let store = |bug| Arc::new(BuggyCodes::new(bug));
    let s = store(CodeBug::None);
    assert!(!fails(contract::authorization_code_store(s.clone())).await);
    assert!(!fails(contract::authorization_code_retention(s.clone(), s)).await);
    let s: Arc<dyn AuthorizationCodeStore> = store(CodeBug::RacyRedeem);
    assert!(
        fails(authorization_codes::concurrent_redeems_spend_the_code_once(
            &s
        ))
        .await
    );
    let s = store(CodeBug::InclusiveExpiry);
    assert!(
        fails(authorization_codes::a_code_is_invalid_from_its_expiry_on(
            s.as_ref()
        ))
        .await
    );
    let s = store(CodeBug::RefusalSpends);
    assert!(
        fails(authorization_codes::a_code_is_invalid_from_its_expiry_on(
            s.as_ref()
        ))
        .await
    );
    let s = store(CodeBug::RecordsAfterReplay);
    assert!(
        fails(authorization_codes::record_family_after_a_replay_returns_false(s.as_ref())).await
    );
    let s = store(CodeBug::ReplayForgetsFamily);
    assert!(
        fails(authorization_codes::a_replay_names_the_recorded_family(
            s.as_ref()
        ))
        .await
    );
    let s = store(CodeBug::PurgesTheCutoff);
    assert!(
        fails(
            housekeeping::authorization_codes_within_their_retention_are_kept(
                s.as_ref(),
                s.as_ref()
            )
        )
        .await
    );
    let s = store(CodeBug::NeverPurges);
    assert!(
        !fails(
            housekeeping::authorization_codes_within_their_retention_are_kept(
                s.as_ref(),
                s.as_ref()
            )
        )
        .await
    );
    assert!(
        fails(
            housekeeping::authorization_codes_past_their_retention_are_purged(
                s.as_ref(),
                s.as_ref()
            )
        )
        .await
    );
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AuthBug {
    None,
    /// `record_use` accepts any step, so a TOTP code passes twice.
    IgnoresStep,
    /// `record_use` checks the step, lets others in, then records it.
    RacyRecordUse,
    /// `replace_secret` replaces whatever the current secret.
    ReplacesWithoutComparing,
    /// `delete` finds the authenticator by id alone.
    DeletesById,
}

/// An authenticator store with one chosen bug.
struct BuggyAuthenticators {
    bug: AuthBug,
    all: Mutex<Vec<Authenticator>>,
}

impl BuggyAuthenticators {
    fn new(bug: AuthBug) -> Self {
        Self {
            bug,
            all: Mutex::default(),
        }
    }

    fn find(&self, user: &UserId, id: &AuthenticatorId) -> Option<Authenticator> {
        let all = self.all.lock().unwrap();
        all.iter()
            .find(|a| &a.user_id == user && &a.id == id)
            .cloned()
    }

    /// Applies `change` to `user`'s authenticator `id`; whether there was one.
    fn update(
        &self,
        user: &UserId,
        id: &AuthenticatorId,
        change: impl FnOnce(&mut Authenticator),
    ) -> bool {
        let mut all = self.all.lock().unwrap();
        all.iter_mut()
            .find(|a| &a.user_id == user && &a.id == id)
            .map(change)
            .is_some()
    }
}

#[async_trait]
impl AuthenticatorStore for BuggyAuthenticators {
    async fn list(&self, user: &UserId) -> Result<Vec<Authenticator>, StoreError> {
        let all = self.all.lock().unwrap();
        Ok(all.iter().filter(|a| &a.user_id == user).cloned().collect())
    }

    async fn insert(&self, authenticator: &Authenticator) -> Result<(), StoreError> {
        self.all.lock().unwrap().push(authenticator.clone());
        Ok(())
    }

    async fn delete_inactive(&self, user: &UserId) -> Result<u64, StoreError> {
        let mut all = self.all.lock().unwrap();
        let before = all.len();
        all.retain(|a| &a.user_id != user || a.active);
        Ok((before - all.len()) as u64)
    }

    async fn delete(&self, user: &UserId, id: &AuthenticatorId) -> Result<bool, StoreError> {
        let by_id = self.bug == AuthBug::DeletesById;
        let mut all = self.all.lock().unwrap();
        let before = all.len();
        all.retain(|a| !((by_id || &a.user_id == user) && &a.id == id));
        Ok(all.len() < before)
    }

    async fn activate(&self, user: &UserId, id: &AuthenticatorId) -> Result<bool, StoreError> {
        Ok(self.update(user, id, |a| a.active = true))
    }

    async fn record_use(
        &self,
        user: &UserId,
        id: &AuthenticatorId,
        step: Option<i64>,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let Some(found) = self.find(user, id) else {
            return Ok(false);
        };
        let fresh = |last: Option<i64>| match (step, last) {
            (Some(step), Some(last)) => self.bug == AuthBug::IgnoresStep || last < step,
            _ => true,
        };
        if self.bug == AuthBug::RacyRecordUse {
            if !fresh(found.last_step) {
                return Ok(false);
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
            return Ok(self.update(user, id, |a| {
                a.active = true;
                a.last_used = Some(at);
                a.last_step = step.or(a.last_step);
            }));
        }
        let mut passed = false;
        self.update(user, id, |a| {
            if fresh(a.last_step) {
                a.active = true;
                a.last_used = Some(at);
                a.last_step = step.or(a.last_step);
                passed = true;
            }
        });
        Ok(passed)
    }

    async fn replace_secret(
        &self,
        user: &UserId,
        id: &AuthenticatorId,
        current: &AuthenticatorSecret,
        next: &AuthenticatorSecret,
        at: Timestamp,
    ) -> Result<bool, StoreError> {
        let compare = self.bug != AuthBug::ReplacesWithoutComparing;
        let mut passed = false;
        self.update(user, id, |a| {
            if !compare || &a.secret == current {
                a.secret = next.clone();
                a.active = true;
                a.last_used = Some(at);
                passed = true;
            }
        });
        Ok(passed)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_authenticator_checks_pass_the_bug_free_store_and_catch_each_bug() {
    let store = |bug| Arc::new(BuggyAuthenticators::new(bug));
    assert!(!fails(contract::authenticator_store(store(AuthBug::None))).await);
    assert!(
        !fails(contract::authenticator_store(Arc::new(
            MemoryAuthenticatorStore::default()
        )))
        .await
    );
    let s = store(AuthBug::IgnoresStep);
    assert!(
        fails(authenticators::record_use_with_a_step_accepts_only_a_later_step(s.as_ref())).await
    );
    let s: Arc<dyn AuthenticatorStore> = store(AuthBug::RacyRecordUse);
    assert!(
        !fails(authenticators::record_use_with_a_step_accepts_only_a_later_step(s.as_ref())).await
    );
    assert!(fails(authenticators::concurrent_uses_of_one_step_pass_once(&s)).await);
    let s = store(AuthBug::ReplacesWithoutComparing);
    assert!(
        fails(authenticators::replace_secret_is_a_compare_and_swap(
            s.as_ref()
        ))
        .await
    );
    let s = store(AuthBug::DeletesById);
    assert!(fails(authenticators::delete_removes_only_that_users_authenticator(s.as_ref())).await);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum TicketBug {
    None,
    /// A ticket still counts at its `expires_at`.
    InclusiveExpiry,
    /// `get` removes the ticket, as `take` does.
    GetConsumes,
    /// `take` reads, lets others in, then removes.
    RacyTake,
}

/// An MFA ticket store with one chosen bug.
struct BuggyTickets {
    bug: TicketBug,
    tickets: Mutex<HashMap<CodeMac, MfaTicket>>,
}

impl BuggyTickets {
    fn new(bug: TicketBug) -> Self {
        Self {
            bug,
            tickets: Mutex::default(),
        }
    }

    fn live(&self, ticket: &MfaTicket, now: Timestamp) -> bool {
        if self.bug == TicketBug::InclusiveExpiry {
            ticket.expires_at() >= now
        } else {
            ticket.expires_at() > now
        }
    }
}

#[async_trait]
impl MfaTransactionStore for BuggyTickets {
    async fn put(&self, key: &CodeMac, ticket: &MfaTicket) -> Result<(), StoreError> {
        self.tickets
            .lock()
            .unwrap()
            .insert(key.clone(), ticket.clone());
        Ok(())
    }

    async fn get(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        if self.bug == TicketBug::GetConsumes {
            return self.take(key, now).await;
        }
        let tickets = self.tickets.lock().unwrap();
        Ok(tickets.get(key).filter(|t| self.live(t, now)).cloned())
    }

    async fn take(&self, key: &CodeMac, now: Timestamp) -> Result<Option<MfaTicket>, StoreError> {
        if self.bug == TicketBug::RacyTake {
            let found = self.tickets.lock().unwrap().get(key).cloned();
            tokio::time::sleep(Duration::from_millis(5)).await;
            self.tickets.lock().unwrap().remove(key);
            return Ok(found.filter(|t| self.live(t, now)));
        }
        let taken = self.tickets.lock().unwrap().remove(key);
        Ok(taken.filter(|t| self.live(t, now)))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_mfa_ticket_checks_pass_the_bug_free_store_and_catch_each_bug() {
    let store = |bug| Arc::new(BuggyTickets::new(bug));
    assert!(!fails(contract::mfa_transaction_store(store(TicketBug::None))).await);
    let memory = Arc::new(MemoryMfaTransactionStore::default());
    assert!(!fails(contract::mfa_transaction_store(memory.clone())).await);
    assert!(!fails(contract::mfa_ticket_retention(memory.clone(), memory)).await);
    let s = store(TicketBug::InclusiveExpiry);
    assert!(
        fails(mfa_transactions::a_ticket_is_gone_from_its_expiry_on(
            s.as_ref()
        ))
        .await
    );
    let s = store(TicketBug::GetConsumes);
    assert!(fails(mfa_transactions::get_does_not_consume(s.as_ref())).await);
    let s: Arc<dyn MfaTransactionStore> = store(TicketBug::RacyTake);
    assert!(!fails(mfa_transactions::take_returns_the_ticket_once(s.as_ref())).await);
    assert!(
        fails(mfa_transactions::concurrent_takes_hand_the_ticket_to_one(
            &s
        ))
        .await
    );
}

/// Forgets the second-factor flag of every token it stores.
#[derive(Default)]
struct ForgetsMfa(MemoryRefreshTokenStore);

#[async_trait]
impl RefreshTokenStore for ForgetsMfa {
    async fn insert(&self, r: &RefreshTokenRecord) -> Result<(), StoreError> {
        self.0
            .insert(&RefreshTokenRecord {
                mfa: false,
                ..r.clone()
            })
            .await
    }
    async fn find(&self, mac: &CodeMac) -> Result<Option<RefreshTokenRecord>, StoreError> {
        self.0.find(mac).await
    }
    async fn rotate(
        &self,
        presented: &CodeMac,
        replacement: &CodeMac,
        now: Timestamp,
        idle: Duration,
    ) -> Result<Rotation, StoreError> {
        self.0.rotate(presented, replacement, now, idle).await
    }
    async fn revoke_family(&self, family_id: &str) -> Result<(), StoreError> {
        self.0.revoke_family(family_id).await
    }
    async fn revoke_user(&self, user: &UserId) -> Result<(), StoreError> {
        self.0.revoke_user(user).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_refresh_store_that_forgets_the_second_factor_is_caught() {
    let store = ForgetsMfa::default();
    assert!(fails(refresh_tokens::every_field_round_trips(&store)).await);
    assert!(fails(refresh_tokens::the_second_factor_flag_survives_find_and_rotate(&store)).await);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RevokeUserBug {
    /// Revokes every family it holds, whoever's.
    RevokesEveryone,
    /// Revokes nothing.
    DoesNothing,
}

/// A refresh store whose `revoke_user` has one chosen bug.
struct BuggyUserRevocation {
    bug: RevokeUserBug,
    inner: MemoryRefreshTokenStore,
    families: Mutex<HashSet<String>>,
}

impl BuggyUserRevocation {
    fn new(bug: RevokeUserBug) -> Self {
        Self {
            bug,
            inner: MemoryRefreshTokenStore::new(),
            families: Mutex::default(),
        }
    }
}

#[async_trait]
impl RefreshTokenStore for BuggyUserRevocation {
    async fn insert(&self, r: &RefreshTokenRecord) -> Result<(), StoreError> {
        self.families.lock().unwrap().insert(r.family_id.clone());
        self.inner.insert(r).await
    }
    async fn find(&self, mac: &CodeMac) -> Result<Option<RefreshTokenRecord>, StoreError> {
        self.inner.find(mac).await
    }
    async fn rotate(
        &self,
        presented: &CodeMac,
        replacement: &CodeMac,
        now: Timestamp,
        idle: Duration,
    ) -> Result<Rotation, StoreError> {
        self.inner.rotate(presented, replacement, now, idle).await
    }
    async fn revoke_family(&self, family_id: &str) -> Result<(), StoreError> {
        self.inner.revoke_family(family_id).await
    }
    async fn revoke_user(&self, _user: &UserId) -> Result<(), StoreError> {
        if self.bug == RevokeUserBug::RevokesEveryone {
            let families: Vec<String> = self.families.lock().unwrap().iter().cloned().collect();
            for family_id in families {
                self.inner.revoke_family(&family_id).await?;
            }
        }
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_user_revocation_checks_pass_the_memory_store_and_catch_each_bug() {
    let memory = Arc::new(MemoryRefreshTokenStore::new());
    assert!(!fails(contract::refresh_token_store(memory)).await);
    for bug in [RevokeUserBug::RevokesEveryone, RevokeUserBug::DoesNothing] {
        let s = BuggyUserRevocation::new(bug);
        assert!(
            fails(refresh_tokens::revoke_user_revokes_every_family_of_that_user_and_no_other(&s))
                .await
        );
    }
    let s = BuggyUserRevocation::new(RevokeUserBug::DoesNothing);
    assert!(
        fails(refresh_tokens::revoke_user_is_idempotent_and_accepts_a_user_without_families(&s))
            .await
    );
}

/// The [`EventStore`](sesame_domain::ports::EventStore) checks, each
/// against a store with one chosen bug.
mod event_store {
    use std::sync::{Arc, Mutex};

    use async_trait::async_trait;
    use sesame_domain::Timestamp;
    use sesame_domain::event::{EventFilter, EventPage, EventQuery, LogEvent};
    use sesame_domain::ports::{EventStore, StoreError};
    use sesame_testkit::contract::{self, events};
    use sesame_testkit::memory::MemoryEventStore;

    use super::fails;

    #[derive(Clone, Copy, PartialEq, Eq)]
    enum EventBug {
        None,
        /// `search` ignores the `user_id` filter.
        IgnoresUserId,
        /// `search` lists oldest first, whatever the query asks.
        IgnoresOrder,
        /// `search` orders by `date`, ties in the order they were appended.
        OrdersByDate,
        /// `search` applies the offset and limit before ordering.
        SlicesBeforeOrdering,
        /// `search` finds the event `after_log_id` names too.
        InclusiveCheckpoint,
        /// `search` leaves out the events dated at `until`.
        ExclusiveUntil,
        /// `search` counts the page, not every match.
        CountsThePage,
        /// `append` replaces an event whose `log_id` is kept.
        ReplacesKept,
        /// `purge_before` removes the events dated at the cutoff too.
        PurgesTheCutoff,
    }

    /// An event store with one chosen bug, keeping events in the order
    /// they were appended.
    struct BuggyEvents {
        bug: EventBug,
        events: Mutex<Vec<LogEvent>>,
    }

    impl BuggyEvents {
        fn new(bug: EventBug) -> Self {
            Self {
                bug,
                events: Mutex::default(),
            }
        }

        fn matches(&self, filter: &EventFilter, e: &LogEvent) -> bool {
            let mut f = filter.clone();
            if self.bug == EventBug::IgnoresUserId {
                f.user_id = None;
            }
            if self.bug == EventBug::InclusiveCheckpoint
                && let Some(after) = f.after_log_id.take()
                && e.log_id < after
            {
                return false;
            }
            if self.bug == EventBug::ExclusiveUntil
                && let Some(until) = f.until.take()
                && e.date >= until
            {
                return false;
            }
            f.matches(e)
        }
    }

    /// The page of `query` out of `found`.
    fn slice<'a>(found: Vec<&'a LogEvent>, query: &EventQuery) -> Vec<&'a LogEvent> {
        found
            .into_iter()
            .skip(usize::try_from(query.offset).unwrap_or(usize::MAX))
            .take(query.limit as usize)
            .collect()
    }

    #[async_trait]
    impl EventStore for BuggyEvents {
        async fn append(&self, batch: &[LogEvent]) -> Result<(), StoreError> {
            let mut events = self.events.lock().unwrap();
            for event in batch {
                match events.iter_mut().find(|e| e.log_id == event.log_id) {
                    Some(kept) if self.bug == EventBug::ReplacesKept => *kept = event.clone(),
                    Some(_) => {}
                    None => events.push(event.clone()),
                }
            }
            Ok(())
        }

        async fn search(&self, query: &EventQuery) -> Result<EventPage, StoreError> {
            let events = self.events.lock().unwrap();
            let mut found: Vec<&LogEvent> = events
                .iter()
                .filter(|e| self.matches(&query.filter, e))
                .collect();
            let total = found.len() as u64;
            if self.bug == EventBug::SlicesBeforeOrdering {
                found = slice(found, query);
            }
            if self.bug == EventBug::OrdersByDate {
                found.sort_by_key(|e| e.date);
            } else {
                found.sort_by(|a, b| a.log_id.cmp(&b.log_id));
            }
            if query.newest_first && self.bug != EventBug::IgnoresOrder {
                found.reverse();
            }
            if self.bug != EventBug::SlicesBeforeOrdering {
                found = slice(found, query);
            }
            let total = if self.bug == EventBug::CountsThePage {
                found.len() as u64
            } else {
                total
            };
            Ok(EventPage {
                events: found.into_iter().cloned().collect(),
                total: query.with_total.then_some(total),
            })
        }

        async fn purge_before(&self, cutoff: Timestamp) -> Result<u64, StoreError> {
            let mut events = self.events.lock().unwrap();
            let before = events.len();
            if self.bug == EventBug::PurgesTheCutoff {
                events.retain(|e| e.date > cutoff);
            } else {
                events.retain(|e| e.date >= cutoff);
            }
            Ok((before - events.len()) as u64)
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn the_event_checks_pass_the_bug_free_stores_and_catch_each_bug() {
        let memory = Arc::new(MemoryEventStore::new());
        assert!(!fails(contract::event_store(memory.clone())).await);
        // Again on the same store: the checks need no empty store.
        assert!(!fails(contract::event_store(memory)).await);
        let bug_free = Arc::new(BuggyEvents::new(EventBug::None));
        assert!(!fails(contract::event_store(bug_free)).await);

        let s = BuggyEvents::new(EventBug::IgnoresUserId);
        assert!(fails(events::user_id_alone_finds_only_that_users_events(&s)).await);
        assert!(fails(events::filters_together_must_all_hold(&s)).await);
        assert!(!fails(events::client_id_alone_finds_only_that_clients_events(&s)).await);
        assert!(!fails(events::since_alone_is_inclusive(&s)).await);

        let s = BuggyEvents::new(EventBug::IgnoresOrder);
        assert!(fails(events::listings_follow_the_log_id_both_ways(&s)).await);
        assert!(fails(events::offset_and_limit_slice_after_ordering(&s)).await);
        assert!(!fails(events::an_event_kept_already_is_skipped(&s)).await);

        let s = BuggyEvents::new(EventBug::OrdersByDate);
        assert!(fails(events::listings_follow_the_log_id_both_ways(&s)).await);

        let s = BuggyEvents::new(EventBug::SlicesBeforeOrdering);
        assert!(fails(events::offset_and_limit_slice_after_ordering(&s)).await);

        let s = BuggyEvents::new(EventBug::InclusiveCheckpoint);
        assert!(fails(events::after_log_id_alone_is_exclusive(&s)).await);
        assert!(!fails(events::since_alone_is_inclusive(&s)).await);

        let s = BuggyEvents::new(EventBug::ExclusiveUntil);
        assert!(fails(events::until_alone_is_inclusive(&s)).await);
        assert!(!fails(events::since_alone_is_inclusive(&s)).await);

        let s = BuggyEvents::new(EventBug::CountsThePage);
        assert!(fails(events::with_total_counts_every_match_or_is_none(&s)).await);
        assert!(!fails(events::offset_and_limit_slice_after_ordering(&s)).await);

        let s = BuggyEvents::new(EventBug::ReplacesKept);
        assert!(fails(events::an_event_kept_already_is_skipped(&s)).await);
        assert!(!fails(events::every_field_round_trips(&s)).await);

        let s = BuggyEvents::new(EventBug::PurgesTheCutoff);
        assert!(fails(events::purge_before_removes_only_events_dated_before_the_cutoff(&s)).await);
        assert!(!fails(events::with_total_counts_every_match_or_is_none(&s)).await);
    }
}
