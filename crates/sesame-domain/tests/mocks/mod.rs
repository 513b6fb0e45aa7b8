//! mockall mocks of every port, and a builder that wires them into a
//! `Passwordless` with a fixed clock and counting randomness.

#![expect(
    clippy::unwrap_used,
    reason = "test fixtures: a broken fixture should fail the test loudly"
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use mockall::mock;
use secrecy::SecretString;
use sesame_domain::code::{CodeLength, MacKey, MacPurpose, Otp};
use sesame_domain::message::{DeliveryReceipt, EmailMessage, SmsMessage};
use sesame_domain::ports::{
    ApiRegistry, AuthorizationCodeStore, ChallengeStore, ClientRegistry, Clock, CodeGenerator,
    DeliveryError, EmailSender, KeyStore, RateLimiter, RefreshTokenStore, SigningError, SmsSender,
    StoreError, TokenMinter, UserStore,
};
use sesame_domain::service::{ClientCredentials, Issuer, OtpGrant, StartRequest, TokenRequest};
use sesame_domain::token::{AccessClaims, IdClaims};
use sesame_domain::{
    Api, AuthParams, AuthorizationCode, Challenge, ChallengeId, ChallengeKey, Client, ClientId,
    ClientSecretHash, CodeMac, Connection, EmailAddress, GrantType, KeyStatus, Passwordless,
    PasswordlessConfig, Ports, RateDecision, RateLimit, Recipient, Redemption, RefreshTokenRecord,
    Rotation, SendMode, SigningAlg, SigningKey, Timestamp, User, UserId,
};
use sesame_testkit::BareRenderer;

/// The code every challenge built here carries.
pub const OTP: &str = "123456";
/// The instant the fixed clock shows.
pub const NOW: Timestamp = Timestamp::from_unix_seconds(1_800_000_000);
const SECRET: &str = "client-secret-of-at-least-some-length";
const MAC_KEY: [u8; 32] = [42; 32];

mock! {
    pub Challenges {}
    #[async_trait]
    impl ChallengeStore for Challenges {
        async fn put(&self, challenge: &Challenge) -> Result<(), StoreError>;
        async fn latest(&self, key: &ChallengeKey) -> Result<Option<Challenge>, StoreError>;
        async fn record_failure(&self, key: &ChallengeKey, id: &ChallengeId) -> Result<Option<u32>, StoreError>;
        async fn consume(&self, key: &ChallengeKey, id: &ChallengeId, now: Timestamp) -> Result<bool, StoreError>;
        async fn consume_link(&self, key: &ChallengeKey, id: &ChallengeId, now: Timestamp) -> Result<bool, StoreError>;
        async fn delete(&self, key: &ChallengeKey, id: &ChallengeId) -> Result<(), StoreError>;
    }
}

mock! {
    pub Users {}
    #[async_trait]
    impl UserStore for Users {
        async fn find(&self, recipient: &Recipient) -> Result<Option<User>, StoreError>;
        async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError>;
        async fn create(&self, user: &User) -> Result<User, StoreError>;
        async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError>;
        async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError>;
        async fn update_profile(&self, id: &UserId, change: &sesame_domain::user::ProfileChange) -> Result<sesame_domain::user::ProfileUpdate, StoreError>;
        async fn search(&self, query: &sesame_domain::UserQuery) -> Result<sesame_domain::UserPage, StoreError>;
        async fn delete(&self, id: &UserId) -> Result<bool, StoreError>;
    }
}

mock! {
    pub Clients {}
    #[async_trait]
    impl ClientRegistry for Clients {
        async fn get(&self, id: &ClientId) -> Result<Option<Arc<Client>>, StoreError>;
        async fn ids(&self) -> Result<Vec<ClientId>, StoreError>;
    }
}

mock! {
    pub Apis {}
    #[async_trait]
    impl ApiRegistry for Apis {
        async fn get(&self, identifier: &str) -> Result<Option<Arc<Api>>, StoreError>;
    }
}

/// A key store holding a fixed set of keys; rotation is refused. (mockall
/// cannot mock `Option<&str>` arguments of async methods.)
#[derive(Default)]
pub struct StaticKeys(Vec<SigningKey>);

#[async_trait]
impl KeyStore for StaticKeys {
    async fn active(&self) -> Result<Vec<SigningKey>, StoreError> {
        Ok(self.0.clone())
    }

    async fn rotate(&self, _new: &SigningKey, _expected: Option<&str>) -> Result<bool, StoreError> {
        Ok(false)
    }

    async fn reseal(&self, _kid: &str, _from: &[u8], _to: &[u8]) -> Result<bool, StoreError> {
        Ok(false)
    }
}

mock! {
    pub Refresh {}
    #[async_trait]
    impl RefreshTokenStore for Refresh {
        async fn insert(&self, record: &RefreshTokenRecord) -> Result<(), StoreError>;
        async fn find(&self, mac: &CodeMac) -> Result<Option<RefreshTokenRecord>, StoreError>;
        async fn rotate(&self, presented: &CodeMac, replacement: &CodeMac, now: Timestamp, idle: Duration) -> Result<Rotation, StoreError>;
        async fn revoke_family(&self, family_id: &str) -> Result<(), StoreError>;
        async fn revoke_user(&self, user: &UserId) -> Result<(), StoreError>;
    }
}

mock! {
    pub Codes {}
    #[async_trait]
    impl AuthorizationCodeStore for Codes {
        async fn insert(&self, code: &AuthorizationCode) -> Result<(), StoreError>;
        async fn redeem(&self, mac: &CodeMac, now: Timestamp) -> Result<Redemption, StoreError>;
        async fn record_family(&self, mac: &CodeMac, family_id: &str) -> Result<bool, StoreError>;
    }
}

mock! {
    pub Limiter {}
    #[async_trait]
    impl RateLimiter for Limiter {
        async fn hit(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<RateDecision, StoreError>;
        async fn peek(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<RateDecision, StoreError>;
        async fn reserve(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<RateDecision, StoreError>;
        async fn release(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError>;
        async fn reset(&self, key: &str, rule: RateLimit, now: Timestamp) -> Result<(), StoreError>;
    }
}

mock! {
    pub Email {}
    #[async_trait]
    impl EmailSender for Email {
        async fn send_email(&self, message: &EmailMessage) -> Result<DeliveryReceipt, DeliveryError>;
    }
}

mock! {
    pub Sms {}
    #[async_trait]
    impl SmsSender for Sms {
        async fn send_sms(&self, message: &SmsMessage) -> Result<DeliveryReceipt, DeliveryError>;
    }
}

mock! {
    pub Minter {}
    #[async_trait]
    impl TokenMinter for Minter {
        fn generate_key(&self, alg: SigningAlg, now: Timestamp) -> Result<SigningKey, SigningError>;
        async fn sign_access(&self, key: &SigningKey, claims: &AccessClaims) -> Result<String, SigningError>;
        async fn sign_id(&self, key: &SigningKey, claims: &IdClaims) -> Result<String, SigningError>;
        fn verify_access(&self, token: &str, keys: &[SigningKey], issuer: &str) -> Result<AccessClaims, SigningError>;
    }
}

struct FixedClock;

impl Clock for FixedClock {
    fn now(&self) -> Timestamp {
        NOW
    }
}

/// Codes are always [`OTP`]; bytes count up so ids differ.
#[derive(Default)]
struct CountingRandom(AtomicU8);

impl CodeGenerator for CountingRandom {
    fn numeric_code(&self, _length: CodeLength) -> Otp {
        Otp::new(OTP)
    }

    fn fill_bytes(&self, dest: &mut [u8]) {
        let n = self.0.fetch_add(1, Ordering::Relaxed);
        dest.fill(n);
    }
}

/// One mock per port; configure, then call [`Mocks::service`].
#[derive(Default)]
pub struct Mocks {
    pub challenges: MockChallenges,
    pub users: MockUsers,
    pub clients: MockClients,
    pub apis: MockApis,
    pub keys: StaticKeys,
    pub refresh: MockRefresh,
    pub authorization_codes: MockCodes,
    pub rate_limiter: MockLimiter,
    pub email: MockEmail,
    pub sms: MockSms,
    pub minter: MockMinter,
}

impl Mocks {
    /// Mocks whose client registry knows `client`.
    pub fn with_client(client: Client) -> Self {
        let mut m = Self::default();
        let client = Arc::new(client);
        m.clients
            .expect_get()
            .returning(move |_| Ok(Some(Arc::clone(&client))));
        m
    }

    /// A live challenge for `recipient` whose code is `code`, MAC'd under the
    /// same key the service uses.
    pub fn live_challenge_for(&self, recipient: Recipient, code: &str) -> Challenge {
        let id = ChallengeId::from_random([9; 16]);
        let key = MacKey::new(&MAC_KEY).unwrap();
        Challenge {
            code_mac: key.mac(MacPurpose::Otp, id.as_str(), code),
            id,
            client_id: confidential_client().id,
            recipient,
            send: SendMode::Code,
            auth_params: AuthParams::default(),
            link_mac: None,
            created_at: NOW,
            expires_at: NOW.plus(Duration::from_secs(180)),
            attempts_left: 3,
            consumed: false,
        }
    }

    /// Expects a redemption to find the failure limit open and a live
    /// challenge for [`email`] whose code is [`OTP`].
    pub fn expect_a_live_challenge_under_the_limit(&mut self) {
        self.rate_limiter.expect_reserve().returning(|_, _, _| {
            Ok(RateDecision {
                allowed: true,
                limit: 10,
                remaining: 9,
                reset_at: NOW.plus(Duration::from_secs(900)),
            })
        });
        self.rate_limiter
            .expect_release()
            .returning(|_, _, _| Ok(()));
        self.rate_limiter.expect_reset().returning(|_, _, _| Ok(()));
        let challenge = self.live_challenge_for(email(), OTP);
        self.challenges
            .expect_latest()
            .returning(move |_| Ok(Some(challenge.clone())));
    }

    /// Expects a first login: no user yet, one created, login recorded.
    pub fn expect_first_login(&mut self) {
        self.users.expect_find().returning(|_| Ok(None));
        self.users.expect_create().returning(|u| Ok(u.clone()));
        self.users.expect_record_login().returning(|id, at| {
            Ok(Some(User {
                id: id.clone(),
                recipient: email(),
                verified: true,
                created_at: at,
                last_login: Some(at),
                logins_count: 1,
                blocked: false,
                user_metadata: serde_json::Map::new(),
                app_metadata: serde_json::Map::new(),
                profile_updated_at: None,
            }))
        });
    }

    /// Expects the key store to hold one current RS256 key.
    pub fn expect_one_key(&mut self) {
        let key = SigningKey {
            kid: "k1".into(),
            alg: SigningAlg::RS256,
            private_der: Arc::new(secrecy::SecretBox::new(vec![1u8; 8].into_boxed_slice())),
            public_jwk: serde_json::json!({"kid": "k1"}),
            created_at: NOW,
            status: KeyStatus::Current,
        };
        self.keys = StaticKeys(vec![key]);
    }

    /// The service over these mocks.
    pub fn service(self) -> Passwordless {
        let ports = Ports {
            clients: Arc::new(self.clients),
            apis: Arc::new(self.apis),
            users: Arc::new(self.users),
            challenges: Arc::new(self.challenges),
            refresh_tokens: Arc::new(self.refresh),
            authenticators: Arc::new(sesame_testkit::memory::MemoryAuthenticatorStore::default()),
            mfa_transactions: Arc::new(sesame_testkit::memory::MemoryMfaTransactionStore::default()),
            authorization_codes: Arc::new(self.authorization_codes),
            keys: Arc::new(self.keys),
            sealer: Arc::new(sesame_testkit::MemoryKeySealer::default()),
            rate_limiter: Arc::new(self.rate_limiter),
            email: Arc::new(self.email),
            sms: Arc::new(self.sms),
            renderer: Arc::new(BareRenderer),
            minter: Arc::new(self.minter),
            dpop_verifier: Arc::new(sesame_testkit::dpop::MemoryDpopVerifier),
            dpop_replay: Arc::new(sesame_testkit::MemoryDpopReplayStore::new()),
            clock: Arc::new(FixedClock),
            rng: Arc::new(CountingRandom::default()),
        };
        let config = PasswordlessConfig::new(Issuer::parse("https://auth.example.com/").unwrap());
        Passwordless::new(ports, config, MacKey::new(&MAC_KEY).unwrap())
    }
}

/// A confidential client allowed every grant and connection.
pub fn confidential_client() -> Client {
    Client {
        id: ClientId::parse("web-app").unwrap(),
        name: "Web App".into(),
        secret: Some(ClientSecretHash::of(SECRET)),
        callbacks: vec!["https://app.example.com/callback".into()],
        grant_types: vec![
            GrantType::PasswordlessOtp,
            GrantType::RefreshToken,
            GrantType::AuthorizationCode,
        ],
        connections: vec![Connection::Email, Connection::Sms],
        trust_forwarded_for: false,
        web_origins: vec![],
        magic_link: sesame_domain::MagicLinkSettings::default(),
        require_dpop: false,
        mfa: None,
        api_grants: Vec::new(),
    }
}

/// The email recipient these tests use.
pub fn email() -> Recipient {
    Recipient::Email(EmailAddress::parse("user@example.com").unwrap())
}

fn credentials() -> ClientCredentials {
    ClientCredentials {
        client_id: ClientId::parse("web-app").unwrap(),
        client_secret: Some(SecretString::from(SECRET)),
    }
}

/// A code start for `recipient` from the confidential client.
pub fn start_request(recipient: Recipient) -> StartRequest {
    StartRequest {
        client: credentials(),
        recipient,
        send: SendMode::Code,
        auth_params: sesame_domain::RawAuthParams::default(),
        ip: Some("203.0.113.7".parse().unwrap()),
        forwarded_for: None,
        locale: None,
        user_agent: None,
    }
}

/// A redemption of `code` for `recipient` from the confidential client.
pub fn otp_request(recipient: Recipient, code: &str) -> TokenRequest {
    let grant = OtpGrant {
        connection: recipient.connection(),
        username: recipient.as_str().to_owned(),
        otp: Otp::new(code),
        audience: None,
        scope: Some("openid".into()),
        redirect_uri: None,
    };
    TokenRequest::new(credentials(), grant)
}
