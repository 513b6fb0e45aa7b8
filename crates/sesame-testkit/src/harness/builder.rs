//! Assembling a [`Harness`]: in-memory adapters unless told otherwise.

use std::fmt;
use std::sync::Arc;

use sesame_domain::code::MacKey;
use sesame_domain::ports::{
    AuthorizationCodeStore, ChallengeStore, DeliveryQueue, DpopProofVerifier, DpopReplayStore,
    HealthCheck, KeySealer, KeyStore, MessageRenderer, RateLimiter, RefreshTokenStore, StepStore,
    TokenMinter, UserStore,
};
use sesame_domain::service::Issuer;
use sesame_domain::{Api, Client, Passwordless, PasswordlessConfig, Ports};

use super::{Harness, defaults};
use crate::dpop::MemoryDpopVerifier;
use crate::memory::{
    MemoryApiRegistry, MemoryAuthenticatorStore, MemoryAuthorizationCodeStore,
    MemoryChallengeStore, MemoryClientRegistry, MemoryDpopReplayStore, MemoryKeyStore,
    MemoryMfaTransactionStore, MemoryRateLimiter, MemoryRefreshTokenStore, MemoryUserStore,
};
use crate::{
    BareRenderer, MemoryKeySealer, MemoryTokenMinter, Outbox, RecordedEvents, ScriptedCodes,
    StepClock,
};

type Configure = Box<dyn FnOnce(&mut PasswordlessConfig) + Send>;

/// Builds a [`Harness`]. Every port not given is an in-memory adapter.
#[must_use]
pub struct HarnessBuilder {
    challenges: Option<Arc<dyn ChallengeStore>>,
    users: Option<Arc<dyn UserStore>>,
    keys: Option<Arc<dyn KeyStore>>,
    sealer: Option<Arc<dyn KeySealer>>,
    refresh_tokens: Option<Arc<dyn RefreshTokenStore>>,
    authorization_codes: Option<Arc<dyn AuthorizationCodeStore>>,
    rate_limiter: Option<Arc<dyn RateLimiter>>,
    steps: Option<Arc<dyn StepStore>>,
    minter: Option<Arc<dyn TokenMinter>>,
    dpop_verifier: Option<Arc<dyn DpopProofVerifier>>,
    dpop_replay: Option<Arc<dyn DpopReplayStore>>,
    renderer: Option<Arc<dyn MessageRenderer>>,
    clock: Option<StepClock>,
    codes: Option<Arc<ScriptedCodes>>,
    outbox: Option<Outbox>,
    health: Vec<Arc<dyn HealthCheck>>,
    queue: Option<Arc<dyn DeliveryQueue>>,
    configure: Vec<Configure>,
    mac_secret: Vec<u8>,
    defaults: bool,
    clients_to_register: Vec<Client>,
    apis_to_register: Vec<Api>,
}

impl Default for HarnessBuilder {
    fn default() -> Self {
        Self {
            challenges: None,
            users: None,
            keys: None,
            sealer: None,
            refresh_tokens: None,
            authorization_codes: None,
            rate_limiter: None,
            steps: None,
            minter: None,
            dpop_verifier: None,
            dpop_replay: None,
            renderer: None,
            clock: None,
            codes: None,
            outbox: None,
            health: Vec::new(),
            queue: None,
            configure: Vec::new(),
            mac_secret: defaults::MAC_SECRET.to_vec(),
            defaults: true,
            clients_to_register: Vec::new(),
            apis_to_register: Vec::new(),
        }
    }
}

impl fmt::Debug for HarnessBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HarnessBuilder")
            .field("register_defaults", &self.defaults)
            .finish_non_exhaustive()
    }
}

impl HarnessBuilder {
    /// Challenges go to `store` instead of memory.
    pub fn with_challenges(mut self, store: Arc<dyn ChallengeStore>) -> Self {
        self.challenges = Some(store);
        self
    }

    /// Users go to `store` instead of memory.
    pub fn with_users(mut self, store: Arc<dyn UserStore>) -> Self {
        self.users = Some(store);
        self
    }

    /// Signing keys go to `store` instead of memory.
    pub fn with_keys(mut self, store: Arc<dyn KeyStore>) -> Self {
        self.keys = Some(store);
        self
    }

    /// Refresh tokens go to `store` instead of memory.
    pub fn with_refresh_tokens(mut self, store: Arc<dyn RefreshTokenStore>) -> Self {
        self.refresh_tokens = Some(store);
        self
    }

    /// Rate limits are counted by `limiter` instead of in memory.
    pub fn with_rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.rate_limiter = Some(limiter);
        self
    }

    /// Login steps go to `steps` in one call each (see
    /// [`Passwordless::with_step_store`]); it must hold the same counters
    /// and challenges as the limiter and challenge store given.
    pub fn with_step_store(mut self, steps: Arc<dyn StepStore>) -> Self {
        self.steps = Some(steps);
        self
    }

    /// Tokens are signed by `minter` instead of [`MemoryTokenMinter`].
    pub fn with_minter(mut self, minter: Arc<dyn TokenMinter>) -> Self {
        self.minter = Some(minter);
        self
    }

    /// Keys are sealed by `sealer` instead of [`MemoryKeySealer`]'s default.
    pub fn with_sealer(mut self, sealer: Arc<dyn KeySealer>) -> Self {
        self.sealer = Some(sealer);
        self
    }

    /// Authorization codes live in `store` instead of memory.
    pub fn with_authorization_codes(mut self, store: Arc<dyn AuthorizationCodeStore>) -> Self {
        self.authorization_codes = Some(store);
        self
    }

    /// Messages are rendered by `renderer` instead of [`BareRenderer`].
    pub fn with_renderer(mut self, renderer: Arc<dyn MessageRenderer>) -> Self {
        self.renderer = Some(renderer);
        self
    }

    /// The service reads `clock` (default: a [`StepClock::starting_now`], so
    /// stores with native TTLs see sensible instants).
    pub fn with_clock(mut self, clock: StepClock) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Codes and random bytes come from `codes` (default: a fresh
    /// [`ScriptedCodes::new`], whose ids differ from every other harness's).
    pub fn with_codes(mut self, codes: ScriptedCodes) -> Self {
        self.codes = Some(Arc::new(codes));
        self
    }

    /// Messages are captured by `outbox` (default: a new one).
    pub fn with_outbox(mut self, outbox: Outbox) -> Self {
        self.outbox = Some(outbox);
        self
    }

    /// Adds `check` to the backends the service's readiness asks (default:
    /// none), e.g. a [`crate::MemoryHealth`] a test can mark down.
    pub fn with_health_check(mut self, check: Arc<dyn HealthCheck>) -> Self {
        self.health.push(check);
        self
    }

    /// Hands deliveries to `queue` while sign-ups are disabled (default:
    /// none, so every delivery stays in the request), e.g. a
    /// [`crate::QueuedDeliveries`] a test drains by hand.
    pub fn with_delivery_queue(mut self, queue: Arc<dyn DeliveryQueue>) -> Self {
        self.queue = Some(queue);
        self
    }

    /// Changes the configuration, after the defaults for [`defaults::ISSUER`]
    /// and after earlier calls.
    pub fn configure(mut self, f: impl FnOnce(&mut PasswordlessConfig) + Send + 'static) -> Self {
        self.configure.push(Box::new(f));
        self
    }

    /// Keys MACs with `secret` (at least 32 bytes) instead of
    /// [`defaults::MAC_SECRET`].
    pub fn with_mac_secret(mut self, secret: &[u8]) -> Self {
        self.mac_secret = secret.to_vec();
        self
    }

    /// Registers `client` too (after the defaults, so it may replace one).
    pub fn with_client(mut self, client: Client) -> Self {
        self.clients_to_register.push(client);
        self
    }

    /// DPoP proofs are checked by `verifier` instead of the fake
    /// [`MemoryDpopVerifier`].
    pub fn with_dpop_verifier(mut self, verifier: Arc<dyn DpopProofVerifier>) -> Self {
        self.dpop_verifier = Some(verifier);
        self
    }

    /// DPoP proof ids go to `store` instead of memory (share one store
    /// between two harnesses to play two instances).
    pub fn with_dpop_replay_store(mut self, store: Arc<dyn DpopReplayStore>) -> Self {
        self.dpop_replay = Some(store);
        self
    }

    /// Registers `api` too (after the defaults, so it may replace one).
    pub fn with_api(mut self, api: Api) -> Self {
        self.apis_to_register.push(api);
        self
    }

    /// Registers neither the default clients nor the default API.
    pub fn without_default_registrations(mut self) -> Self {
        self.defaults = false;
        self
    }

    /// Registers the clients and APIs in memory and wires the service.
    ///
    /// # Errors
    /// When the MAC secret is too short or the issuer is invalid.
    pub async fn build(self) -> anyhow::Result<Harness> {
        let mut config = PasswordlessConfig::new(Issuer::parse(defaults::ISSUER)?);
        for f in self.configure {
            f(&mut config);
        }
        let mac_key = MacKey::new(&self.mac_secret)?;
        let clock = self.clock.unwrap_or_else(StepClock::starting_now);
        let codes = self.codes.unwrap_or_default();
        let outbox = self.outbox.unwrap_or_default();
        let mut clients = Vec::new();
        let mut apis = Vec::new();
        if self.defaults {
            clients.extend([defaults::confidential_client(), defaults::public_client()]);
            apis.push(defaults::api());
        }
        clients.extend(self.clients_to_register);
        apis.extend(self.apis_to_register);
        let registered_clients = Arc::new(MemoryClientRegistry::with_clients(clients));
        let registered_apis = Arc::new(MemoryApiRegistry::with_apis(apis));
        let ports = Ports {
            clients: registered_clients.clone(),
            apis: registered_apis.clone(),
            users: self
                .users
                .unwrap_or_else(|| Arc::new(MemoryUserStore::new())),
            challenges: self
                .challenges
                .unwrap_or_else(|| Arc::new(MemoryChallengeStore::new())),
            refresh_tokens: self
                .refresh_tokens
                .unwrap_or_else(|| Arc::new(MemoryRefreshTokenStore::new())),
            authenticators: Arc::new(MemoryAuthenticatorStore::default()),
            mfa_transactions: Arc::new(MemoryMfaTransactionStore::default()),
            authorization_codes: self
                .authorization_codes
                .unwrap_or_else(|| Arc::new(MemoryAuthorizationCodeStore::new())),
            keys: self.keys.unwrap_or_else(|| Arc::new(MemoryKeyStore::new())),
            sealer: self
                .sealer
                .unwrap_or_else(|| Arc::new(MemoryKeySealer::default())),
            rate_limiter: self
                .rate_limiter
                .unwrap_or_else(|| Arc::new(MemoryRateLimiter::new())),
            email: Arc::new(outbox.clone()),
            sms: Arc::new(outbox.clone()),
            renderer: self.renderer.unwrap_or_else(|| Arc::new(BareRenderer)),
            minter: self
                .minter
                .unwrap_or_else(|| Arc::new(MemoryTokenMinter::new())),
            dpop_verifier: self
                .dpop_verifier
                .unwrap_or_else(|| Arc::new(MemoryDpopVerifier)),
            dpop_replay: self
                .dpop_replay
                .unwrap_or_else(|| Arc::new(MemoryDpopReplayStore::new())),
            clock: Arc::new(clock.clone()),
            rng: codes.clone(),
        };
        let events = RecordedEvents::default();
        let mut service = Passwordless::new(ports, config, mac_key)
            .with_health_checks(self.health)
            .with_event_sink(Arc::new(events.clone()))
            .with_event_store(Arc::new(events.clone()));
        if let Some(queue) = self.queue {
            service = service.with_delivery_queue(queue);
        }
        if let Some(steps) = self.steps {
            service = service.with_step_store(steps);
        }
        Ok(Harness {
            service: Arc::new(service),
            clock,
            codes,
            outbox,
            events,
            registered_clients,
            registered_apis,
        })
    }
}
