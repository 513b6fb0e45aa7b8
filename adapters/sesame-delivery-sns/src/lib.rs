//! # sesame-delivery-sns
//!
//! Sends Sesame's one-time codes as text messages through Amazon SNS:
//! one `Publish` straight to the E.164 number, marked `Transactional`, with
//! an optional sender id and origination number.
//!
//! Region and credentials come from the standard AWS chain; the region and
//! the endpoint can be overridden (the endpoint for emulators such as moto).
//! Every send is bounded by [`SnsConfig::timeout_secs`], retries included.
//!
//! Failures map to [`sesame_domain::ports::DeliveryError`]: an answer from
//! SNS refusing the message is `Rejected` (with the service's error code and
//! message, scrubbed of the number and the body), a missing or late answer
//! or a 5xx is `Unavailable`, anything else `Unknown`.

mod config;
mod errors;
mod sender;

pub use config::{DEFAULT_TIMEOUT_SECS, MAX_ATTEMPTS, SnsConfig, SnsConfigError};
pub use sender::{
    ORIGINATION_NUMBER_ATTRIBUTE, SENDER_ID_ATTRIBUTE, SMS_TYPE_ATTRIBUTE, SnsSender,
};
