//! # sesame-delivery-console
//!
//! Development-only delivery: rendered emails and text messages go to a
//! writer (standard error by default) instead of a provider, so a developer
//! can log in without SMTP or SMS credentials.
//!
//! Messages hold live codes, so this writes them to the process's own
//! terminal and never through `tracing`: structured logs are shipped to
//! aggregators, and codes must not reach them. The server warns at startup
//! whenever this provider is in use.

use std::io::Write;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use sesame_domain::message::{DeliveryReceipt, EmailMessage, SmsMessage};
use sesame_domain::ports::{DeliveryError, EmailSender, SmsSender};

/// Where the console sender writes.
type Sink = Arc<Mutex<dyn Write + Send>>;

/// Prints messages instead of sending them.
#[derive(Clone)]
pub struct ConsoleSender {
    sink: Sink,
}

impl std::fmt::Debug for ConsoleSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConsoleSender")
    }
}

impl Default for ConsoleSender {
    fn default() -> Self {
        Self {
            sink: Arc::new(Mutex::new(std::io::stderr())),
        }
    }
}

impl ConsoleSender {
    /// A sender writing to standard error.
    #[must_use]
    pub fn stderr() -> Self {
        Self::default()
    }

    /// A sender writing to `sink` (tests capture output this way).
    pub fn to_writer(sink: impl Write + Send + 'static) -> Self {
        Self {
            sink: Arc::new(Mutex::new(sink)),
        }
    }

    fn write(&self, text: &str) -> Result<DeliveryReceipt, DeliveryError> {
        let mut sink = self.sink.lock().unwrap_or_else(PoisonError::into_inner);
        sink.write_all(text.as_bytes())
            .and_then(|()| sink.flush())
            .map_err(|e| DeliveryError::Unavailable(e.into()))?;
        Ok(DeliveryReceipt::default())
    }
}

#[async_trait]
impl EmailSender for ConsoleSender {
    async fn send_email(&self, m: &EmailMessage) -> Result<DeliveryReceipt, DeliveryError> {
        let text = format!(
            "\n----- email (console delivery: development only) -----\nTo: {}\nSubject: {}\nContent-Language: {}\n\n{}\n-------------------------------------------------------\n",
            m.to.as_str(),
            m.subject,
            m.locale,
            m.text
        );
        self.write(&text)
    }
}

#[async_trait]
impl SmsSender for ConsoleSender {
    async fn send_sms(&self, m: &SmsMessage) -> Result<DeliveryReceipt, DeliveryError> {
        let text = format!(
            "\n----- sms (console delivery: development only) -----\nTo: {}\n\n{}\n-----------------------------------------------------\n",
            m.to.as_str(),
            m.body
        );
        self.write(&text)
    }
}

#[cfg(test)]
mod tests {
    use sesame_domain::{ClientId, EmailAddress, MessageMeta, Otp, PhoneNumber, SendMode};

    use super::*;

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    struct Broken;

    impl Write for Broken {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("closed"))
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    fn meta() -> MessageMeta {
        MessageMeta {
            client_id: ClientId::parse("dev").unwrap(),
            send: SendMode::Code,
            code: Otp::new("424242"),
            link: None,
        }
    }

    fn email() -> EmailMessage {
        EmailMessage {
            to: EmailAddress::parse("dev@example.com").unwrap(),
            subject: "Your code".into(),
            text: "Your code is 424242.".into(),
            html: None,
            locale: "en".into(),
            meta: meta(),
        }
    }

    #[tokio::test]
    async fn an_email_is_printed_with_its_recipient_and_code() {
        let out = Captured::default();
        ConsoleSender::to_writer(out.clone())
            .send_email(&email())
            .await
            .unwrap();
        let printed = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(printed.contains("To: dev@example.com"), "{printed}");
        assert!(printed.contains("424242"), "{printed}");
    }

    #[tokio::test]
    async fn a_text_message_is_printed_with_its_number_and_body() {
        let out = Captured::default();
        let sms = SmsMessage {
            to: PhoneNumber::parse("+14155550100").unwrap(),
            body: "123456 is your code".into(),
            locale: "en".into(),
            meta: meta(),
        };
        ConsoleSender::to_writer(out.clone())
            .send_sms(&sms)
            .await
            .unwrap();
        let printed = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
        assert!(
            printed.contains("+14155550100") && printed.contains("123456 is your code"),
            "{printed}"
        );
    }

    #[tokio::test]
    async fn a_closed_console_is_an_unavailable_provider() {
        let err = ConsoleSender::to_writer(Broken)
            .send_email(&email())
            .await
            .unwrap_err();
        assert!(matches!(err, DeliveryError::Unavailable(_)));
    }
}
