//! Messages, senders and mail parsing shared by the tests.
#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test fixtures fail loudly"
)]

use std::time::Duration;

use mail_parser::{Message, MessageParser};
use sesame_delivery_smtp::{SmtpConfig, SmtpSender, TlsMode};
use sesame_domain::challenge::SendMode;
use sesame_domain::client::ClientId;
use sesame_domain::code::Otp;
use sesame_domain::message::{DeliveryReceipt, EmailMessage, MessageContext, Operation};
use sesame_domain::ports::{DeliveryError, EmailSender};
use sesame_domain::recipient::{EmailAddress, Recipient};

/// The From every test sender uses.
pub const FROM: &str = "Sesame Tests <no-reply@sesame.example.test>";
/// A code as the domain makes them.
pub const CODE: &str = "739201";
/// A long magic link with `&`, `%` and `=`, longer than a mail line.
pub const LINK: &str = "https://auth.example.test/passwordless/verify_redirect?verification_code=Tm90QVNlY3JldF9fdGVzdGluZ19vbmx5&connection=email&client_id=app1&email=ann%2Btest%40example.test&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcallback&state=xyz";

/// A recipient no other test uses.
pub fn recipient(test: &str) -> EmailAddress {
    let id = uuid::Uuid::new_v4().simple().to_string();
    EmailAddress::parse(&format!("{test}-{}@example.test", &id[..12])).unwrap()
}

/// A plain-SMTP config for `addr` (`host:port`) with a short timeout.
pub fn plain_config(addr: &str) -> SmtpConfig {
    let (host, port) = addr.rsplit_once(':').unwrap();
    let mut config = SmtpConfig::new(host);
    config.port = Some(port.parse().unwrap());
    config.tls = TlsMode::None;
    config.timeout_secs = 2;
    config
}

/// A sender for `config` with [`FROM`].
pub fn sender(config: &SmtpConfig) -> SmtpSender {
    SmtpSender::new(config, FROM).unwrap()
}

/// A context for `to`, sending a code with [`CODE`] and [`LINK`].
pub fn context(to: &EmailAddress, locale: &str) -> MessageContext {
    MessageContext {
        recipient: Recipient::Email(to.clone()),
        client_id: ClientId::parse("app1").unwrap(),
        send: SendMode::Code,
        code: Otp::new(CODE),
        link: Some(LINK.to_owned()),
        application_name: "Sesame Test".to_owned(),
        locale: Some(locale.to_owned()),
        operation: Operation::Login,
        expires_in_minutes: 5,
    }
}

/// An email in `locale` with the given texts, built by hand.
pub fn email(
    to: &EmailAddress,
    locale: &str,
    subject: &str,
    text: &str,
    html: Option<&str>,
) -> EmailMessage {
    let ctx = context(to, locale);
    EmailMessage {
        to: to.clone(),
        subject: subject.to_owned(),
        text: text.to_owned(),
        html: html.map(str::to_owned),
        locale: locale.to_owned(),
        meta: sesame_domain::message::MessageMeta::of(&ctx),
    }
}

/// Sends with a hang guard well past the sender's own timeout.
pub async fn send(
    sender: &SmtpSender,
    message: &EmailMessage,
) -> Result<DeliveryReceipt, DeliveryError> {
    tokio::time::timeout(Duration::from_secs(20), sender.send_email(message))
        .await
        .expect("send_email hung past its timeout")
}

/// Parses a raw message.
pub fn parse(raw: &[u8]) -> Message<'_> {
    MessageParser::default().parse(raw).unwrap()
}

/// The raw value of header `name` (trimmed), if present.
pub fn raw_header<'a>(raw: &'a str, name: &str) -> Option<&'a str> {
    let head = raw.split("\r\n\r\n").next().unwrap();
    head.split("\r\n").find_map(|line| {
        let (n, v) = line.split_once(':')?;
        n.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

/// The error text a caller or a log could see, source chain included.
pub fn error_text(err: &DeliveryError) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}
