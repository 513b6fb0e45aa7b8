//! The use cases: start a passwordless login, answer token requests (one
//! pipeline for every grant), check and spend magic links, revoke refresh
//! tokens, answer `/userinfo`, publish the JWKS.

mod builtin_apis;
mod client_auth;
mod config;
mod deps;
mod dpop;
mod errors;
mod events;
mod keyring;
mod limit_events;
pub mod link;
mod macs;
pub mod management;
pub mod mfa;
mod mint;
mod requests;
mod revoke;
mod roles;
mod sign_in;
mod sms_guard;
mod start;
mod start_admit;
mod start_params;
pub mod token;
mod userinfo;

use std::sync::Arc;

pub use builtin_apis::MANAGEMENT_API_SCOPES;
pub use config::{InvalidIssuer, Issuer, PasswordlessConfig, TestIdentity};
pub use deps::Ports;
pub use errors::{RevokeError, StartError, UserinfoError};
pub use events::TracingEventSink;
pub use keyring::{KeyError, KeyInfo, KeyState};
pub use link::{LinkApp, LinkError, LinkPreview, LinkRedirect, LinkRequest};
pub use management::{ListLogs, ListUsers, ManagementCaller, ManagementError, UserPatch};
pub use mfa::{
    AssociateRequest, AuthenticatorView, ChallengeAnswer, ChallengeRequest, Enrollment,
    MfaApiError, MfaGrantError, MfaRequired,
};
pub use requests::{ClientCredentials, RevokeRequest, StartRequest, Started};
pub use roles::{
    AllRoles, BackendStatus, Discovery, IssueTokens, MagicLinks, ManageUsers, MultiFactor,
    Readiness, Revocation, StartLogin, UserInfo,
};
#[cfg(feature = "mocks")]
pub use roles::{
    MockDiscovery, MockIssueTokens, MockMagicLinks, MockManageUsers, MockMultiFactor,
    MockReadiness, MockRevocation, MockStartLogin, MockUserInfo,
};
pub use sms_guard::SmsGuardConfig;
pub use token::{
    ClientCredentialsError, ClientCredentialsGrant, CodeGrant, CodeGrantError, Grant, GrantError,
    MfaOobError, MfaOobGrant, MfaOtpError, MfaOtpGrant, MfaRecoveryError, MfaRecoveryGrant,
    OtpError, OtpGrant, RefreshError, RefreshGrant, Refusal, TokenError, TokenRequest,
};

use crate::code::MacKey;
use crate::ports::{DeliveryQueue, EventSink, EventStore, HealthCheck, SeparateSteps, StepStore};
pub use crate::profile::Profile;
use keyring::KeyRing;
use macs::Macs;

/// The passwordless service: every use case, over one set of [`Ports`].
///
/// Share it behind an `Arc`; all methods take `&self`. The transport sees it
/// through the role traits ([`StartLogin`], [`IssueTokens`], …), one per
/// endpoint family.
pub struct Passwordless {
    ports: Ports,
    /// The limiter and the challenges together, one call per login step.
    steps: Arc<dyn StepStore>,
    config: PasswordlessConfig,
    macs: Macs,
    keyring: KeyRing,
    health: Vec<Arc<dyn HealthCheck>>,
    /// Where deliveries go after the answer while sign-ups are disabled.
    queue: Option<Arc<dyn DeliveryQueue>>,
    /// Where log events go, as they happen.
    events: Arc<dyn EventSink>,
    /// Where they are kept, for `/api/v2/logs`; none keeps nothing.
    event_store: Option<Arc<dyn EventStore>>,
    /// Orders this instance's events of one millisecond (it wraps).
    event_seq: std::sync::atomic::AtomicU16,
    /// The limit windows already logged, so a flood logs once.
    limit_log: limit_events::LimitLog,
}

impl Passwordless {
    /// A service over `ports` with `config`, keying every MAC with `mac_key`.
    #[must_use]
    pub fn new(ports: Ports, config: PasswordlessConfig, mac_key: MacKey) -> Self {
        let steps = Arc::new(SeparateSteps::new(
            ports.rate_limiter.clone(),
            ports.challenges.clone(),
        ));
        Self {
            ports,
            steps,
            config,
            macs: Macs::new(mac_key),
            keyring: KeyRing::default(),
            health: Vec::new(),
            queue: None,
            events: Arc::new(TracingEventSink),
            event_store: None,
            event_seq: std::sync::atomic::AtomicU16::new(0),
            limit_log: limit_events::LimitLog::default(),
        }
    }

    /// Hands deliveries to `queue`, after the answer, while
    /// [`disable_signup`](PasswordlessConfig::disable_signup) is set, so the
    /// time of a start's answer does not tell a known address from an
    /// unknown one. Without sign-ups disabled delivery stays in the request,
    /// so a provider's refusal is still answered (`sms_provider_error`).
    #[must_use]
    pub fn with_delivery_queue(mut self, queue: Arc<dyn DeliveryQueue>) -> Self {
        self.queue = Some(queue);
        self
    }

    /// Does each login step that counts limits and touches a challenge with
    /// one call to `steps`. By default each step is the rate limiter's call
    /// and then the challenge store's ([`SeparateSteps`]); give the store
    /// that holds both when it does a step in one round trip (Redis).
    /// `steps` MUST work on the same counters and challenges as the
    /// [`Ports`]' limiter and challenge store.
    #[must_use]
    pub fn with_step_store(mut self, steps: Arc<dyn StepStore>) -> Self {
        self.steps = steps;
        self
    }

    /// Sends log events to `sink` (by default each is a `tracing` line).
    #[must_use]
    pub fn with_event_sink(mut self, sink: Arc<dyn EventSink>) -> Self {
        self.events = sink;
        self
    }

    /// Lists log events from `store` at `/api/v2/logs`; without one, the
    /// listing is empty. The sink decides what reaches the store.
    #[must_use]
    pub fn with_event_store(mut self, store: Arc<dyn EventStore>) -> Self {
        self.event_store = Some(store);
        self
    }

    /// Adds backends for [`Readiness::readiness`] to ask.
    #[must_use]
    pub fn with_health_checks(mut self, checks: Vec<Arc<dyn HealthCheck>>) -> Self {
        self.health.extend(checks);
        self
    }

    /// The rules in force.
    #[must_use]
    pub const fn config(&self) -> &PasswordlessConfig {
        &self.config
    }

    /// The adapters in use.
    #[must_use]
    pub const fn ports(&self) -> &Ports {
        &self.ports
    }
}
