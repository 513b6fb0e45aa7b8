//! Messages, senders and the clock for the tests.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a broken fixture should fail the test loudly"
)]

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sesame_delivery_webhook::{WebhookConfig, WebhookSender};
use sesame_domain::message::{EmailMessage, MessageMeta, SmsMessage};
use sesame_domain::{ClientId, EmailAddress, Otp, PhoneNumber, SendMode};

/// The secret the senders sign with.
pub const SECRET: &str = "whsec_test_0123456789abcdef";

/// How long a test waits for a send before calling it hung. Only a guard:
/// the senders' own timeouts are much shorter.
pub const HANG_GUARD: Duration = Duration::from_secs(30);

/// A sender for `url` with a 2-second timeout.
pub fn sender(url: &str) -> WebhookSender {
    WebhookSender::new(&WebhookConfig {
        timeout_secs: 2,
        ..WebhookConfig::new(url, SECRET)
    })
    .unwrap()
}

/// The system clock in Unix seconds.
pub fn now() -> i64 {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    i64::try_from(secs).unwrap()
}

fn meta(send: SendMode, code: &str, link: Option<&str>) -> MessageMeta {
    MessageMeta {
        client_id: ClientId::parse("client-abc").unwrap(),
        send,
        code: Otp::new(code),
        link: link.map(str::to_owned),
    }
}

/// An email with a magic link and an HTML part.
pub fn email_with_link() -> EmailMessage {
    EmailMessage {
        to: EmailAddress::parse("Ana.Lima@Example.COM").unwrap(),
        subject: "Votre code Sesame".to_owned(),
        text: "Code : 424242\nLien : https://auth.example.com/v?c=tok\n".to_owned(),
        html: Some("<p>Code&nbsp;: <b>424242</b> — «&amp;»</p>".to_owned()),
        locale: "fr-CA".to_owned(),
        meta: meta(
            SendMode::Link,
            "424242",
            Some(
                "https://auth.example.com/passwordless/verify_redirect?verification_code=tok&connection=email",
            ),
        ),
    }
}

/// A text message (no link).
pub fn sms() -> SmsMessage {
    SmsMessage {
        to: PhoneNumber::parse("+1 555 555 0100").unwrap(),
        body: "Your Sesame code is 987654 ✓".to_owned(),
        locale: "en".to_owned(),
        meta: meta(SendMode::Code, "987654", None),
    }
}
