//! The testkit's contract suites, unchanged, against the real Redis at
//! `SESAME_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`) and against
//! the real Redis Cluster at `SESAME_TEST_REDIS_CLUSTER_URLS` (default the
//! test services' primaries on 127.0.0.1:7000–7002): the same scripts and
//! key layout must keep every promise on both.
//!
//! `cfg(test)` makes the helpers count as test code, where clippy.toml
//! allows `unwrap` and `expect`.

#![cfg(test)]

#[path = "adapter/scope.rs"]
mod scope;

use std::sync::Arc;

use sesame_testkit::MemoryUserStore;
use sesame_testkit::contract::{self, housekeeping};

use scope::Scope;

// Challenges and authorization codes expire by their TTLs alone here, so
// the purge checks (`challenge_retention`, codes "purged") do not apply;
// the "kept within the retention" checks do: `an_expired_challenge_stays_
// readable` in the challenge suite, and the code check below.

async fn challenge_store(scope: Scope) {
    contract::challenge_store(Arc::new(scope.store().await)).await;
    scope.cleanup().await;
}

async fn authorization_code_store(scope: Scope) {
    let store = Arc::new(scope.store().await);
    contract::authorization_code_store(store.clone()).await;
    housekeeping::authorization_codes_within_their_retention_are_kept(
        store.as_ref(),
        store.as_ref(),
    )
    .await;
    scope.cleanup().await;
}

async fn rate_limiter(scope: Scope) {
    contract::rate_limiter(Arc::new(scope.store().await)).await;
    scope.cleanup().await;
}

// DPoP proof ids expire by their TTLs: no purge check applies.
async fn dpop_replay_store(scope: Scope) {
    contract::dpop_replay_store(Arc::new(scope.store().await)).await;
    scope.cleanup().await;
}

// MFA tickets expire by their TTLs: no purge check applies. The contract
// asks for a ticket at and after its expiry while its key still lives.
async fn mfa_transaction_store(scope: Scope) {
    contract::mfa_transaction_store(Arc::new(scope.store().await)).await;
    scope.cleanup().await;
}

// The store is its own limiter and challenge store: the checks look at a
// step's effects through those ports, on the same keys.
async fn step_store(scope: Scope) {
    let store = Arc::new(scope.store().await);
    contract::step_store(store.clone(), store.clone(), store).await;
    scope.cleanup().await;
}

async fn concurrent_redemption(scope: Scope) {
    let users = Arc::new(MemoryUserStore::default());
    contract::concurrent_redemption(Arc::new(scope.store().await), users).await;
    scope.cleanup().await;
}

/// The seven contract tests on the Redis that `$scope` names.
macro_rules! contract_on {
    ($name:ident, $scope:expr) => {
        mod $name {
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn the_store_keeps_the_challenge_store_contract() {
                challenge_store($scope).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn the_store_keeps_the_authorization_code_store_contract() {
                authorization_code_store($scope).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn the_store_keeps_the_rate_limiter_contract() {
                rate_limiter($scope).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn the_store_keeps_the_dpop_replay_store_contract() {
                dpop_replay_store($scope).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn the_store_keeps_the_mfa_transaction_store_contract() {
                mfa_transaction_store($scope).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn the_store_keeps_the_step_store_contract() {
                step_store($scope).await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn fifty_concurrent_redemptions_of_one_code_yield_one_token_set() {
                concurrent_redemption($scope).await;
            }
        }
    };
}

contract_on!(single_node, Scope::new());
contract_on!(cluster, Scope::cluster());
