//! Wiring: the domain service over this example's own adapters, with the
//! shipped adapters on every other port.
//!
//! This is the part an embedder writes once. `sesame-domain` takes one
//! adapter per port in [`Ports`]; which ones are yours and which are shipped
//! is your choice, port by port.

use std::sync::Arc;

use sesame_delivery_console::ConsoleSender;
use sesame_domain::ports::{EmailSender, Housekeeping, UserStore, random_array};
use sesame_domain::service::Issuer;
use sesame_domain::{
    Api, Client, ClientId, Connection, GrantType, MacKey, MagicLinkSettings, Passwordless,
    PasswordlessConfig, Ports,
};
use sesame_store_memory::{
    MemoryAuthorizationCodeStore, MemoryChallengeStore, MemoryKeyStore, MemoryRateLimiter,
    MemoryRefreshTokenStore, StaticApiRegistry, StaticClientRegistry,
};
use sesame_system::{OsRandom, SystemClock};
use sesame_templates::LiquidRenderer;
use sesame_token_jwt::{AesGcmKeySealer, JwtMinter};

/// The id of the one application registered: this service itself, which
/// calls the domain directly and so has no secret to present.
pub const CLIENT_ID: &str = "embedded-web";

/// The scope every login asks for: `openid` brings an id token, whose
/// claims carry the verified address.
pub const SCOPE: &str = "openid profile email";

/// The adapters this service brings itself.
pub struct OwnAdapters {
    /// Where users live: the team's own table.
    pub users: Arc<dyn UserStore>,
    /// Where login emails go: the team's own mail queue.
    pub email: Arc<dyn EmailSender>,
}

/// A wired service, and the stores whose expired records someone must
/// purge (the in-memory ones; the example's user store keeps no expiring
/// records).
pub struct Wired {
    /// The domain service.
    pub service: Arc<Passwordless>,
    /// The stores to purge periodically.
    pub housekeeping: Vec<Arc<dyn Housekeeping>>,
}

/// The registered application: a public client of the email connection,
/// allowed the one-time-code grant only.
///
/// # Errors
/// None in practice: [`CLIENT_ID`] is a valid client id.
pub fn client() -> anyhow::Result<Client> {
    Ok(Client {
        id: ClientId::parse(CLIENT_ID)?,
        name: "Embedded example".to_owned(),
        secret: None,
        callbacks: Vec::new(),
        grant_types: vec![GrantType::PasswordlessOtp],
        connections: vec![Connection::Email],
        trust_forwarded_for: false,
        web_origins: Vec::new(),
        magic_link: MagicLinkSettings::default(),
        require_dpop: false,
        mfa: None,
        api_grants: Vec::new(),
    })
}

/// The domain service for `issuer`, keying code MACs with `mac_key`, on
/// `own` adapters and shipped ones for the rest. Makes the signing key on
/// first start.
///
/// # Errors
/// The client or templates do not load, or the key cannot be made.
pub async fn passwordless(
    issuer: Issuer,
    mac_key: MacKey,
    own: OwnAdapters,
) -> anyhow::Result<Wired> {
    let challenges = Arc::new(MemoryChallengeStore::new());
    let authorization_codes = Arc::new(MemoryAuthorizationCodeStore::new());
    let refresh_tokens = Arc::new(MemoryRefreshTokenStore::new());
    let rate_limiter = Arc::new(MemoryRateLimiter::new());
    let ports = Ports {
        clients: Arc::new(StaticClientRegistry::new([client()?])),
        // No API: access tokens are for this service's own `/userinfo`.
        apis: Arc::new(StaticApiRegistry::new(Vec::<Api>::new())),
        users: own.users,
        challenges: challenges.clone(),
        authorization_codes: authorization_codes.clone(),
        refresh_tokens: refresh_tokens.clone(),
        // No MFA policy here (the default is `never`); the ports are still
        // wired, so turning it on is configuration, not code.
        authenticators: Arc::new(sesame_store_memory::MemoryAuthenticatorStore::default()),
        mfa_transactions: Arc::new(sesame_store_memory::MemoryMfaTransactionStore::default()),
        keys: Arc::new(MemoryKeyStore::new()),
        // Keys live in memory and die with the process: a random sealing
        // secret is enough. With a durable store, derive it from a secret
        // that outlives restarts, as the server does.
        sealer: Arc::new(AesGcmKeySealer::from_secret(&random_array::<32>(
            &OsRandom,
        ))?),
        rate_limiter: rate_limiter.clone(),
        email: own.email,
        // The client has no sms connection; the port still needs an adapter.
        sms: Arc::new(ConsoleSender::stderr()),
        renderer: Arc::new(LiquidRenderer::builtin()?),
        minter: Arc::new(JwtMinter::new()),
        dpop_verifier: Arc::new(sesame_token_jwt::JwtDpopVerifier::new()),
        dpop_replay: Arc::new(sesame_store_memory::MemoryDpopReplayStore::new()),
        clock: Arc::new(SystemClock),
        rng: Arc::new(OsRandom),
    };
    let config = PasswordlessConfig::new(issuer);
    let alg = config.default_signing_alg;
    let service = Passwordless::new(ports, config, mac_key);
    // Keys live in memory here, so every start makes a new one; with a
    // durable key store this finds the existing key instead.
    service.ensure_signing_keys(&[alg]).await?;
    Ok(Wired {
        service: Arc::new(service),
        housekeeping: vec![
            challenges,
            authorization_codes,
            refresh_tokens,
            rate_limiter,
        ],
    })
}
