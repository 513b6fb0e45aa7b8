//! A temporary database and plain records to put in it.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::SecretBox;
use sesame_domain::{
    AuthParams, Challenge, ChallengeId, ClientId, CodeMac, Connection, EmailAddress, KeyStatus,
    PhoneNumber, Recipient, RefreshTokenRecord, SendMode, SigningAlg, SigningKey, Timestamp, User,
    UserId,
};
use sesame_store_sqlite::{SqliteConfig, SqliteStore};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use tempfile::TempDir;

/// A database file in a directory that goes away with the value.
pub struct TempDb {
    pub dir: TempDir,
    pub path: PathBuf,
}

impl TempDb {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sesame.db");
        Self { dir, path }
    }

    pub fn config(&self) -> SqliteConfig {
        SqliteConfig::file(&self.path)
    }

    /// sqlx's options for the file, as earlier releases opened it: for
    /// tests that poke at it as another process, or build it as an older
    /// release did.
    pub fn sqlx_options(&self) -> SqliteConnectOptions {
        SqliteConnectOptions::new()
            .filename(&self.path)
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
    }

    /// A new store (its own connections) on the file.
    pub async fn open(&self) -> SqliteStore {
        SqliteStore::connect(&self.config()).await.unwrap()
    }
}

/// A number never handed out before in this process.
pub fn unique() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

fn bytes<const N: usize>() -> [u8; N] {
    let mut out = [0u8; N];
    let n = unique().to_be_bytes();
    for (i, b) in out.iter_mut().enumerate() {
        *b = n[i % 8] ^ u8::try_from(i).unwrap();
    }
    out
}

pub fn now() -> Timestamp {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_millis();
    Timestamp::from_unix_millis(i64::try_from(millis).unwrap())
}

pub fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

pub fn email() -> Recipient {
    Recipient::Email(EmailAddress::parse(&format!("user{}@Example.COM", unique())).unwrap())
}

pub fn phone() -> Recipient {
    Recipient::Sms(PhoneNumber::parse(&format!("+1 555 {:07}", unique())).unwrap())
}

pub fn mac() -> CodeMac {
    CodeMac::from_bytes(bytes())
}

pub fn challenge(recipient: Recipient, at: Timestamp) -> Challenge {
    Challenge {
        id: ChallengeId::from_random(bytes()),
        client_id: ClientId::parse("app").unwrap(),
        recipient,
        send: SendMode::Link,
        auth_params: AuthParams {
            scope: Some(sesame_testkit::fixtures::scope("openid offline_access")),
            state: Some("st\"ate".to_owned()),
            nonce: Some("n0nce".to_owned()),
            ..AuthParams::default()
        },
        code_mac: mac(),
        link_mac: Some(mac()),
        created_at: at,
        expires_at: at.plus(minutes(5)),
        attempts_left: 3,
        consumed: false,
    }
}

pub fn user(recipient: Recipient, at: Timestamp) -> User {
    User {
        id: UserId::from_random(recipient.connection(), bytes()),
        recipient,
        verified: false,
        created_at: at,
        last_login: None,
        logins_count: 0,
        blocked: false,
        user_metadata: serde_json::Map::new(),
        app_metadata: serde_json::Map::new(),
        profile_updated_at: None,
    }
}

pub fn signing_key(alg: SigningAlg, at: Timestamp) -> SigningKey {
    let kid = format!("kid-{}", unique());
    let der: Vec<u8> = (0..=255u8).chain([0, 0, 255]).collect();
    SigningKey {
        private_der: Arc::new(SecretBox::new(der.into_boxed_slice())),
        public_jwk: serde_json::json!({ "kid": kid, "alg": alg.as_str(), "use": "sig" }),
        kid,
        alg,
        created_at: at,
        status: KeyStatus::Current,
    }
}

pub fn refresh_record(at: Timestamp) -> RefreshTokenRecord {
    RefreshTokenRecord {
        token_mac: mac(),
        family_id: format!("rtf_{}", unique()),
        client_id: ClientId::parse("app").unwrap(),
        user_id: UserId::from_random(Connection::Email, bytes()),
        scope: sesame_testkit::fixtures::scope("openid offline_access"),
        audience: Some("https://api.example/".to_owned()),
        created_at: at,
        expires_at: at.plus(minutes(60)),
        family_expires_at: at.plus(minutes(600)),
        jkt: None,
        mfa: false,
    }
}
