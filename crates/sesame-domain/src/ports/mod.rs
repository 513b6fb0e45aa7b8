//! The ports: every capability the domain needs from the outside world.
//!
//! Each trait is object safe and `Send + Sync`, so the server can choose an
//! adapter from configuration at run time and hold it as `Arc<dyn Port>`.
//! Every method documents, under `# Errors`, the rules an adapter MUST keep;
//! `sesame-testkit` has one contract suite per port that checks them.

mod authenticators;
mod authorization_codes;
mod challenges;
mod delivery;
mod delivery_queue;
mod dpop;
mod events;
mod health;
mod housekeeping;
mod keys;
mod mfa_transactions;
mod pages;
mod rate_limiter;
mod refresh_tokens;
mod registry;
mod sealing;
mod steps;
mod store;
mod system;
mod tokens;
mod users;

pub use authenticators::AuthenticatorStore;
pub use authorization_codes::AuthorizationCodeStore;
pub use challenges::ChallengeStore;
pub use delivery::{DeliveryError, EmailSender, MessageRenderer, RenderError, SmsSender};
pub use delivery_queue::{DeliveryQueue, Outgoing, QueueFull};
pub use dpop::{DpopProofVerifier, DpopReplayStore, ProofRejected};
pub use events::{EventSink, EventStore};
pub use health::HealthCheck;
pub use housekeeping::{Housekeeping, PurgeReport};
pub use keys::KeyStore;
pub use mfa_transactions::MfaTransactionStore;
pub use pages::PageRenderer;
pub use rate_limiter::{RateLimiter, first_without_room, reserve_one_by_one};
pub use refresh_tokens::RefreshTokenStore;
pub use registry::{ApiRegistry, ClientRegistry};
pub use sealing::{KeySealer, Opened, SealError};
pub use steps::{
    SeparateSteps, Settlement, StepStore, admit_one_by_one, consume_then_settle, reserve_then_read,
};
pub use store::StoreError;
pub use system::{Clock, CodeGenerator, random_array};
pub use tokens::{SigningError, TokenMinter};
pub use users::UserStore;
