//! Opening the configured store (and cache): the one place that knows which
//! adapter serves which storage port.
//!
//! Clients and APIs are not read from the database: the configuration is
//! their source of truth, every instance loads the same file, and keeping
//! them in memory makes the hot path free of registry round trips.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use sesame_domain::ports::{
    AuthenticatorStore, AuthorizationCodeStore, ChallengeStore, Clock, DpopReplayStore, EventStore,
    HealthCheck, Housekeeping, KeyStore, MfaTransactionStore, RateLimiter, RefreshTokenStore,
    StepStore, UserStore,
};
use sesame_store_memory::{
    MemoryAuthenticatorStore, MemoryAuthorizationCodeStore, MemoryChallengeStore,
    MemoryDpopReplayStore, MemoryEventStore, MemoryKeyStore, MemoryMfaTransactionStore,
    MemoryRateLimiter, MemoryRefreshTokenStore, MemoryUserStore,
};
use sesame_store_postgres::PgStore;
use sesame_store_redis::RedisStore;
use sesame_store_sqlite::SqliteStore;

use crate::config::{Resolved, StoreKind};
use crate::events::EventRetention;
use crate::housekeeping::{self, Housekeeper};
use crate::metered_store::Metered;

/// The storage ports, opened.
pub struct Storage {
    /// Users.
    pub users: Arc<dyn UserStore>,
    /// Challenges (the cache when configured).
    pub challenges: Arc<dyn ChallengeStore>,
    /// Authorization codes from magic links (the cache when configured).
    pub authorization_codes: Arc<dyn AuthorizationCodeStore>,
    /// Refresh-token families.
    pub refresh_tokens: Arc<dyn RefreshTokenStore>,
    /// Users' second factors.
    pub authenticators: Arc<dyn AuthenticatorStore>,
    /// `mfa_token`s and out-of-band MFA challenges (the cache when
    /// configured).
    pub mfa_transactions: Arc<dyn MfaTransactionStore>,
    /// Signing keys.
    pub keys: Arc<dyn KeyStore>,
    /// Rate limits (the cache when configured).
    pub rate_limiter: Arc<dyn RateLimiter>,
    /// DPoP proof ids already used (the cache when configured).
    pub dpop_replay: Arc<dyn DpopReplayStore>,
    /// The login steps in one call each, when the store holding both the
    /// rate limits and the challenges can do that (the cache); otherwise
    /// the service calls the two in turn.
    pub steps: Option<Arc<dyn StepStore>>,
    /// Log events, for `/api/v2/logs`.
    pub events: Arc<dyn EventStore>,
    /// What `/readyz` asks.
    pub health: Vec<Arc<dyn HealthCheck>>,
    /// What the purge loop purges.
    pub housekeeping: Vec<Arc<dyn Housekeeping>>,
    /// The purge loop, once started; dropping it stops the loop.
    pub housekeeper: Option<Housekeeper>,
    /// For the banner: the store and cache, without credentials.
    pub description: String,
}

/// Opens the store and cache named by `resolved`, applying migrations.
///
/// # Errors
/// The backend cannot be reached or migrated.
pub async fn open(resolved: &Resolved, clock: Arc<dyn Clock>) -> anyhow::Result<Storage> {
    let s = &resolved.settings.store;
    let purge_every = Duration::from_secs(s.purge_interval_secs.max(1));
    let store_backend = match &resolved.store {
        StoreKind::Sqlite(_) => "sqlite",
        StoreKind::Postgres => "postgres",
        StoreKind::Memory => "memory",
    };
    let mut cache_backend = store_backend;
    let mut storage = match &resolved.store {
        StoreKind::Sqlite(path) => {
            let config = s.sqlite(path);
            let store = Arc::new(
                SqliteStore::connect(&config)
                    .await
                    .with_context(|| format!("opening sqlite://{path}"))?,
            );
            let mut storage = all_in(store.clone(), format!("sqlite://{path}"));
            // Limits and challenges in one file: each login step is one
            // job of its writer thread.
            storage.steps = Some(Metered::new(store as Arc<dyn StepStore>, "sqlite"));
            storage
        }
        StoreKind::Postgres => {
            let config = s.postgres();
            let store = Arc::new(
                PgStore::connect(&config)
                    .await
                    .context("connecting to postgres")?,
            );
            all_in(store, "postgres".to_owned())
        }
        StoreKind::Memory => memory(),
    };
    if let Some(config) = &resolved.settings.cache {
        let redis = Arc::new(
            RedisStore::connect(config)
                .await
                .context("connecting to redis ([cache])")?,
        );
        refuse_eviction(&redis, config.allow_eviction).await?;
        storage.challenges = redis.clone();
        storage.rate_limiter = redis.clone();
        storage.authorization_codes = redis.clone();
        storage.dpop_replay = redis.clone();
        storage.mfa_transactions = redis.clone();
        // Rate limits and challenges both live in Redis: each login step
        // is one script.
        storage.steps = Some(Metered::new(redis.clone() as Arc<dyn StepStore>, "redis"));
        storage.housekeeping.push(redis.clone());
        storage.health.push(redis);
        storage.description.push_str(" + redis cache");
        cache_backend = "redis";
    }
    // Timed for `sesame_store_call_duration_seconds`: the ports on every
    // login's path.
    storage.users = Metered::new(storage.users, store_backend);
    storage.refresh_tokens = Metered::new(storage.refresh_tokens, store_backend);
    storage.challenges = Metered::new(storage.challenges, cache_backend);
    storage.rate_limiter = Metered::new(storage.rate_limiter, cache_backend);
    // Log events past the operator's retention go with the purge loop.
    let retention = Duration::from_secs(
        u64::from(resolved.settings.log_events.retention_days.max(1)) * 24 * 60 * 60,
    );
    storage.housekeeping.push(Arc::new(EventRetention::new(
        Arc::clone(&storage.events),
        retention,
    )));
    storage.housekeeper = Some(housekeeping::spawn(
        storage.housekeeping.clone(),
        purge_every,
        clock,
    )?);
    Ok(storage)
}

/// Refuses a cache that may evict keys: eviction would silently reset the
/// rate-limit counters (and drop live challenges) under memory pressure.
/// `[cache] allow_eviction = true` starts anyway, with a warning.
async fn refuse_eviction(redis: &RedisStore, allowed: bool) -> anyhow::Result<()> {
    let policies = redis
        .maxmemory_policies()
        .await
        .context("reading the cache's maxmemory-policy ([cache])")?;
    let Some(evicting) = policies.iter().find(|p| sesame_store_redis::is_evicting(p)) else {
        return Ok(());
    };
    if allowed {
        tracing::warn!(
            policy = %evicting,
            "the cache's maxmemory-policy evicts keys: under memory pressure rate-limit counters reset silently ([cache] allow_eviction = true)"
        );
        return Ok(());
    }
    anyhow::bail!(
        "the cache's maxmemory-policy is {evicting}, which evicts keys: under memory pressure \
         rate-limit counters and challenges would vanish silently. Set maxmemory-policy to \
         noeviction on the Redis, or [cache] allow_eviction = true to start anyway"
    )
}

/// Every port on one store.
fn all_in<S>(store: Arc<S>, description: String) -> Storage
where
    S: UserStore
        + ChallengeStore
        + AuthorizationCodeStore
        + RefreshTokenStore
        + KeyStore
        + RateLimiter
        + DpopReplayStore
        + AuthenticatorStore
        + MfaTransactionStore
        + EventStore
        + HealthCheck
        + Housekeeping
        + 'static,
{
    Storage {
        users: store.clone(),
        challenges: store.clone(),
        authorization_codes: store.clone(),
        refresh_tokens: store.clone(),
        authenticators: store.clone(),
        mfa_transactions: store.clone(),
        keys: store.clone(),
        rate_limiter: store.clone(),
        steps: None,
        dpop_replay: store.clone(),
        events: store.clone(),
        health: vec![store.clone()],
        housekeeping: vec![store],
        housekeeper: None,
        description,
    }
}

/// Everything in process memory: nothing survives a restart.
fn memory() -> Storage {
    let challenges = Arc::new(MemoryChallengeStore::new());
    let codes = Arc::new(MemoryAuthorizationCodeStore::new());
    let refresh_tokens = Arc::new(MemoryRefreshTokenStore::new());
    let rate_limiter = Arc::new(MemoryRateLimiter::new());
    let dpop_replay = Arc::new(MemoryDpopReplayStore::new());
    let mfa_transactions = Arc::new(MemoryMfaTransactionStore::default());
    Storage {
        users: Arc::new(MemoryUserStore::new()),
        challenges: challenges.clone(),
        authorization_codes: codes.clone(),
        refresh_tokens: refresh_tokens.clone(),
        authenticators: Arc::new(MemoryAuthenticatorStore::default()),
        mfa_transactions: mfa_transactions.clone(),
        keys: Arc::new(MemoryKeyStore::new()),
        rate_limiter: rate_limiter.clone(),
        steps: None,
        dpop_replay: dpop_replay.clone(),
        events: Arc::new(MemoryEventStore::default()),
        health: Vec::new(),
        housekeeping: vec![
            challenges,
            codes,
            refresh_tokens,
            rate_limiter,
            dpop_replay,
            mfa_transactions,
        ],
        housekeeper: None,
        description: "memory://".to_owned(),
    }
}
