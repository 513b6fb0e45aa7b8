//! Opening the configured store (and cache): the one place that knows which
//! adapter serves which storage port.
//!
//! Clients and APIs are not read from the database: the configuration is
//! their source of truth, every instance loads the same file, and keeping
//! them in memory makes the hot path free of registry round trips.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use secrecy::ExposeSecret as _;
use sesame_domain::Timestamp;
use sesame_domain::authorization::AUTHORIZATION_CODE_RETENTION;
use sesame_domain::ports::{
    AuthorizationCodeStore, ChallengeStore, Clock, EXPIRED_CHALLENGE_RETENTION, HealthCheck,
    KeyStore, RateLimiter, RefreshTokenStore, UserStore,
};
use sesame_store_memory::{
    MemoryAuthorizationCodeStore, MemoryChallengeStore, MemoryKeyStore, MemoryRateLimiter,
    MemoryRefreshTokenStore, MemoryUserStore,
};
use sesame_store_postgres::{PgConfig, PgStore};
use sesame_store_redis::{RedisConfig, RedisStore};
use sesame_store_sqlite::{SqliteConfig, SqliteStore};

use crate::config::{Resolved, StoreKind};

/// Keeps a background task alive; dropping it stops the task.
pub type Background = Box<dyn Send + Sync>;

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
    /// Signing keys.
    pub keys: Arc<dyn KeyStore>,
    /// Rate limits (the cache when configured).
    pub rate_limiter: Arc<dyn RateLimiter>,
    /// What `/readyz` asks.
    pub health: Vec<Arc<dyn HealthCheck>>,
    /// Purgers and the like.
    pub background: Vec<Background>,
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
    let mut storage = match &resolved.store {
        StoreKind::Sqlite(path) => {
            let mut config = SqliteConfig::file(path);
            if let Some(n) = s.max_connections {
                config.max_connections = n;
            }
            if let Some(ms) = s.busy_timeout_ms {
                config.busy_timeout_ms = ms;
            }
            if let Some(secs) = s.acquire_timeout_secs {
                config.acquire_timeout_ms = secs.saturating_mul(1000);
            }
            let store = Arc::new(
                SqliteStore::connect(&config)
                    .await
                    .with_context(|| format!("opening sqlite://{path}"))?,
            );
            let purger = store.spawn_purger(purge_every, Arc::clone(&clock))?;
            let mut st = all_in(store.clone(), format!("sqlite://{path}"));
            st.background.push(Box::new(purger));
            st
        }
        StoreKind::Postgres => {
            let mut config = PgConfig::new(s.url.expose_secret());
            if let Some(n) = s.max_connections {
                config.max_connections = n;
            }
            if let Some(n) = s.min_connections {
                config.min_connections = n;
            }
            if let Some(v) = s.connect_timeout_secs {
                config.connect_timeout_secs = v;
            }
            if let Some(v) = s.acquire_timeout_secs {
                config.acquire_timeout_secs = v;
            }
            if let Some(v) = s.statement_timeout_ms {
                config.statement_timeout_ms = v;
            }
            if let Some(v) = s.operation_timeout_ms {
                config.operation_timeout_ms = v;
            }
            let store = Arc::new(
                PgStore::connect(&config)
                    .await
                    .context("connecting to postgres")?,
            );
            let purger = store.spawn_purger(purge_every, Arc::clone(&clock))?;
            let mut st = all_in(store.clone(), "postgres".to_owned());
            st.background.push(Box::new(purger));
            st
        }
        StoreKind::Memory => memory(purge_every, clock),
    };
    if let Some(cache) = &resolved.settings.cache {
        let mut config = RedisConfig::new(cache.url.expose_secret());
        if let Some(p) = &cache.key_prefix {
            config.key_prefix.clone_from(p);
        }
        if let Some(ms) = cache.connect_timeout_ms {
            config.connect_timeout_ms = ms;
        }
        if let Some(ms) = cache.response_timeout_ms {
            config.response_timeout_ms = ms;
        }
        let redis = Arc::new(
            RedisStore::connect(&config)
                .await
                .context("connecting to redis ([cache] url)")?,
        );
        storage.challenges = redis.clone();
        storage.rate_limiter = redis.clone();
        storage.authorization_codes = redis.clone();
        storage.health.push(redis);
        storage.description.push_str(" + redis cache");
    }
    Ok(storage)
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
        + HealthCheck
        + 'static,
{
    Storage {
        users: store.clone(),
        challenges: store.clone(),
        authorization_codes: store.clone(),
        refresh_tokens: store.clone(),
        keys: store.clone(),
        rate_limiter: store.clone(),
        health: vec![store],
        background: Vec::new(),
        description,
    }
}

/// Everything in process memory: nothing survives a restart.
fn memory(purge_every: Duration, clock: Arc<dyn Clock>) -> Storage {
    let challenges = Arc::new(MemoryChallengeStore::new());
    let codes = Arc::new(MemoryAuthorizationCodeStore::new());
    let purged: Arc<dyn ChallengeStore> = challenges.clone();
    let purged_codes: Arc<dyn AuthorizationCodeStore> = codes.clone();
    let task = tokio::spawn(async move {
        let mut ticks = tokio::time::interval(purge_every);
        loop {
            ticks.tick().await;
            let now = clock.now();
            let _ = purged
                .purge_expired(before(now, EXPIRED_CHALLENGE_RETENTION))
                .await;
            let _ = purged_codes
                .purge_expired(before(now, AUTHORIZATION_CODE_RETENTION))
                .await;
        }
    });
    Storage {
        users: Arc::new(MemoryUserStore::new()),
        challenges,
        authorization_codes: codes,
        refresh_tokens: Arc::new(MemoryRefreshTokenStore::new()),
        keys: Arc::new(MemoryKeyStore::new()),
        rate_limiter: Arc::new(MemoryRateLimiter::new()),
        health: Vec::new(),
        background: vec![Box::new(AbortOnDrop(task))],
        description: "memory://".to_owned(),
    }
}

/// `now - retention`, the purge cut-off.
fn before(now: Timestamp, retention: Duration) -> Timestamp {
    Timestamp::from_unix_millis(
        now.unix_millis() - i64::try_from(retention.as_millis()).unwrap_or(0),
    )
}

/// Aborts a task when dropped.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}
