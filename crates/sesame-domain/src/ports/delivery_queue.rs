//! Delivery after the answer: where a start hands its message when the time
//! of the answer must not depend on sending it.

use std::fmt;

use crate::message::{EmailMessage, SmsMessage};

/// A job for the [`DeliveryQueue`].
pub enum Outgoing {
    /// Send this email.
    Email(EmailMessage),
    /// Send this text message.
    Sms(SmsMessage),
    /// Send nothing: the job of a decoy challenge (an unknown or blocked
    /// recipient). It takes the same path and the same room in the queue as
    /// a real one, so a full queue refuses both alike, and it is then
    /// dropped.
    Nothing,
}

impl fmt::Debug for Outgoing {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The messages redact themselves; the kind is enough here.
        f.write_str(match self {
            Self::Email(_) => "Outgoing::Email",
            Self::Sms(_) => "Outgoing::Sms",
            Self::Nothing => "Outgoing::Nothing",
        })
    }
}

/// The queue has no room: the start is answered 503, for a known and an
/// unknown recipient alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the delivery queue is full")]
pub struct QueueFull;

/// A bounded queue of messages sent after the start has been answered, with
/// retries; the application drains it on shutdown.
///
/// The domain hands a job over and returns at once; the adapter owns the
/// tasks, timers and retries (the domain has no runtime).
pub trait DeliveryQueue: Send + Sync {
    /// Takes `job` for sending later.
    ///
    /// # Errors
    /// - MUST return without waiting for the job to be sent (or for any
    ///   I/O): the answer's time must not depend on the provider.
    /// - MUST return [`QueueFull`] when the queue holds its capacity of jobs
    ///   not yet finished, and MUST count [`Outgoing::Nothing`] against the
    ///   capacity exactly like a message, so that a full queue refuses every
    ///   recipient alike.
    /// - MUST never send anything for [`Outgoing::Nothing`].
    /// - SHOULD retry a message whose provider failed, a bounded number of
    ///   times, and MUST NOT log the recipient or the body.
    fn enqueue(&self, job: Outgoing) -> Result<(), QueueFull>;
}
