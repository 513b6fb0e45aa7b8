//! A capturing email and SMS sender, which can also play "provider down".

use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use sesame_domain::ports::{DeliveryError, EmailSender, SmsSender};
use sesame_domain::{
    DeliveryReceipt, EmailAddress, EmailMessage, PhoneNumber, Recipient, SmsMessage,
};

use crate::sync::lock;

/// One message an [`Outbox`] accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentMessage {
    /// An email.
    Email(EmailMessage),
    /// A text message.
    Sms(SmsMessage),
}

impl SentMessage {
    /// Who it went to.
    #[must_use]
    pub fn recipient(&self) -> Recipient {
        match self {
            Self::Email(m) => Recipient::Email(m.to.clone()),
            Self::Sms(m) => Recipient::Sms(m.to.clone()),
        }
    }

    /// The text a user reads: an email's subject and plain-text part, or an
    /// SMS body.
    #[must_use]
    pub fn readable_text(&self) -> String {
        match self {
            Self::Email(m) => format!("{}\n{}", m.subject, m.text),
            Self::Sms(m) => m.body.clone(),
        }
    }

    /// The one-time code in the message: the first word made of 4 to 10
    /// digits (surrounding punctuation ignored), skipping URLs. Works for
    /// [`crate::BareRenderer`] and for any template that does not put other
    /// numbers of that size before the code.
    #[must_use]
    pub fn code(&self) -> Option<String> {
        self.readable_text()
            .split_whitespace()
            .filter(|w| !w.contains("://"))
            .map(|w| w.trim_matches(|c: char| !c.is_ascii_alphanumeric()))
            .find(|w| (4..=10).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_digit()))
            .map(str::to_owned)
    }

    /// The first `http(s)` URL in the message: the magic link, for emails
    /// that carry one.
    #[must_use]
    pub fn link(&self) -> Option<String> {
        self.readable_text()
            .split_whitespace()
            .find(|w| w.starts_with("https://") || w.starts_with("http://"))
            .map(str::to_owned)
    }
}

/// What to do with the next sends.
enum Failure {
    Once(DeliveryError),
    Always(Arc<dyn Fn() -> DeliveryError + Send + Sync>),
}

#[derive(Default)]
struct State {
    sent: Vec<SentMessage>,
    failures: VecDeque<Failure>,
    refused: usize,
}

/// An [`EmailSender`] and [`SmsSender`] that keeps every message it accepts.
///
/// Clones share one outbox, so a test keeps a handle while the service
/// holds another. Failures can be scheduled with [`Outbox::fail_next`] and
/// [`Outbox::go_down`]; a refused message is not recorded.
#[derive(Clone, Default)]
pub struct Outbox {
    state: Arc<Mutex<State>>,
    arrived: Arc<tokio::sync::Notify>,
    gate: Arc<Gate>,
}

/// Holds sends while closed ([`Outbox::hold`]).
#[derive(Default)]
struct Gate {
    held: std::sync::atomic::AtomicBool,
    waiting: std::sync::atomic::AtomicUsize,
    changed: tokio::sync::Notify,
}

impl Gate {
    async fn pass(&self) {
        use std::sync::atomic::Ordering::SeqCst;
        self.waiting.fetch_add(1, SeqCst);
        self.changed.notify_waiters();
        loop {
            let changed = self.changed.notified();
            if !self.held.load(SeqCst) {
                break;
            }
            changed.await;
        }
        self.waiting.fetch_sub(1, SeqCst);
    }
}

impl Outbox {
    /// An empty outbox that accepts everything.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Makes one send, after those already scheduled to fail, fail with
    /// `error`.
    pub fn fail_next(&self, error: DeliveryError) {
        lock(&self.state).failures.push_back(Failure::Once(error));
    }

    /// Makes every send fail with an error from `make` until
    /// [`Outbox::recover`]; e.g. `outbox.go_down(|| DeliveryError::Unavailable(anyhow!("down")))`.
    pub fn go_down(&self, make: impl Fn() -> DeliveryError + Send + Sync + 'static) {
        lock(&self.state)
            .failures
            .push_back(Failure::Always(Arc::new(make)));
    }

    /// Cancels every scheduled failure.
    pub fn recover(&self) {
        lock(&self.state).failures.clear();
    }

    /// Makes every send wait, without being accepted, until
    /// [`Outbox::release`]: a provider that has not answered yet.
    pub fn hold(&self) {
        self.gate
            .held
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Lets held and later sends through.
    pub fn release(&self) {
        self.gate
            .held
            .store(false, std::sync::atomic::Ordering::SeqCst);
        self.gate.changed.notify_waiters();
    }

    /// Waits until at least `n` sends are held at the gate, for at most
    /// `within`; whether they are.
    pub async fn wait_for_held(&self, n: usize, within: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        let held = || self.gate.waiting.load(std::sync::atomic::Ordering::SeqCst);
        loop {
            let changed = self.gate.changed.notified();
            if held() >= n {
                return true;
            }
            if tokio::time::timeout_at(deadline, changed).await.is_err() {
                return held() >= n;
            }
        }
    }

    /// Waits until at least `n` messages were accepted, for at most
    /// `within`: for a server that delivers after answering. Whether they
    /// arrived.
    pub async fn wait_for_count(&self, n: usize, within: std::time::Duration) -> bool {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let arrived = self.arrived.notified();
            if self.count() >= n {
                return true;
            }
            if tokio::time::timeout_at(deadline, arrived).await.is_err() {
                return self.count() >= n;
            }
        }
    }

    /// How many messages were accepted.
    #[must_use]
    pub fn count(&self) -> usize {
        lock(&self.state).sent.len()
    }

    /// How many sends were refused by a scheduled failure.
    #[must_use]
    pub fn refused(&self) -> usize {
        lock(&self.state).refused
    }

    /// Every accepted message, oldest first.
    #[must_use]
    pub fn messages(&self) -> Vec<SentMessage> {
        lock(&self.state).sent.clone()
    }

    /// Forgets the accepted messages (scheduled failures stay).
    pub fn clear(&self) {
        lock(&self.state).sent.clear();
    }

    /// The last message to `recipient`.
    #[must_use]
    pub fn last_to(&self, recipient: &Recipient) -> Option<SentMessage> {
        lock(&self.state)
            .sent
            .iter()
            .rev()
            .find(|m| &m.recipient() == recipient)
            .cloned()
    }

    /// The last email to `address`, compared in canonical form.
    #[must_use]
    pub fn last_email_to(&self, address: &str) -> Option<EmailMessage> {
        let to = EmailAddress::parse(address).ok()?;
        match self.last_to(&Recipient::Email(to))? {
            SentMessage::Email(m) => Some(m),
            SentMessage::Sms(_) => None,
        }
    }

    /// The last text message to `number`, compared in E.164 form.
    #[must_use]
    pub fn last_sms_to(&self, number: &str) -> Option<SmsMessage> {
        let to = PhoneNumber::parse(number).ok()?;
        match self.last_to(&Recipient::Sms(to))? {
            SentMessage::Sms(m) => Some(m),
            SentMessage::Email(_) => None,
        }
    }

    /// The code in the last message to `recipient` (see [`SentMessage::code`]).
    #[must_use]
    pub fn last_code_for(&self, recipient: &Recipient) -> Option<String> {
        self.last_to(recipient)?.code()
    }

    /// The magic link in the last message to `recipient`.
    #[must_use]
    pub fn last_link_for(&self, recipient: &Recipient) -> Option<String> {
        self.last_to(recipient)?.link()
    }

    fn accept(&self, message: SentMessage) -> Result<DeliveryReceipt, DeliveryError> {
        let mut state = lock(&self.state);
        let failure = match state.failures.front() {
            Some(Failure::Always(make)) => Some(make()),
            Some(Failure::Once(_)) => match state.failures.pop_front() {
                Some(Failure::Once(e)) => Some(e),
                _ => None,
            },
            None => None,
        };
        if let Some(error) = failure {
            state.refused += 1;
            return Err(error);
        }
        state.sent.push(message);
        let id = format!("outbox-{}", state.sent.len());
        drop(state);
        self.arrived.notify_waiters();
        Ok(DeliveryReceipt {
            provider_message_id: Some(id),
        })
    }
}

impl fmt::Debug for Outbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = lock(&self.state);
        f.debug_struct("Outbox")
            .field("sent", &state.sent.len())
            .field("refused", &state.refused)
            .field("scheduled_failures", &state.failures.len())
            .finish()
    }
}

#[async_trait]
impl EmailSender for Outbox {
    async fn send_email(&self, message: &EmailMessage) -> Result<DeliveryReceipt, DeliveryError> {
        self.gate.pass().await;
        self.accept(SentMessage::Email(message.clone()))
    }
}

#[async_trait]
impl SmsSender for Outbox {
    async fn send_sms(&self, message: &SmsMessage) -> Result<DeliveryReceipt, DeliveryError> {
        self.gate.pass().await;
        self.accept(SentMessage::Sms(message.clone()))
    }
}

#[cfg(test)]
#[path = "outbox_tests.rs"]
mod tests;
