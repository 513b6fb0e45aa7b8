//! # sesame-store-redis
//!
//! The Redis adapter for Sesame's hot path: issued challenges, authorization
//! codes, rate-limit counters, DPoP proof ids and MFA tickets, shared by
//! every stateless server instance that points at the same Redis.
//!
//! [`RedisStore`] implements
//! [`ChallengeStore`](sesame_domain::ports::ChallengeStore),
//! [`AuthorizationCodeStore`](sesame_domain::ports::AuthorizationCodeStore),
//! [`RateLimiter`](sesame_domain::ports::RateLimiter),
//! [`DpopReplayStore`](sesame_domain::ports::DpopReplayStore),
//! [`MfaTransactionStore`](sesame_domain::ports::MfaTransactionStore),
//! [`StepStore`](sesame_domain::ports::StepStore) (each login step in one
//! script on a single Redis),
//! [`Housekeeping`](sesame_domain::ports::Housekeeping) and
//! [`HealthCheck`](sesame_domain::ports::HealthCheck). Every operation that
//! reads and writes is one Lua script or one command, so it is atomic
//! across instances; every key expires by itself; every call is bounded by
//! the configured timeouts and fails with `StoreError::Unavailable` when
//! Redis is away.
//!
//! It runs on one Redis primary (`url`) or on a Redis Cluster (`cluster`
//! seed nodes), with the same scripts and key layout: every script touches
//! exactly one key. The key layout, the scripts and the configuration are
//! described in the crate's README.
//!
//! ```no_run
//! # async fn demo() -> Result<(), sesame_domain::ports::StoreError> {
//! use sesame_store_redis::{RedisConfig, RedisStore};
//!
//! let store = RedisStore::connect(&RedisConfig::new("redis://127.0.0.1:6379")).await?;
//! # let _ = store;
//! # Ok(())
//! # }
//! ```

mod authorization_codes;
mod challenges;
mod codec;
mod config;
mod conn;
mod dpop_replay;
mod error;
mod eviction;
mod housekeeping;
mod keys;
mod mfa_transactions;
#[cfg(feature = "private-cluster")]
pub mod private_cluster;
mod rate_limiter;
mod scripts;
mod steps;
mod store;

pub use config::{DEFAULT_KEY_PREFIX, DEFAULT_URL, RedisConfig};
pub use eviction::is_evicting;
pub use store::RedisStore;
