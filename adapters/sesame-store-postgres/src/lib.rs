//! # sesame-store-postgres
//!
//! Sesame's storage ports on PostgreSQL: [`ChallengeStore`],
//! [`AuthorizationCodeStore`], [`UserStore`], [`KeyStore`],
//! [`RefreshTokenStore`], [`RateLimiter`], [`AuthenticatorStore`],
//! [`MfaTransactionStore`], [`EventStore`], [`Housekeeping`] and
//! [`HealthCheck`], all
//! implemented by one [`PgStore`] over one connection pool. Clients and
//! APIs are not stored here: the server registers them from its
//! configuration.
//!
//! ```no_run
//! # async fn run() -> Result<(), sesame_domain::ports::StoreError> {
//! use sesame_store_postgres::{PgConfig, PgStore};
//!
//! let store = PgStore::connect(&PgConfig::new("postgres://sesame@db/sesame")).await?;
//! # Ok(()) }
//! ```
//!
//! [`PgStore::connect`] applies the embedded migrations; most queries are
//! checked at compile time against the `.sqlx/` cache kept in this crate,
//! the rest are plain runtime queries, so building needs no database. Every rule the ports demand to be atomic is
//! one statement or one transaction holding a row lock; see each module.
//! Instants are stored as `BIGINT` Unix milliseconds and MACs as `BYTEA`.
//!
//! [`ChallengeStore`]: sesame_domain::ports::ChallengeStore
//! [`AuthorizationCodeStore`]: sesame_domain::ports::AuthorizationCodeStore
//! [`UserStore`]: sesame_domain::ports::UserStore
//! [`KeyStore`]: sesame_domain::ports::KeyStore
//! [`RefreshTokenStore`]: sesame_domain::ports::RefreshTokenStore
//! [`RateLimiter`]: sesame_domain::ports::RateLimiter
//! [`AuthenticatorStore`]: sesame_domain::ports::AuthenticatorStore
//! [`MfaTransactionStore`]: sesame_domain::ports::MfaTransactionStore
//! [`EventStore`]: sesame_domain::ports::EventStore
//! [`Housekeeping`]: sesame_domain::ports::Housekeeping
//! [`HealthCheck`]: sesame_domain::ports::HealthCheck

mod authenticators;
mod authorization_codes;
mod challenges;
mod codec;
mod config;
mod dpop_replay;
mod error;
mod events;
mod fold;
mod health;
mod housekeeping;
mod keys;
mod mfa_transactions;
mod rate_batch;
mod rate_limit;
mod refresh;
mod store;
mod users;

pub use config::PgConfig;
pub use store::PgStore;
