//! The JSON document POSTed for every message.

use std::fmt;

use serde::{Deserialize, Serialize};
use sesame_domain::message::{EmailMessage, MessageMeta, SmsMessage};
use sesame_domain::{Connection, SendMode};

/// The `type` of every event this crate sends.
pub const EVENT_TYPE: &str = "passwordless.message";

/// One message to deliver, as the receiver gets it.
///
/// ```json
/// {"type": "passwordless.message", "id": "evt_…", "created_at": 1767225600,
///  "connection": "email", "recipient": "user@example.com",
///  "client_id": "…", "send": "link", "code": "123456",
///  "link": "https://…/passwordless/verify_redirect?…", "locale": "en",
///  "subject": "…", "text": "…", "html": "…"}
/// ```
///
/// Email events carry `subject`, `text` and (when the template has one)
/// `html`; SMS events carry `body`. `link` is present only when there is
/// one. Absent fields are left out, never `null`. Receivers should ignore
/// fields they do not know: new ones may be added.
///
/// `Debug` shows neither the recipient, the code, the link nor the text.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookEvent {
    /// Always [`EVENT_TYPE`].
    #[serde(rename = "type")]
    pub kind: String,
    /// Unique per event (`evt_` and 32 hex digits): receivers may use it to
    /// drop duplicates.
    pub id: String,
    /// When the event was made, in Unix seconds (equal to the signature's `t`).
    pub created_at: i64,
    /// `email` or `sms`.
    pub connection: Connection,
    /// The email address or the E.164 phone number.
    pub recipient: String,
    /// The client that asked for the code.
    pub client_id: String,
    /// `code` or `link`: what the user asked for.
    pub send: SendMode,
    /// The one-time code.
    pub code: String,
    /// The magic link (email only), when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The language the message was rendered in, e.g. `fr-CA`.
    pub locale: String,
    /// Email: the subject line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    /// Email: the rendered plain-text part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Email: the rendered HTML part, when the template has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub html: Option<String>,
    /// SMS: the rendered text, ready to forward as is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl WebhookEvent {
    /// The event for an email.
    #[must_use]
    pub fn email(m: &EmailMessage, id: String, created_at: i64) -> Self {
        Self {
            subject: Some(m.subject.clone()),
            text: Some(m.text.clone()),
            html: m.html.clone(),
            ..Self::base(
                Connection::Email,
                m.to.as_str(),
                &m.locale,
                &m.meta,
                id,
                created_at,
            )
        }
    }

    /// The event for a text message.
    #[must_use]
    pub fn sms(m: &SmsMessage, id: String, created_at: i64) -> Self {
        Self {
            body: Some(m.body.clone()),
            ..Self::base(
                Connection::Sms,
                m.to.as_str(),
                &m.locale,
                &m.meta,
                id,
                created_at,
            )
        }
    }

    fn base(
        connection: Connection,
        recipient: &str,
        locale: &str,
        meta: &MessageMeta,
        id: String,
        created_at: i64,
    ) -> Self {
        Self {
            kind: EVENT_TYPE.to_owned(),
            id,
            created_at,
            connection,
            recipient: recipient.to_owned(),
            client_id: meta.client_id.as_str().to_owned(),
            send: meta.send,
            code: meta.code.expose().to_owned(),
            link: meta.link.clone(),
            locale: locale.to_owned(),
            subject: None,
            text: None,
            html: None,
            body: None,
        }
    }
}

impl fmt::Debug for WebhookEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookEvent")
            .field("id", &self.id)
            .field("created_at", &self.created_at)
            .field("connection", &self.connection)
            .field("send", &self.send)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}
