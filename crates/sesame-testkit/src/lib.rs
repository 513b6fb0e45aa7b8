//! # sesame-testkit
//!
//! Everything needed to run Sesame without infrastructure, and to check that
//! infrastructure adapters behave:
//!
//! - [`memory`]: in-memory adapters for every storage port. They keep every
//!   rule the ports document and are what the server uses for `memory://`
//!   stores, not only what tests use.
//! - [`MemoryTokenMinter`]: a dependency-free fake signer for tests.
//! - [`StepClock`], [`ScriptedCodes`] and [`Outbox`]: time, randomness and
//!   delivery under a test's control; [`BareRenderer`]: messages that carry
//!   the code and the link without prose.
//! - [`Harness`]: a whole [`sesame_domain::Passwordless`] wired on the above,
//!   with registered clients and an API, any port replaceable.
//! - [`contract`]: one suite per storage port, which every adapter crate runs
//!   unchanged against its own backend.
//! - [`fixtures`]: fresh recipients, ids and real-time instants for tests.

pub mod clock;
pub mod codes;
pub mod contract;
pub mod fixtures;
pub mod harness;
pub mod memory;
pub mod minter;
pub mod outbox;
pub mod renderer;
mod sync;

pub use clock::StepClock;
pub use codes::ScriptedCodes;
pub use harness::{Harness, HarnessBuilder};
pub use memory::{
    MemoryApiRegistry, MemoryChallengeStore, MemoryClientRegistry, MemoryHealth, MemoryKeyStore,
    MemoryRateLimiter, MemoryRefreshTokenStore, MemoryUserStore,
};
pub use minter::MemoryTokenMinter;
pub use outbox::{Outbox, SentMessage};
pub use renderer::BareRenderer;
