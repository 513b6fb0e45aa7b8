//! # sesame-store-sqlite
//!
//! Sesame's storage ports in one embedded SQLite database: challenges,
//! authorization codes, users, signing keys, refresh tokens, rate-limit
//! counters, DPoP proof ids, MFA authenticators and MFA transactions, and the [`Housekeeping`](sesame_domain::ports::Housekeeping)
//! that purges them; and log events ([`EventStore`](sesame_domain::ports::EventStore)),
//! which its own `purge_before` ends. It is the bundled server's default store
//! (`sqlite://sesame.db`). Clients and APIs are not stored here: the server
//! registers them from its configuration.
//!
//! The file runs in WAL mode with `synchronous=NORMAL`, foreign keys on and a
//! busy timeout; [`SqliteStore::connect`] creates it if missing and applies
//! the embedded migrations. Writes run on one connection, on a thread of its
//! own, in batches: one `BEGIN IMMEDIATE … COMMIT` for every write queued
//! meanwhile, each write in a savepoint of its own (group commit). Every
//! state change that must be atomic is one conditional statement, or a short
//! sequence in one write, which holds the write lock before it reads.
//!
//! SQLite serves one machine: several processes may share the file, but many
//! stateless instances behind a load balancer need the Postgres or Redis
//! stores.
//!
//! ```no_run
//! # async fn run() -> Result<(), sesame_domain::ports::StoreError> {
//! use sesame_store_sqlite::{SqliteConfig, SqliteStore};
//!
//! let store = SqliteStore::connect(&SqliteConfig::default()).await?;
//! # drop(store);
//! # Ok(())
//! # }
//! ```

mod authenticators;
mod authorization_codes;
mod builder;
mod challenges;
mod codec;
mod config;
mod conn;
mod dpop_replay;
mod error;
mod events;
mod files;
mod fold;
mod health;
mod housekeeping;
mod keys;
mod mfa_transactions;
mod migrate;
mod rate_batch;
mod rate_limiter;
mod readers;
mod refresh_tokens;
mod steps;
mod store;
mod users;
mod writer;

pub use config::SqliteConfig;
pub use store::SqliteStore;
