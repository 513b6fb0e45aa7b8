//! Shared test helpers: messages, senders and dead endpoints.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a broken fixture should fail the test loudly"
)]

use std::time::Duration;

use aws_sdk_sns::config::Credentials;
use sesame_delivery_sns::{SnsConfig, SnsSender};
use sesame_domain::message::{MessageMeta, SmsMessage};
use sesame_domain::{ClientId, Otp, PhoneNumber, SendMode};

/// How long a test waits for a send before calling it hung. Only a guard:
/// the adapter's own timeouts are much shorter.
pub const HANG_GUARD: Duration = Duration::from_secs(30);

/// The code every test message carries.
pub const CODE: &str = "424242";

/// moto's address, from the environment as `scripts/test` exports it.
pub fn moto_endpoint() -> String {
    std::env::var("SESAME_TEST_SNS_ENDPOINT")
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| "http://127.0.0.1:5005".to_owned())
        .trim_end_matches('/')
        .to_owned()
}

/// A number no other test (or earlier run) uses: `+1555` and 10 random digits.
pub fn unique_number() -> PhoneNumber {
    let n = uuid::Uuid::new_v4().as_u128() % 10_u128.pow(10);
    PhoneNumber::parse(&format!("+1555{n:010}")).unwrap()
}

/// A text message to `to` carrying [`CODE`].
pub fn sms(to: &PhoneNumber, body: &str) -> SmsMessage {
    SmsMessage {
        to: to.clone(),
        body: body.to_owned(),
        locale: "en".to_owned(),
        meta: MessageMeta {
            client_id: ClientId::parse("test-client").unwrap(),
            send: SendMode::Code,
            code: Otp::new(CODE),
            link: None,
        },
    }
}

/// A config for `endpoint` in us-east-1 with a short timeout.
pub fn config(endpoint: &str) -> SnsConfig {
    SnsConfig {
        region: Some("us-east-1".to_owned()),
        endpoint: Some(endpoint.to_owned()),
        timeout_secs: 2,
        ..SnsConfig::default()
    }
}

/// A sender with moto's dummy credentials, whatever the environment holds.
pub async fn sender(config: &SnsConfig) -> SnsSender {
    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest())
        .credentials_provider(Credentials::new("testing", "testing", None, None, "tests"));
    SnsSender::from_loader(loader, config).await.unwrap()
}

/// An endpoint on which nothing listens.
pub async fn closed_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// An endpoint that accepts connections and never says a word.
pub async fn silent_endpoint() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = listener.accept().await {
            held.push(socket);
        }
    });
    format!("http://{addr}")
}
