//! The adapters a service runs on, one per port.

use std::sync::Arc;

use crate::ports::{
    ApiRegistry, AuthenticatorStore, AuthorizationCodeStore, ChallengeStore, ClientRegistry, Clock,
    CodeGenerator, DpopProofVerifier, DpopReplayStore, EmailSender, KeySealer, KeyStore,
    MessageRenderer, MfaTransactionStore, RateLimiter, RefreshTokenStore, SmsSender, TokenMinter,
    UserStore,
};

/// One adapter for every port. Cheap to clone.
#[derive(Clone)]
pub struct Ports {
    /// Registered applications.
    pub clients: Arc<dyn ClientRegistry>,
    /// Registered APIs.
    pub apis: Arc<dyn ApiRegistry>,
    /// Users.
    pub users: Arc<dyn UserStore>,
    /// Issued challenges.
    pub challenges: Arc<dyn ChallengeStore>,
    /// Authorization codes from magic links.
    pub authorization_codes: Arc<dyn AuthorizationCodeStore>,
    /// Refresh-token families.
    pub refresh_tokens: Arc<dyn RefreshTokenStore>,
    /// Users' second factors.
    pub authenticators: Arc<dyn AuthenticatorStore>,
    /// `mfa_token`s and out-of-band MFA challenges.
    pub mfa_transactions: Arc<dyn MfaTransactionStore>,
    /// Signing keys.
    pub keys: Arc<dyn KeyStore>,
    /// Seals private keys before they reach `keys`, opens them after.
    pub sealer: Arc<dyn KeySealer>,
    /// Rate-limit counters.
    pub rate_limiter: Arc<dyn RateLimiter>,
    /// Email delivery.
    pub email: Arc<dyn EmailSender>,
    /// SMS delivery.
    pub sms: Arc<dyn SmsSender>,
    /// Message templates.
    pub renderer: Arc<dyn MessageRenderer>,
    /// Token signing.
    pub minter: Arc<dyn TokenMinter>,
    /// DPoP proof signatures.
    pub dpop_verifier: Arc<dyn DpopProofVerifier>,
    /// DPoP proof ids already used (the cache when configured).
    pub dpop_replay: Arc<dyn DpopReplayStore>,
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// Randomness.
    pub rng: Arc<dyn CodeGenerator>,
}
