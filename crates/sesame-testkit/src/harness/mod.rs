//! A whole [`Passwordless`] service on test adapters, for scenario tests.
//!
//! ```no_run
//! # async fn demo() -> anyhow::Result<()> {
//! use sesame_testkit::{Harness, fixtures};
//!
//! let h = Harness::new().await?;
//! let alice = fixtures::fresh_email();
//! h.start(&alice).await?;
//! let code = h.code_for(&alice).expect("a code was sent");
//! let tokens = h.redeem(&alice, &code).await?;
//! assert!(tokens.refresh_token().is_none());
//! # Ok(())
//! # }
//! ```
//!
//! Every port can be swapped for a real adapter through [`HarnessBuilder`],
//! so adapter crates run the same scenarios on their own stores.

mod builder;
pub mod defaults;

use std::sync::Arc;

use secrecy::SecretString;
use sesame_domain::code::Otp;
use sesame_domain::ports::{
    ApiRegistry, AuthorizationCodeStore, ChallengeStore, ClientRegistry, KeyStore, Opened,
    RateLimiter, RefreshTokenStore, TokenMinter, UserStore,
};
use sesame_domain::service::{
    ClientCredentials, Grant, LinkRequest, OtpGrant, RefreshGrant, StartError, StartRequest,
    Started, TokenError, TokenRequest,
};
use sesame_domain::{
    ClientId, Passwordless, RawAuthParams, Recipient, SendMode, SigningKey, TokenSet,
};

pub use builder::HarnessBuilder;

use crate::memory::{MemoryApiRegistry, MemoryClientRegistry};
use crate::{Outbox, RecordedEvents, ScriptedCodes, StepClock};

/// A [`Passwordless`] service with handles on everything it runs on.
///
/// By default: in-memory stores, [`crate::MemoryTokenMinter`],
/// [`crate::BareRenderer`], a [`StepClock`] starting at the
/// real current time, [`ScriptedCodes`] and an [`Outbox`]; the clients of
/// [`defaults::confidential_client`] and [`defaults::public_client`] and the
/// API of [`defaults::api`] registered; issuer [`defaults::ISSUER`].
#[derive(Clone)]
pub struct Harness {
    /// The service under test.
    pub service: Arc<Passwordless>,
    /// The clock the service reads; advance it to expire things.
    pub clock: StepClock,
    /// Where codes and random bytes come from; push codes to script them.
    pub codes: Arc<ScriptedCodes>,
    /// Every email and text message the service sent.
    pub outbox: Outbox,
    /// Every log event the service emitted (also its event store).
    pub events: RecordedEvents,
    registered_clients: Arc<MemoryClientRegistry>,
    registered_apis: Arc<MemoryApiRegistry>,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness")
            .field("clock", &self.clock)
            .field("outbox", &self.outbox)
            .finish_non_exhaustive()
    }
}

impl Harness {
    /// A builder, to replace ports or change the configuration.
    pub fn builder() -> HarnessBuilder {
        HarnessBuilder::default()
    }

    /// A harness with every default.
    ///
    /// # Errors
    /// Never with the in-memory defaults; see [`HarnessBuilder::build`].
    pub async fn new() -> anyhow::Result<Self> {
        Self::builder().build().await
    }

    /// The challenge store in use.
    #[must_use]
    pub fn challenges(&self) -> &Arc<dyn ChallengeStore> {
        &self.service.ports().challenges
    }

    /// The user store in use.
    #[must_use]
    pub fn users(&self) -> &Arc<dyn UserStore> {
        &self.service.ports().users
    }

    /// The client registry in use.
    #[must_use]
    pub fn clients(&self) -> &Arc<dyn ClientRegistry> {
        &self.service.ports().clients
    }

    /// The API registry in use.
    #[must_use]
    pub fn apis(&self) -> &Arc<dyn ApiRegistry> {
        &self.service.ports().apis
    }

    /// The registry behind [`clients`](Self::clients), to change a client
    /// in the middle of a test.
    #[must_use]
    pub fn registered_clients(&self) -> &MemoryClientRegistry {
        &self.registered_clients
    }

    /// The registry behind [`apis`](Self::apis), to change an API in the
    /// middle of a test.
    #[must_use]
    pub fn registered_apis(&self) -> &MemoryApiRegistry {
        &self.registered_apis
    }

    /// The key store in use. Its private keys are sealed: see
    /// [`Self::opened_keys`] for keys that sign and verify.
    #[must_use]
    pub fn keys(&self) -> &Arc<dyn KeyStore> {
        &self.service.ports().keys
    }

    /// Every stored key with its private half opened by the harness's
    /// sealer (a key stored in clear is taken as it is).
    ///
    /// # Errors
    /// The store fails or a key does not open.
    pub async fn opened_keys(&self) -> anyhow::Result<Vec<SigningKey>> {
        let ports = self.service.ports();
        let mut opened = Vec::new();
        for key in ports.keys.active().await? {
            let private_der = match ports.sealer.open(&key.kid, key.alg, key.private_der())? {
                Opened::Sealed(der) => Arc::new(der),
                Opened::Clear => Arc::clone(&key.private_der),
            };
            opened.push(SigningKey { private_der, ..key });
        }
        Ok(opened)
    }

    /// The authorization-code store in use.
    #[must_use]
    pub fn authorization_codes(&self) -> &Arc<dyn AuthorizationCodeStore> {
        &self.service.ports().authorization_codes
    }

    /// The refresh-token store in use.
    #[must_use]
    pub fn refresh_tokens(&self) -> &Arc<dyn RefreshTokenStore> {
        &self.service.ports().refresh_tokens
    }

    /// The rate limiter in use.
    #[must_use]
    pub fn rate_limiter(&self) -> &Arc<dyn RateLimiter> {
        &self.service.ports().rate_limiter
    }

    /// The token minter in use.
    #[must_use]
    pub fn minter(&self) -> &Arc<dyn TokenMinter> {
        &self.service.ports().minter
    }

    /// The default confidential client's id and secret.
    #[must_use]
    pub fn confidential() -> ClientCredentials {
        ClientCredentials {
            client_id: crate::fixtures::client_id(defaults::CONFIDENTIAL_CLIENT_ID),
            client_secret: Some(SecretString::from(defaults::CONFIDENTIAL_CLIENT_SECRET)),
        }
    }

    /// The default public client's id.
    #[must_use]
    pub fn public() -> ClientCredentials {
        ClientCredentials {
            client_id: crate::fixtures::client_id(defaults::PUBLIC_CLIENT_ID),
            client_secret: None,
        }
    }

    /// A code-mode start for `recipient` by the confidential client, with no
    /// `authParams`, IP or locale: adjust the fields before sending it.
    #[must_use]
    pub fn start_request(recipient: &Recipient) -> StartRequest {
        StartRequest {
            client: Self::confidential(),
            recipient: recipient.clone(),
            send: SendMode::Code,
            auth_params: RawAuthParams::default(),
            ip: None,
            forwarded_for: None,
            locale: None,
            user_agent: None,
        }
    }

    /// The OTP grant for `code` sent to `recipient`, no audience or scope.
    #[must_use]
    pub fn otp_grant(recipient: &Recipient, code: &str) -> OtpGrant {
        OtpGrant {
            connection: recipient.connection(),
            username: recipient.as_str().to_owned(),
            otp: Otp::new(code),
            audience: None,
            scope: None,
            redirect_uri: None,
        }
    }

    /// A token request by the confidential client with `grant`.
    #[must_use]
    pub fn token_request(grant: impl Into<Grant>) -> TokenRequest {
        TokenRequest::new(Self::confidential(), grant)
    }

    /// Sends [`Harness::start_request`] for `recipient`.
    ///
    /// # Errors
    /// What [`Passwordless::start`] returns.
    pub async fn start(&self, recipient: &Recipient) -> Result<Started, StartError> {
        self.service.start(Self::start_request(recipient)).await
    }

    /// The code in the last message to `recipient`.
    #[must_use]
    pub fn code_for(&self, recipient: &Recipient) -> Option<String> {
        self.outbox.last_code_for(recipient)
    }

    /// The request a browser sends back when it follows the last magic link
    /// to `recipient` (`/passwordless/verify_redirect?…`): `None` when no
    /// link was sent or it is not such a URL.
    #[must_use]
    pub fn link_request_for(&self, recipient: &Recipient) -> Option<LinkRequest> {
        let url = url::Url::parse(&self.outbox.last_link_for(recipient)?).ok()?;
        if url.path() != "/passwordless/verify_redirect" {
            return None;
        }
        let q = |k: &str| {
            url.query_pairs()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        Some(LinkRequest {
            client_id: ClientId::parse(q("client_id")).ok()?,
            connection: q("connection"),
            email: q("email"),
            verification_code: SecretString::from(q("verification_code")),
        })
    }

    /// Redeems `code` for `recipient` as the confidential client.
    ///
    /// # Errors
    /// Whatever the token pipeline answers.
    pub async fn redeem(&self, recipient: &Recipient, code: &str) -> Result<TokenSet, TokenError> {
        self.exchange(Self::otp_grant(recipient, code)).await
    }

    /// Presents `grant` at the token endpoint as the confidential client.
    ///
    /// # Errors
    /// Whatever the token pipeline answers.
    pub async fn exchange(&self, grant: impl Into<Grant>) -> Result<TokenSet, TokenError> {
        self.service.token(Self::token_request(grant)).await
    }

    /// A whole login as the confidential client, asking for
    /// `openid offline_access`: start, read the code, redeem it.
    ///
    /// # Errors
    /// When any step fails or no code arrives.
    pub async fn login(&self, recipient: &Recipient) -> anyhow::Result<TokenSet> {
        self.start(recipient).await?;
        let code = self
            .code_for(recipient)
            .ok_or_else(|| anyhow::anyhow!("no code was sent"))?;
        let mut grant = Self::otp_grant(recipient, &code);
        grant.scope = Some("openid offline_access".to_owned());
        Ok(self.exchange(grant).await?)
    }

    /// Trades `refresh_token` as the confidential client.
    ///
    /// # Errors
    /// What [`Passwordless::token`] returns.
    pub async fn refresh(&self, refresh_token: &str) -> Result<TokenSet, TokenError> {
        self.exchange(RefreshGrant {
            refresh_token: SecretString::from(refresh_token.to_owned()),
            scope: None,
        })
        .await
    }
}
