//! In-memory adapters for every storage port.
//!
//! Each keeps its state behind one `std::sync::Mutex`, taken for the whole of
//! a port call and never across an `.await`, which makes every operation
//! atomic. They are production quality for a single process: the server uses
//! them for `memory://` stores, so expired data can be purged rather than
//! accumulating forever. [`MemoryHealth`] answers readiness for them.

mod authorization_codes;
mod challenges;
mod health;
mod keys;
mod rate_limiter;
mod refresh_tokens;
mod registry;
mod users;

pub use authorization_codes::MemoryAuthorizationCodeStore;
pub use challenges::MemoryChallengeStore;
pub use health::MemoryHealth;
pub use keys::MemoryKeyStore;
pub use rate_limiter::MemoryRateLimiter;
pub use refresh_tokens::MemoryRefreshTokenStore;
pub use registry::{MemoryApiRegistry, MemoryClientRegistry};
pub use users::MemoryUserStore;
