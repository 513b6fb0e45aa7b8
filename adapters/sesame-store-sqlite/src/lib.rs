//! # sesame-store-sqlite
//!
//! Every storage port of Sesame in one embedded SQLite database: challenges,
//! authorization codes, users, clients, APIs, signing keys, refresh tokens
//! and rate-limit counters. It is the bundled server's default store (`sqlite://sesame.db`).
//!
//! The file runs in WAL mode with `synchronous=NORMAL`, foreign keys on and a
//! busy timeout; [`SqliteStore::connect`] creates it if missing and applies
//! the embedded migrations. Every state change that must be atomic is one
//! conditional statement, or a short `BEGIN IMMEDIATE` transaction that takes
//! the write lock before it reads.
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

mod authorization_codes;
mod challenges;
mod codec;
mod config;
mod error;
mod health;
mod keys;
mod purge;
mod rate_limiter;
mod refresh_tokens;
mod store;
mod users;

pub use config::SqliteConfig;
pub use purge::{PurgeReport, PurgerHandle};
pub use store::SqliteStore;
