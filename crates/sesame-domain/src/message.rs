//! Messages that carry a code: what is rendered, and what a sender receives.

use std::fmt;

use crate::challenge::SendMode;
use crate::client::ClientId;
use crate::code::Otp;
use crate::recipient::{EmailAddress, PhoneNumber, Recipient};

/// Why a message is being sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// The recipient has no account yet; redeeming the code creates one.
    Signup,
    /// The recipient already has an account.
    Login,
}

impl Operation {
    /// The template variable value (`signup` or `login`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Signup => "signup",
            Self::Login => "login",
        }
    }
}

/// Everything a template may use. Redacted in `Debug`.
#[derive(Clone)]
pub struct MessageContext {
    /// Where it goes.
    pub recipient: Recipient,
    /// The client that asked.
    pub client_id: ClientId,
    /// Whether the user asked for a code or a link.
    pub send: SendMode,
    /// The one-time code.
    pub code: Otp,
    /// The magic link (email only).
    pub link: Option<String>,
    /// The client's display name.
    pub application_name: String,
    /// The requested language, e.g. `fr-CA`, when the request named one.
    pub locale: Option<String>,
    /// Signup or login.
    pub operation: Operation,
    /// Minutes until the code expires, rounded up.
    pub expires_in_minutes: u64,
}

impl fmt::Debug for MessageContext {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageContext")
            .field("connection", &self.recipient.connection())
            .field("send", &self.send)
            .field("locale", &self.locale)
            .field("operation", &self.operation)
            .finish_non_exhaustive()
    }
}

/// The facts behind a rendered message, for providers that forward data
/// rather than text (the webhook). Redacted in `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct MessageMeta {
    /// The client that asked.
    pub client_id: ClientId,
    /// Code or link.
    pub send: SendMode,
    /// The one-time code.
    pub code: Otp,
    /// The magic link, when there is one.
    pub link: Option<String>,
}

impl MessageMeta {
    /// The facts of `ctx`.
    #[must_use]
    pub fn of(ctx: &MessageContext) -> Self {
        Self {
            client_id: ctx.client_id.clone(),
            send: ctx.send,
            code: ctx.code.clone(),
            link: ctx.link.clone(),
        }
    }
}

impl fmt::Debug for MessageMeta {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MessageMeta")
            .field("client_id", &self.client_id)
            .field("send", &self.send)
            .finish_non_exhaustive()
    }
}

/// A rendered email. Redacted in `Debug`: its body holds the code.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailMessage {
    /// Recipient.
    pub to: EmailAddress,
    /// Subject line.
    pub subject: String,
    /// Plain-text part.
    pub text: String,
    /// HTML part, when the template has one.
    pub html: Option<String>,
    /// The language it was rendered in (`Content-Language`).
    pub locale: String,
    /// The facts behind it.
    pub meta: MessageMeta,
}

impl fmt::Debug for EmailMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EmailMessage")
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

/// A rendered text message. Redacted in `Debug`: its body holds the code.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsMessage {
    /// Recipient.
    pub to: PhoneNumber,
    /// Body.
    pub body: String,
    /// The language it was rendered in.
    pub locale: String,
    /// The facts behind it.
    pub meta: MessageMeta,
}

impl fmt::Debug for SmsMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmsMessage")
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

/// What a sender reports back after handing a message over.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryReceipt {
    /// The provider's message id, when it gives one.
    pub provider_message_id: Option<String>,
}
