//! The testkit contract suites, unchanged, against a real PostgreSQL.
//!
//! Each suite gets a fresh database, so the key-store suite starts from an
//! empty key store as it requires.

// Helpers count as test code too, for the unwrap/expect/panic lints.
#![cfg(test)]

mod common;

use std::sync::Arc;

use common::TestDb;
use sesame_testkit::contract;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_challenge_store_contract() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    contract::challenge_store(store.clone()).await;
    contract::challenge_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_user_store_contract() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    contract::user_store(store.clone()).await;
    contract::user_search(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_key_store_contract() {
    let db = TestDb::create().await;
    contract::key_store(Arc::new(db.store().await)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_refresh_token_store_contract() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    contract::refresh_token_store(store.clone()).await;
    contract::refresh_family_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_authorization_code_store_contract() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    contract::authorization_code_store(store.clone()).await;
    contract::authorization_code_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_rate_limiter_contract() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    contract::rate_limiter(store.clone()).await;
    contract::rate_limit_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_code_redeemed_by_fifty_tasks_through_the_service_yields_one_token_set() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    contract::concurrent_redemption(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_dpop_replay_store_contract() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    contract::dpop_replay_store(store.clone()).await;
    contract::dpop_replay_retention(store.clone(), store).await;
    // A second instance on the same database sees the first one's claims.
    let other = Arc::new(db.store().await);
    contract::dpop_replay_store(other).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_authenticator_store_contract() {
    let db = TestDb::create().await;
    contract::authenticator_store(Arc::new(db.store().await)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_mfa_transaction_store_contract() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    contract::mfa_transaction_store(store.clone()).await;
    contract::mfa_ticket_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_event_store_contract() {
    let db = TestDb::create().await;
    contract::event_store(Arc::new(db.store().await)).await;
}

/// Postgres holds no steps of its own: the service composes its limiter
/// and challenges (`SeparateSteps`), which must keep the contract here too.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn postgres_keeps_the_step_store_contract_through_separate_steps() {
    let db = TestDb::create().await;
    let store = Arc::new(db.store().await);
    let steps = Arc::new(sesame_domain::ports::SeparateSteps::new(
        store.clone(),
        store.clone(),
    ));
    contract::step_store(steps, store.clone(), store).await;
}
