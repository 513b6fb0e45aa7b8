//! # sesame-store-memory
//!
//! Every storage port in process memory, for `memory://` stores, tests and
//! embedders that need no infrastructure.
//!
//! Each store keeps its state behind one `std::sync::Mutex`, taken for the
//! whole of a port call and never across an `.await`, which makes every
//! operation atomic. They are production quality for a single process: the
//! server uses them for `memory://` stores, and expired data is purged rather
//! than accumulating forever. [`MemoryHealth`] answers readiness for them.
//!
//! Clients and APIs: [`StaticClientRegistry`] and [`StaticApiRegistry`] hold
//! what the configuration registers, fixed at startup and read without a
//! lock on the hot path; the mutable [`MemoryClientRegistry`] and
//! [`MemoryApiRegistry`] are for tests and embedders that change
//! registrations at run time.

mod authenticators;
mod authorization_codes;
mod challenges;
mod dpop_replay;
mod events;
mod health;
mod keys;
mod mfa_transactions;
mod rate_limiter;
mod refresh_tokens;
mod registry;
mod static_registry;
mod sync;
mod users;

pub use authenticators::MemoryAuthenticatorStore;
pub use authorization_codes::MemoryAuthorizationCodeStore;
pub use challenges::MemoryChallengeStore;
pub use dpop_replay::MemoryDpopReplayStore;
pub use events::MemoryEventStore;
pub use health::MemoryHealth;
pub use keys::MemoryKeyStore;
pub use mfa_transactions::MemoryMfaTransactionStore;
pub use rate_limiter::MemoryRateLimiter;
pub use refresh_tokens::MemoryRefreshTokenStore;
pub use registry::{MemoryApiRegistry, MemoryClientRegistry};
pub use static_registry::{StaticApiRegistry, StaticClientRegistry};
pub use users::MemoryUserStore;
