//! # sesame-delivery-webhook
//!
//! Delivers Sesame's one-time codes by POSTing a signed JSON event to a
//! team's own endpoint, which then sends it through whatever provider it
//! likes. One [`WebhookSender`] serves as both the email and the SMS sender.
//!
//! - [`WebhookEvent`]: the JSON document (`"type": "passwordless.message"`).
//! - [`signature`]: the `sesame-signature` header, and
//!   [`verify_signature`] for receivers written in Rust.
//! - [`WebhookConfig`]: the `[email.webhook]` / `[sms.webhook]` settings.
//!
//! A 2xx answer is a delivery; 4xx is `Rejected`; 5xx, no connection or no
//! answer within the timeout is `Unavailable`. Redirects are not followed.

mod config;
mod event;
mod sender;
pub mod signature;

pub use config::{DEFAULT_TIMEOUT_SECS, MIN_SECRET_BYTES, WebhookConfig, WebhookConfigError};
pub use event::{EVENT_TYPE, WebhookEvent};
pub use sender::{MESSAGE_ID_HEADER, WebhookSender};
pub use signature::{
    DEFAULT_TOLERANCE_SECS, SIGNATURE_HEADER, SignatureError, signature_header, verify_signature,
};
