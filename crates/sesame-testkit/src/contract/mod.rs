//! One contract suite per storage port: the rules each port documents under
//! `# Errors`, checked against any adapter.
//!
//! An adapter crate runs each suite on its own instance from a
//! multi-threaded Tokio test, so the concurrency checks really race:
//!
//! ```no_run
//! # use std::sync::Arc;
//! # use sesame_testkit::{contract, MemoryChallengeStore};
//! #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
//! async fn the_store_keeps_the_challenge_store_contract() {
//!     contract::challenge_store(Arc::new(MemoryChallengeStore::new())).await;
//! }
//! ```
//!
//! A broken rule panics with a message starting `contract violated:` or an
//! assertion naming the rule. Each check is also public, in the submodule of
//! its port, so a failure can be reproduced alone.
//!
//! Every check works on fresh random ids and keys, so suites may share a
//! backend with other tests running in parallel, except [`key_store`],
//! which needs an empty key store of its own, and [`user_search()`] and
//! [`event_store`], of each of which one run at a time may use a store.
//! Instants are based on the real current time, since adapters with
//! native TTLs derive them from the instants they store; "expired"
//! instants stay well within their retention
//! ([`sesame_domain::retention`]), so that the [`housekeeping`] checks,
//! which purge as of one shared instant, leave them alone.

pub mod authenticators;
pub mod authorization_codes;
pub mod challenges;
pub mod delivery_queue;
pub mod dpop_replay;
pub mod events;
pub mod health;
pub mod housekeeping;
pub mod keys;
pub mod mfa_transactions;
pub mod rate_batch;
pub mod rate_budget;
pub mod rate_limiter;
pub mod redemption;
pub mod refresh_tokens;
pub mod registries;
pub mod steps;
mod support;
pub mod user_login;
pub mod user_profile;
pub mod user_search;
pub mod users;

use std::sync::Arc;

use sesame_domain::ports::{
    ApiRegistry, AuthenticatorStore, AuthorizationCodeStore, ChallengeStore, ClientRegistry,
    DpopReplayStore, HealthCheck, Housekeeping, KeyStore, MfaTransactionStore, RateLimiter,
    RefreshTokenStore, StepStore, UserStore,
};
use sesame_domain::{Api, Client};

/// Every [`ChallengeStore`] check, in [`challenges`].
pub async fn challenge_store(store: Arc<dyn ChallengeStore>) {
    let s = store.as_ref();
    challenges::every_field_round_trips(s).await;
    challenges::an_unknown_key_has_no_challenge(s).await;
    challenges::put_replaces_the_earlier_challenge(s).await;
    challenges::keys_are_independent(s).await;
    challenges::an_expired_challenge_stays_readable(s).await;
    challenges::consume_succeeds_exactly_once(s).await;
    challenges::consume_is_atomic_under_concurrency(&store).await;
    challenges::consume_refuses_an_expired_challenge(s).await;
    challenges::consume_refuses_an_exhausted_challenge(s).await;
    challenges::consume_refuses_an_unknown_id(s).await;
    challenges::a_link_outlives_its_codes_attempts(s).await;
    challenges::consume_link_refuses_consumed_expired_and_unknown(s).await;
    challenges::a_code_and_its_link_racing_consume_once(&store).await;
    challenges::record_failure_counts_down_to_zero_then_refuses(s).await;
    challenges::record_failure_is_atomic_under_concurrency(&store).await;
    challenges::record_failure_refuses_consumed_and_unknown(s).await;
    challenges::delete_removes_the_challenge_and_is_idempotent(s).await;
    challenges::deleting_a_replaced_challenge_keeps_its_successor(s).await;
}

/// Every [`UserStore`] check, in [`users`], [`user_login`] and
/// [`user_profile`].
pub async fn user_store(store: Arc<dyn UserStore>) {
    let s = store.as_ref();
    users::every_field_round_trips(s).await;
    users::unknown_users_are_not_found(s).await;
    users::create_returns_the_existing_user_for_a_known_recipient(s).await;
    users::concurrent_creates_make_one_user(&store).await;
    users::record_login_marks_verified_and_counts(s).await;
    users::record_login_of_an_unknown_user_is_none(s).await;
    users::record_login_is_atomic_under_concurrency(&store).await;
    users::set_blocked_blocks_and_unblocks(s).await;
    user_login::a_first_login_creates_the_user_with_its_login_recorded(s).await;
    user_login::without_a_candidate_an_unknown_recipient_gets_nothing(s).await;
    user_login::a_blocked_users_login_is_not_recorded(s).await;
    user_login::concurrent_first_logins_make_one_user_and_count_each(&store).await;
    user_profile::a_profile_round_trips_through_every_read(s).await;
    user_profile::metadata_merges_at_the_root_only(s).await;
    user_profile::null_removes_a_property_and_an_empty_object_clears(s).await;
    user_profile::the_verified_flag_changes_and_other_writes_keep_the_profile(s).await;
    user_profile::an_unknown_user_is_no_such_user(s).await;
    user_profile::an_object_over_the_limit_changes_nothing(s).await;
    user_profile::concurrent_updates_of_different_keys_all_survive(&store).await;
}

/// Every [`UserStore::search`] and [`UserStore::delete`] check, in
/// [`user_search`](mod@user_search). Run it on the store that runs
/// [`user_store`]; it may share the store with every other suite, but not
/// with another `user_search` running at the same time (its listings see
/// every user over a logins count that grows with the clock).
pub async fn user_search(store: Arc<dyn UserStore>) {
    let s = store.as_ref();
    user_search::a_filter_naming_a_user_finds_only_that_user(s).await;
    user_search::blocked_alone_returns_only_users_in_that_state(s).await;
    user_search::logins_at_least_alone_counts_from_n_inclusive(s).await;
    user_search::last_login_since_counts_from_t_inclusive(s).await;
    user_search::combined_filters_must_all_hold(s).await;
    user_search::blocked_with_logins_at_least_finds_the_intersection(s).await;
    user_search::pages_split_the_matches_and_each_counts_them_all(s).await;
    user_search::every_sort_field_orders_both_ways_with_ids_breaking_ties(s).await;
    user_search::a_user_without_a_login_sorts_first_ascending_and_last_descending(s).await;
    user_search::delete_removes_exactly_that_user(s).await;
    user_search::a_deleted_users_recipient_signs_up_afresh(s).await;
}

/// Every [`ClientRegistry`] check, in [`registries`], on registries that
/// `registry_of` builds holding the clients it is given:
///
/// ```no_run
/// # use std::sync::Arc;
/// # use sesame_testkit::{contract, MemoryClientRegistry};
/// # async fn demo() {
/// contract::client_registry(|clients| Arc::new(MemoryClientRegistry::with_clients(clients))).await;
/// # }
/// ```
pub async fn client_registry(registry_of: impl Fn(Vec<Client>) -> Arc<dyn ClientRegistry> + Sync) {
    registries::clients_round_trip_every_field(&registry_of).await;
    registries::an_unknown_client_is_not_found(&registry_of).await;
    registries::ids_list_every_registered_client_once(&registry_of).await;
}

/// Every [`ApiRegistry`] check, in [`registries`], on registries that
/// `registry_of` builds holding the APIs it is given.
pub async fn api_registry(registry_of: impl Fn(Vec<Api>) -> Arc<dyn ApiRegistry> + Sync) {
    registries::apis_round_trip_every_field(&registry_of).await;
    registries::apis_are_found_by_their_exact_identifier(&registry_of).await;
}

/// Every [`KeyStore`] check, in [`keys`]. Requires an EMPTY key store, used
/// by nothing else while the suite runs.
pub async fn key_store(store: Arc<dyn KeyStore>) {
    let s = store.as_ref();
    keys::an_empty_store_takes_a_first_key_only_when_expecting_none(s).await;
    keys::a_wrong_expectation_changes_nothing(s).await;
    keys::rotation_keeps_one_previous_key(s).await;
    keys::algorithms_are_independent(s).await;
    keys::concurrent_rotations_elect_exactly_one(&store).await;
    keys::reseal_is_a_compare_and_set_on_the_private_bytes(&store).await;
}

/// Every [`RefreshTokenStore`] check, in [`refresh_tokens`].
pub async fn refresh_token_store(store: Arc<dyn RefreshTokenStore>) {
    let s = store.as_ref();
    refresh_tokens::every_field_round_trips(s).await;
    refresh_tokens::the_second_factor_flag_survives_find_and_rotate(s).await;
    refresh_tokens::an_unknown_token_is_not_found(s).await;
    refresh_tokens::rotate_spends_the_token_and_stores_its_replacement(s).await;
    refresh_tokens::the_family_expiry_caps_the_replacement(s).await;
    refresh_tokens::reusing_a_spent_token_revokes_the_family(s).await;
    refresh_tokens::concurrent_rotations_rotate_once(&store).await;
    refresh_tokens::expired_and_unknown_tokens_are_invalid(s).await;
    refresh_tokens::revoke_family_is_idempotent(s).await;
    refresh_tokens::revoke_user_revokes_every_family_of_that_user_and_no_other(s).await;
    refresh_tokens::revoke_user_is_idempotent_and_accepts_a_user_without_families(s).await;
}

/// Every [`AuthorizationCodeStore`] check, in [`authorization_codes`].
pub async fn authorization_code_store(store: Arc<dyn AuthorizationCodeStore>) {
    let s = store.as_ref();
    authorization_codes::insert_then_redeem_returns_every_field_unchanged(s).await;
    authorization_codes::a_second_redeem_is_reused_without_a_family(s).await;
    authorization_codes::a_replay_names_the_recorded_family(s).await;
    authorization_codes::record_family_after_a_replay_returns_false(s).await;
    authorization_codes::record_family_of_an_unknown_code_returns_false(s).await;
    authorization_codes::an_unknown_code_is_invalid(s).await;
    authorization_codes::a_code_is_invalid_from_its_expiry_on(s).await;
    authorization_codes::concurrent_redeems_spend_the_code_once(&store).await;
    authorization_codes::record_family_and_a_replay_never_miss_each_other(&store).await;
}

/// Every [`AuthenticatorStore`] check, in [`authenticators`].
pub async fn authenticator_store(store: Arc<dyn AuthenticatorStore>) {
    let s = store.as_ref();
    authenticators::every_field_round_trips_oldest_first(s).await;
    authenticators::list_is_per_user(s).await;
    authenticators::delete_inactive_keeps_active_and_other_users_authenticators(s).await;
    authenticators::delete_removes_only_that_users_authenticator(s).await;
    authenticators::activate_changes_only_that_users_authenticator(s).await;
    authenticators::record_use_without_a_step_activates_and_sets_last_used(s).await;
    authenticators::record_use_with_a_step_accepts_only_a_later_step(s).await;
    authenticators::a_refused_step_does_not_activate(s).await;
    authenticators::concurrent_uses_of_one_step_pass_once(&store).await;
    authenticators::replace_secret_is_a_compare_and_swap(s).await;
    authenticators::concurrent_replacements_of_one_secret_pass_once(&store).await;
}

/// Every [`MfaTransactionStore`] check, in [`mfa_transactions`].
pub async fn mfa_transaction_store(store: Arc<dyn MfaTransactionStore>) {
    let s = store.as_ref();
    mfa_transactions::every_field_of_both_kinds_round_trips(s).await;
    mfa_transactions::an_unknown_key_has_no_ticket(s).await;
    mfa_transactions::get_does_not_consume(s).await;
    mfa_transactions::take_returns_the_ticket_once(s).await;
    mfa_transactions::a_ticket_is_gone_from_its_expiry_on(s).await;
    mfa_transactions::put_replaces_the_ticket_under_the_same_key(s).await;
    mfa_transactions::keys_are_independent(s).await;
    mfa_transactions::concurrent_takes_hand_the_ticket_to_one(&store).await;
}

/// The purge check of MFA tickets, in [`mfa_transactions`]. A store whose
/// tickets expire by themselves (Redis) has none to run.
pub async fn mfa_ticket_retention(
    store: Arc<dyn MfaTransactionStore>,
    housekeeping: Arc<dyn Housekeeping>,
) {
    mfa_transactions::mfa_tickets_past_their_expiry_are_purged(
        store.as_ref(),
        housekeeping.as_ref(),
    )
    .await;
}

/// Every [`RateLimiter`] check, in [`rate_limiter`](mod@rate_limiter),
/// [`rate_budget`] and [`rate_batch`].
pub async fn rate_limiter(limiter: Arc<dyn RateLimiter>) {
    let l = limiter.as_ref();
    rate_limiter::concurrent_hits_allow_exactly_the_limit(&limiter).await;
    rate_limiter::remaining_counts_down_to_zero(l).await;
    rate_limiter::reset_at_is_the_end_of_the_aligned_window(l).await;
    rate_limiter::peek_does_not_count(l).await;
    rate_limiter::windows_roll_over(l).await;
    rate_limiter::keys_are_independent(l).await;
    rate_budget::reserve_counts_only_what_it_allows(l).await;
    rate_budget::concurrent_reservations_never_overshoot_the_limit(&limiter).await;
    rate_budget::release_gives_back_one_unit_and_never_goes_below_zero(l).await;
    rate_budget::reset_starts_the_count_over_for_that_key_and_window(l).await;
    rate_batch::a_batch_with_room_takes_one_unit_of_each_counter(l).await;
    rate_batch::a_batch_without_room_somewhere_takes_nothing(l).await;
    rate_batch::a_batch_keeps_window_lengths_apart(l).await;
    rate_batch::concurrent_batches_take_all_or_nothing(&limiter).await;
    rate_batch::settle_releases_and_resets_together(l).await;
}

/// Every [`StepStore`] check, in [`steps`](mod@steps): `steps` under test,
/// with the `limiter` and the `challenges` it works on (for a store that
/// holds all three, the same store three times), through which the checks
/// look at its effects.
///
/// ```no_run
/// # use std::sync::Arc;
/// # use sesame_domain::ports::SeparateSteps;
/// # use sesame_testkit::{contract, MemoryChallengeStore, MemoryRateLimiter};
/// # async fn demo() {
/// let limiter = Arc::new(MemoryRateLimiter::new());
/// let challenges = Arc::new(MemoryChallengeStore::new());
/// let steps = Arc::new(SeparateSteps::new(limiter.clone(), challenges.clone()));
/// contract::step_store(steps, limiter, challenges).await;
/// # }
/// ```
pub async fn step_store(
    steps: Arc<dyn StepStore>,
    limiter: Arc<dyn RateLimiter>,
    challenges: Arc<dyn ChallengeStore>,
) {
    let t = &steps::StepsUnderTest {
        steps,
        limiter,
        challenges,
    };
    steps::an_admitted_start_stores_the_challenge_and_takes_a_unit_of_each_counter(t).await;
    steps::a_refused_start_stores_nothing_and_takes_nothing(t).await;
    steps::concurrent_starts_never_pass_a_limit(t).await;
    steps::a_taken_reservation_reads_the_latest_challenge(t).await;
    steps::a_refused_reservation_reads_nothing_and_takes_nothing(t).await;
    steps::a_reservation_for_a_key_without_a_challenge_reads_none(t).await;
    steps::consume_and_settle_flips_once_and_settles_won_then_lost(t).await;
    steps::of_concurrent_consumes_one_flips_and_each_settles_its_side(t).await;
    steps::consume_and_settle_refuses_what_consume_refuses(t).await;
    steps::consume_and_settle_with_empty_settlements_only_consumes(t).await;
}

/// Every [`DpopReplayStore`] check, in [`dpop_replay`]. Run it on two
/// handles to one backend (two instances) by passing each in turn: the
/// checks use fresh keys.
pub async fn dpop_replay_store(store: Arc<dyn DpopReplayStore>) {
    let s = store.as_ref();
    dpop_replay::a_key_is_new_once_then_held(s).await;
    dpop_replay::an_expired_key_is_new_again(s).await;
    dpop_replay::concurrent_claims_elect_exactly_one(&store).await;
}

/// The retention check of DPoP proof ids, in [`dpop_replay`]. A store
/// whose entries expire by themselves (Redis) has none to run.
pub async fn dpop_replay_retention(
    store: Arc<dyn DpopReplayStore>,
    housekeeping: Arc<dyn Housekeeping>,
) {
    dpop_replay::dpop_jtis_past_their_retention_are_purged(store.as_ref(), housekeeping.as_ref())
        .await;
}

/// Every retention check of challenges, in [`housekeeping`]: `housekeeping`
/// (usually the same store) purges exactly the challenges of `store` past
/// their retention.
pub async fn challenge_retention(
    store: Arc<dyn ChallengeStore>,
    housekeeping: Arc<dyn Housekeeping>,
) {
    housekeeping::challenges_past_their_retention_are_purged(store.as_ref(), housekeeping.as_ref())
        .await;
}

/// Every retention check of authorization codes, in [`housekeeping`]. A
/// store whose codes expire by themselves (Redis) runs only
/// [`housekeeping::authorization_codes_within_their_retention_are_kept`].
pub async fn authorization_code_retention(
    store: Arc<dyn AuthorizationCodeStore>,
    housekeeping: Arc<dyn Housekeeping>,
) {
    let (s, h) = (store.as_ref(), housekeeping.as_ref());
    housekeeping::authorization_codes_within_their_retention_are_kept(s, h).await;
    housekeeping::authorization_codes_past_their_retention_are_purged(s, h).await;
}

/// Every retention check of refresh-token families, in [`housekeeping`].
pub async fn refresh_family_retention(
    store: Arc<dyn RefreshTokenStore>,
    housekeeping: Arc<dyn Housekeeping>,
) {
    housekeeping::refresh_families_past_their_retention_are_purged(
        store.as_ref(),
        housekeeping.as_ref(),
    )
    .await;
}

/// Every retention check of rate-limit counters, in [`housekeeping`]. A
/// limiter whose counters expire by themselves (Redis) has none to run.
pub async fn rate_limit_retention(
    limiter: Arc<dyn RateLimiter>,
    housekeeping: Arc<dyn Housekeeping>,
) {
    housekeeping::rate_limit_counters_are_purged_once_their_window_ended(
        limiter.as_ref(),
        housekeeping.as_ref(),
    )
    .await;
}

/// 50 tasks redeem the same code at once through the real service; exactly
/// one gets tokens. Runs [`redemption::one_code_redeemed_by_many_yields_one_token_set`]
/// on a [`crate::Harness`] over `challenges` and `users` (everything else in
/// memory).
pub async fn concurrent_redemption(challenges: Arc<dyn ChallengeStore>, users: Arc<dyn UserStore>) {
    redemption::one_code_redeemed_by_many_yields_one_token_set(&challenges, &users).await;
}

/// Every [`HealthCheck`] check for a reachable backend, in [`health`].
pub async fn health_check(check: Arc<dyn HealthCheck>) {
    health::the_name_is_a_short_word(check.as_ref()).await;
    health::a_reachable_backend_is_ready(check.as_ref()).await;
}

/// Every [`HealthCheck`] check for an unreachable backend, in [`health`]:
/// pass a checker configured with an address nothing listens on.
pub async fn health_check_when_down(check: Arc<dyn HealthCheck>) {
    health::the_name_is_a_short_word(check.as_ref()).await;
    health::an_unreachable_backend_is_unavailable(check.as_ref()).await;
}

/// Every [`DeliveryQueue`](sesame_domain::ports::DeliveryQueue) check, in
/// [`delivery_queue`](mod@delivery_queue), each on a fresh queue from
/// `make(capacity)`.
pub async fn delivery_queue<Q: delivery_queue::QueueUnderTest>(make: impl Fn(usize) -> Q) {
    delivery_queue::a_full_queue_refuses_a_message_and_a_decoy_alike(&make(2)).await;
    delivery_queue::messages_are_sent_once_and_decoys_never(&make(4)).await;
    delivery_queue::room_comes_back_when_jobs_finish(&make(1)).await;
}

/// Every [`EventStore`](sesame_domain::ports::EventStore) check, in
/// [`events`](mod@events). It may share the store with every other suite,
/// but not with another `event_store` running at the same time: its
/// listings see every event of the store, and its purge check removes
/// every event dated before its own.
pub async fn event_store(store: Arc<dyn sesame_domain::ports::EventStore>) {
    let s = store.as_ref();
    events::every_field_round_trips(s).await;
    events::an_event_kept_already_is_skipped(s).await;
    events::listings_follow_the_log_id_both_ways(s).await;
    events::types_alone_find_any_of_them(s).await;
    events::user_id_alone_finds_only_that_users_events(s).await;
    events::client_id_alone_finds_only_that_clients_events(s).await;
    events::since_alone_is_inclusive(s).await;
    events::until_alone_is_inclusive(s).await;
    events::after_log_id_alone_is_exclusive(s).await;
    events::filters_together_must_all_hold(s).await;
    events::offset_and_limit_slice_after_ordering(s).await;
    events::with_total_counts_every_match_or_is_none(s).await;
    events::purge_before_removes_only_events_dated_before_the_cutoff(s).await;
}
