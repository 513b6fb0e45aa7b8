//! [`WebhookSender`]: one signed POST per message, for email and SMS alike.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

use async_trait::async_trait;
use reqwest::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Client, StatusCode, Url, redirect};
use secrecy::{ExposeSecret, SecretString};
use sesame_domain::message::{DeliveryReceipt, EmailMessage, SmsMessage};
use sesame_domain::ports::{DeliveryError, EmailSender, SmsSender};

use crate::config::{WebhookConfig, WebhookConfigError};
use crate::event::WebhookEvent;
use crate::signature::{SIGNATURE_HEADER, signature_header};

/// The response header a receiver may use to report its own message id.
pub const MESSAGE_ID_HEADER: &str = "x-message-id";

/// The longest `x-message-id` taken as the provider's id.
const MAX_MESSAGE_ID_CHARS: usize = 200;

/// Delivers messages by POSTing a signed [`WebhookEvent`] to one URL.
///
/// Holds one pooled HTTP client; clone it or share it behind an `Arc`.
/// Redirects are not followed and nothing is retried: a receiver that
/// wants retries answers 2xx and queues. Nothing here logs.
#[derive(Clone)]
pub struct WebhookSender {
    client: Client,
    url: Url,
    secret: SecretString,
}

impl fmt::Debug for WebhookSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebhookSender")
            .field("url", &self.url.origin().ascii_serialization())
            .finish_non_exhaustive()
    }
}

impl WebhookSender {
    /// A sender for `config`.
    ///
    /// # Errors
    /// [`WebhookConfigError`] when the settings are unusable.
    pub fn new(config: &WebhookConfig) -> Result<Self, WebhookConfigError> {
        let url = config.validate()?;
        let mut headers = HeaderMap::new();
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let client = Client::builder()
            .timeout(config.timeout())
            .connect_timeout(config.connect_timeout())
            .redirect(redirect::Policy::none())
            .user_agent(concat!("sesame-webhook/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .build()
            .map_err(WebhookConfigError::Client)?;
        Ok(Self {
            client,
            url,
            secret: config.secret.clone(),
        })
    }

    /// Signs and POSTs `event`.
    async fn post(&self, event: &WebhookEvent) -> Result<DeliveryReceipt, DeliveryError> {
        let body = serde_json::to_vec(event).map_err(|e| DeliveryError::Unknown(e.into()))?;
        let signature = signature_header(
            self.secret.expose_secret().as_bytes(),
            event.created_at,
            &body,
        );
        let response = self
            .client
            .post(self.url.clone())
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            .map_err(request_error)?;
        let status = response.status();
        if status.is_success() {
            let id = response
                .headers()
                .get(MESSAGE_ID_HEADER)
                .and_then(|v| v.to_str().ok())
                .map(str::trim)
                .filter(|v| !v.is_empty() && v.len() <= MAX_MESSAGE_ID_CHARS)
                .map_or_else(|| event.id.clone(), str::to_owned);
            Ok(DeliveryReceipt {
                provider_message_id: Some(id),
            })
        } else {
            Err(status_error(status))
        }
    }
}

#[async_trait]
impl EmailSender for WebhookSender {
    async fn send_email(&self, message: &EmailMessage) -> Result<DeliveryReceipt, DeliveryError> {
        self.post(&WebhookEvent::email(message, event_id(), unix_now()))
            .await
    }
}

#[async_trait]
impl SmsSender for WebhookSender {
    async fn send_sms(&self, message: &SmsMessage) -> Result<DeliveryReceipt, DeliveryError> {
        self.post(&WebhookEvent::sms(message, event_id(), unix_now()))
            .await
    }
}

/// Maps a non-2xx answer: 4xx is the receiver refusing this message, 5xx
/// is the receiver failing, anything else (a redirect) is unexpected.
fn status_error(status: StatusCode) -> DeliveryError {
    let text = format!("webhook answered {}", status.as_u16());
    if status.is_client_error() {
        DeliveryError::Rejected(text)
    } else if status.is_server_error() {
        DeliveryError::Unavailable(anyhow::anyhow!(text))
    } else {
        DeliveryError::Unknown(anyhow::anyhow!(
            "{text}; redirects are not followed, configure the final URL"
        ))
    }
}

/// Maps a request that got no answer. The URL is dropped from the error:
/// its path or query may hold a token.
fn request_error(e: reqwest::Error) -> DeliveryError {
    if e.is_builder() {
        DeliveryError::Unknown(e.without_url().into())
    } else {
        // Connect failures, timeouts, resets: the receiver is unreachable.
        DeliveryError::Unavailable(e.without_url().into())
    }
}

/// `evt_` and 32 random hex digits.
fn event_id() -> String {
    format!("evt_{}", uuid::Uuid::new_v4().simple())
}

/// The system clock in Unix seconds (0 before 1970).
fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
