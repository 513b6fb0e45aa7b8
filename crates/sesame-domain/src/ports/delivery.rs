//! Rendering messages and handing them to a provider.

use async_trait::async_trait;

use crate::message::{DeliveryReceipt, EmailMessage, MessageContext, SmsMessage};

/// A provider could not take a message.
#[derive(Debug, thiserror::Error)]
pub enum DeliveryError {
    /// The provider answered and refused the message. The text is shown to
    /// API callers, so adapters MUST NOT put the recipient or the code in it.
    #[error("the provider refused the message: {0}")]
    Rejected(String),
    /// The provider could not be reached, or did not answer in time.
    #[error("the provider is unavailable")]
    Unavailable(#[source] anyhow::Error),
    /// Anything else.
    #[error(transparent)]
    Unknown(anyhow::Error),
}

/// Sends email.
#[async_trait]
pub trait EmailSender: Send + Sync {
    /// Hands `message` to the provider.
    ///
    /// # Errors
    /// - MUST return within the adapter's configured timeout, with
    ///   [`DeliveryError::Unavailable`] when it runs out.
    /// - MUST NOT log the recipient or the body.
    async fn send_email(&self, message: &EmailMessage) -> Result<DeliveryReceipt, DeliveryError>;
}

/// Sends text messages.
#[async_trait]
pub trait SmsSender: Send + Sync {
    /// Hands `message` to the provider.
    ///
    /// # Errors
    /// - MUST return within the adapter's configured timeout, with
    ///   [`DeliveryError::Unavailable`] when it runs out.
    /// - MUST NOT log the recipient or the body.
    async fn send_sms(&self, message: &SmsMessage) -> Result<DeliveryReceipt, DeliveryError>;
}

/// A template could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Asked for an email for a phone number, or the reverse.
    #[error("the recipient does not match the message kind")]
    WrongConnection,
    /// The template failed.
    #[error("template error: {0}")]
    Template(String),
}

/// Turns a [`MessageContext`] into a message in the right language.
pub trait MessageRenderer: Send + Sync {
    /// Renders the email for `ctx`.
    ///
    /// # Errors
    /// [`RenderError`] when `ctx` is not for an email address or the
    /// template fails.
    fn render_email(&self, ctx: &MessageContext) -> Result<EmailMessage, RenderError>;

    /// Renders the text message for `ctx`.
    ///
    /// # Errors
    /// [`RenderError`] when `ctx` is not for a phone number or the template
    /// fails.
    fn render_sms(&self, ctx: &MessageContext) -> Result<SmsMessage, RenderError>;
}
