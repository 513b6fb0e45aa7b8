//! # sesame-testkit
//!
//! Everything needed to run Sesame without infrastructure, and to check that
//! infrastructure adapters behave:
//!
//! - [`memory`]: the in-memory adapters of `sesame-store-memory`, re-exported
//!   so a test needs one dependency; the harness wires them by default.
//! - [`MemoryTokenMinter`]: a dependency-free fake signer for tests, and
//!   [`MemoryKeySealer`] a fake sealer of keys at rest.
//! - [`StepClock`], [`ScriptedCodes`] and [`Outbox`]: time, randomness and
//!   delivery under a test's control; [`BareRenderer`]: messages that carry
//!   the code and the link without prose.
//! - [`Harness`]: a whole [`sesame_domain::Passwordless`] wired on the above,
//!   with registered clients and an API, any port replaceable.
//! - [`contract`]: one suite per storage port, which every adapter crate runs
//!   unchanged against its own backend.
//! - [`dpop`]: DPoP client keys and proofs (good and bad), and the
//!   harness's fake proof verifier.
//! - [`fixtures`]: fresh recipients, ids and real-time instants for tests.

pub mod clock;
pub mod codes;
pub mod contract;
pub mod dpop;
pub mod events;
pub mod fixtures;
pub mod harness;
pub mod minter;
pub mod outbox;
pub mod queue;
pub mod renderer;
pub mod sealer;
mod sync;

/// The in-memory adapters, from `sesame-store-memory`.
pub use sesame_store_memory as memory;

pub use clock::StepClock;
pub use codes::ScriptedCodes;
pub use events::RecordedEvents;
pub use harness::{Harness, HarnessBuilder};
pub use memory::{
    MemoryApiRegistry, MemoryAuthenticatorStore, MemoryChallengeStore, MemoryClientRegistry,
    MemoryDpopReplayStore, MemoryHealth, MemoryKeyStore, MemoryMfaTransactionStore,
    MemoryRateLimiter, MemoryRefreshTokenStore, MemoryUserStore,
};
pub use minter::MemoryTokenMinter;
pub use outbox::{Outbox, SentMessage};
pub use queue::QueuedDeliveries;
pub use renderer::BareRenderer;
pub use sealer::MemoryKeySealer;
