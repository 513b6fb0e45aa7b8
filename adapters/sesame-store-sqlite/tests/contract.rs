//! The testkit's contract suites, unchanged, against real SQLite files.
//!
//! Each suite gets a database file of its own in a temporary directory (the
//! key-store suite needs an empty store); one more run covers the in-memory
//! mode.

// Helpers count as test code too, for the unwrap/panic lints.
#![cfg(test)]

use std::sync::Arc;

use sesame_store_sqlite::{SqliteConfig, SqliteStore};
use sesame_testkit::contract;
use tempfile::TempDir;

/// A migrated store on a fresh file, and the directory that holds it.
async fn file_store() -> (Arc<SqliteStore>, TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let config = SqliteConfig::file(dir.path().join("sesame.db"));
    let store = SqliteStore::connect(&config).await.unwrap();
    (Arc::new(store), dir)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_challenge_store_keeps_its_contract() {
    let (store, _dir) = file_store().await;
    contract::challenge_store(store.clone()).await;
    contract::challenge_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_user_store_keeps_its_contract() {
    let (store, _dir) = file_store().await;
    contract::user_store(store.clone()).await;
    contract::user_search(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_key_store_keeps_its_contract() {
    let (store, _dir) = file_store().await;
    contract::key_store(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_refresh_token_store_keeps_its_contract() {
    let (store, _dir) = file_store().await;
    contract::refresh_token_store(store.clone()).await;
    contract::refresh_family_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_authorization_code_store_keeps_its_contract() {
    let (store, _dir) = file_store().await;
    contract::authorization_code_store(store.clone()).await;
    contract::authorization_code_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_rate_limiter_keeps_its_contract() {
    let (store, _dir) = file_store().await;
    contract::rate_limiter(store.clone()).await;
    contract::rate_limit_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_step_store_keeps_its_contract() {
    let (store, _dir) = file_store().await;
    contract::step_store(store.clone(), store.clone(), store).await;
}

/// The service's default steps over this store's limiter and challenges.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn separate_steps_over_it_keep_the_step_store_contract() {
    let (store, _dir) = file_store().await;
    let steps = Arc::new(sesame_domain::ports::SeparateSteps::new(
        store.clone(),
        store.clone(),
    ));
    contract::step_store(steps, store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_code_redeemed_by_fifty_tasks_yields_one_token_set() {
    let (store, _dir) = file_store().await;
    contract::concurrent_redemption(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_in_memory_store_keeps_every_contract() {
    let store = Arc::new(SqliteStore::in_memory().await.unwrap());
    contract::challenge_store(store.clone()).await;
    contract::user_store(store.clone()).await;
    contract::user_search(store.clone()).await;
    contract::key_store(store.clone()).await;
    contract::refresh_token_store(store.clone()).await;
    contract::authorization_code_store(store.clone()).await;
    contract::rate_limiter(store.clone()).await;
    contract::step_store(store.clone(), store.clone(), store.clone()).await;
    contract::challenge_retention(store.clone(), store.clone()).await;
    contract::authorization_code_retention(store.clone(), store.clone()).await;
    contract::refresh_family_retention(store.clone(), store.clone()).await;
    contract::rate_limit_retention(store.clone(), store.clone()).await;
    contract::concurrent_redemption(store.clone(), store.clone()).await;
    contract::authenticator_store(store.clone()).await;
    contract::mfa_transaction_store(store.clone()).await;
    contract::mfa_ticket_retention(store.clone(), store.clone()).await;
    contract::event_store(store.clone()).await;
    contract::health_check(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_health_check_keeps_its_contract_when_up() {
    let (store, _dir) = file_store().await;
    contract::health_check(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_health_check_keeps_its_contract_when_down() {
    let (store, _dir) = file_store().await;
    // A closed pool is this store's "backend gone": nothing can reach the
    // file any more.
    store.close().await;
    contract::health_check_when_down(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_dpop_replay_store_keeps_its_contract() {
    let (store, _dir) = file_store().await;
    contract::dpop_replay_store(store.clone()).await;
    contract::dpop_replay_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_authenticator_store_keeps_its_contract() {
    let (store, _dir) = file_store().await;
    contract::authenticator_store(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_mfa_transaction_store_keeps_its_contract() {
    let (store, _dir) = file_store().await;
    contract::mfa_transaction_store(store.clone()).await;
    contract::mfa_ticket_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_event_store_keeps_its_contract() {
    let (store, _dir) = file_store().await;
    contract::event_store(store).await;
}
