//! The in-memory adapters keep every port contract.

use std::sync::Arc;

use sesame_domain::ports::{RateLimiter, SeparateSteps, StoreError};
use sesame_domain::{RateDecision, RateLimit, Timestamp};
use sesame_store_memory::{
    MemoryApiRegistry, MemoryAuthenticatorStore, MemoryAuthorizationCodeStore,
    MemoryChallengeStore, MemoryClientRegistry, MemoryDpopReplayStore, MemoryEventStore,
    MemoryHealth, MemoryKeyStore, MemoryMfaTransactionStore, MemoryRateLimiter,
    MemoryRefreshTokenStore, MemoryUserStore, StaticApiRegistry, StaticClientRegistry,
};
use sesame_testkit::contract;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_challenge_store_keeps_the_contract() {
    let store = Arc::new(MemoryChallengeStore::new());
    contract::challenge_store(store.clone()).await;
    contract::challenge_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_user_store_keeps_the_contract() {
    let store = Arc::new(MemoryUserStore::new());
    contract::user_store(store.clone()).await;
    contract::user_search(store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_client_registry_keeps_the_contract() {
    contract::client_registry(|clients| Arc::new(MemoryClientRegistry::with_clients(clients)))
        .await;
    contract::client_registry(|clients| {
        let registry = MemoryClientRegistry::new();
        for client in clients {
            registry.upsert(client);
        }
        Arc::new(registry)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_api_registry_keeps_the_contract() {
    contract::api_registry(|apis| Arc::new(MemoryApiRegistry::with_apis(apis))).await;
    contract::api_registry(|apis| {
        let registry = MemoryApiRegistry::new();
        for api in apis {
            registry.upsert(api);
        }
        Arc::new(registry)
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_static_client_registry_keeps_the_contract() {
    contract::client_registry(|clients| Arc::new(StaticClientRegistry::new(clients))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_static_api_registry_keeps_the_contract() {
    contract::api_registry(|apis| Arc::new(StaticApiRegistry::new(apis))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_key_store_keeps_the_contract() {
    contract::key_store(Arc::new(MemoryKeyStore::new())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_refresh_token_store_keeps_the_contract() {
    let store = Arc::new(MemoryRefreshTokenStore::new());
    contract::refresh_token_store(store.clone()).await;
    contract::refresh_family_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_authorization_code_store_keeps_the_contract() {
    let store = Arc::new(MemoryAuthorizationCodeStore::new());
    contract::authorization_code_store(store.clone()).await;
    contract::authorization_code_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_rate_limiter_keeps_the_contract() {
    let limiter = Arc::new(MemoryRateLimiter::new());
    contract::rate_limiter(limiter.clone()).await;
    contract::rate_limit_retention(limiter.clone(), limiter).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_separate_steps_over_the_memory_stores_keep_the_step_store_contract() {
    let limiter = Arc::new(MemoryRateLimiter::new());
    let challenges = Arc::new(MemoryChallengeStore::new());
    let steps = Arc::new(SeparateSteps::new(limiter.clone(), challenges.clone()));
    contract::step_store(steps, limiter, challenges).await;
}

/// A limiter with only the single-counter methods: the port's default
/// `reserve_all` and `settle`, which an embedder's own adapter gets, keep
/// the contract too.
struct SingleCounterOnly(MemoryRateLimiter);

#[async_trait::async_trait]
impl RateLimiter for SingleCounterOnly {
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
        self.0.reserve(key, rule, now).await
    }
    async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        self.0.release(key, rule, now).await
    }
    async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError> {
        self.0.reset(key, rule, now).await
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_rate_limiters_default_batches_keep_the_contract() {
    contract::rate_limiter(Arc::new(SingleCounterOnly(MemoryRateLimiter::new()))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_code_redeemed_concurrently_on_memory_stores_yields_one_token_set() {
    contract::concurrent_redemption(
        Arc::new(MemoryChallengeStore::new()),
        Arc::new(MemoryUserStore::new()),
    )
    .await;
}

/// Suites share one backend with each other when an adapter crate runs them
/// in parallel; on shared stores the checks must not trip over each other.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn suites_sharing_one_store_run_in_parallel_without_interference() {
    let challenges: Arc<MemoryChallengeStore> = Arc::new(MemoryChallengeStore::new());
    let users: Arc<MemoryUserStore> = Arc::new(MemoryUserStore::new());
    let tokens = Arc::new(MemoryRefreshTokenStore::new());
    let limiter = Arc::new(MemoryRateLimiter::new());
    let codes = Arc::new(MemoryAuthorizationCodeStore::new());
    let authenticators = Arc::new(MemoryAuthenticatorStore::default());
    let tickets = Arc::new(MemoryMfaTransactionStore::default());
    let mut tasks = Vec::new();
    // One search suite at a time per store, beside everything else.
    tasks.push(tokio::spawn(contract::user_search(users.clone())));
    for _ in 0..3 {
        tasks.push(tokio::spawn(contract::authenticator_store(
            authenticators.clone(),
        )));
        tasks.push(tokio::spawn(contract::mfa_transaction_store(
            tickets.clone(),
        )));
        tasks.push(tokio::spawn(contract::mfa_ticket_retention(
            tickets.clone(),
            tickets.clone(),
        )));
        tasks.push(tokio::spawn(contract::authorization_code_store(
            codes.clone(),
        )));
        tasks.push(tokio::spawn(contract::challenge_store(challenges.clone())));
        tasks.push(tokio::spawn(contract::user_store(users.clone())));
        tasks.push(tokio::spawn(contract::refresh_token_store(tokens.clone())));
        tasks.push(tokio::spawn(contract::rate_limiter(limiter.clone())));
        tasks.push(tokio::spawn(contract::challenge_retention(
            challenges.clone(),
            challenges.clone(),
        )));
        tasks.push(tokio::spawn(contract::authorization_code_retention(
            codes.clone(),
            codes.clone(),
        )));
        tasks.push(tokio::spawn(contract::refresh_family_retention(
            tokens.clone(),
            tokens.clone(),
        )));
        tasks.push(tokio::spawn(contract::rate_limit_retention(
            limiter.clone(),
            limiter.clone(),
        )));
        tasks.push(tokio::spawn(contract::concurrent_redemption(
            challenges.clone(),
            users.clone(),
        )));
    }
    for t in tasks {
        t.await.unwrap();
    }
}

#[tokio::test]
async fn the_memory_health_check_keeps_the_contract_up_and_down() {
    let health = MemoryHealth::new();
    contract::health_check(Arc::new(health.clone())).await;
    health.set_down(true);
    contract::health_check_when_down(Arc::new(health.clone())).await;
    health.set_down(false);
    contract::health_check(Arc::new(health)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_dpop_replay_store_keeps_the_contract() {
    let store = Arc::new(MemoryDpopReplayStore::new());
    contract::dpop_replay_store(store.clone()).await;
    contract::dpop_replay_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_authenticator_store_keeps_the_contract() {
    contract::authenticator_store(Arc::new(MemoryAuthenticatorStore::default())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_mfa_transaction_store_keeps_the_contract() {
    let store = Arc::new(MemoryMfaTransactionStore::default());
    contract::mfa_transaction_store(store.clone()).await;
    contract::mfa_ticket_retention(store.clone(), store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_memory_event_store_keeps_the_contract() {
    contract::event_store(Arc::new(MemoryEventStore::new())).await;
}
