//! The testkit's contract suites, unchanged, against the real Redis at
//! `SESAME_TEST_REDIS_URL` (default `redis://127.0.0.1:6379`).
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

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_store_keeps_the_challenge_store_contract() {
    let scope = Scope::new();
    let store = Arc::new(scope.store().await);
    contract::challenge_store(store.clone()).await;
    contract::challenge_retention(store.clone(), store).await;
    scope.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_store_keeps_the_authorization_code_store_contract() {
    let scope = Scope::new();
    let store = Arc::new(scope.store().await);
    contract::authorization_code_store(store.clone()).await;
    // Codes expire by themselves here: housekeeping only must not remove
    // them early.
    housekeeping::authorization_codes_within_their_retention_are_kept(
        store.as_ref(),
        store.as_ref(),
    )
    .await;
    scope.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_store_keeps_the_rate_limiter_contract() {
    let scope = Scope::new();
    contract::rate_limiter(Arc::new(scope.store().await)).await;
    scope.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_redemptions_of_one_code_yield_one_token_set() {
    let scope = Scope::new();
    let users = Arc::new(MemoryUserStore::default());
    contract::concurrent_redemption(Arc::new(scope.store().await), users).await;
    scope.cleanup().await;
}
