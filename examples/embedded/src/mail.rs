//! The example's own delivery adapter: an [`EmailSender`] that puts each
//! message on the service's mail queue, and the worker that drains it.
//!
//! Teams often have a queue already (an outbox table, a job system). Handing
//! the message over is then instant, so the port's "return within the
//! configured timeout" rule holds trivially: a full or closed queue is
//! [`DeliveryError::Unavailable`] at once. The price: a message that fails
//! later, in the worker, is no longer the domain's to report, so the start
//! request has already answered "sent".

use std::sync::Arc;

use async_trait::async_trait;
use sesame_domain::message::{DeliveryReceipt, EmailMessage};
use sesame_domain::ports::{DeliveryError, EmailSender};
use tokio::sync::mpsc;
use tokio::sync::mpsc::error::TrySendError;

/// The sending end of the mail queue.
#[derive(Debug, Clone)]
pub struct MailQueue {
    tx: mpsc::Sender<EmailMessage>,
}

/// The receiving end: whoever delivers the mail (the worker in `main`, the
/// test in `tests/`) reads messages here.
pub type Mailbox = mpsc::Receiver<EmailMessage>;

/// A queue holding at most `capacity` messages not yet delivered.
#[must_use]
pub fn mail_queue(capacity: usize) -> (MailQueue, Mailbox) {
    let (tx, rx) = mpsc::channel(capacity);
    (MailQueue { tx }, rx)
}

#[async_trait]
impl EmailSender for MailQueue {
    async fn send_email(&self, message: &EmailMessage) -> Result<DeliveryReceipt, DeliveryError> {
        // Never wait for room: a backed-up queue is an outage to report now,
        // not a reason to hold the request open.
        match self.tx.try_send(message.clone()) {
            Ok(()) => Ok(DeliveryReceipt::default()),
            Err(TrySendError::Full(_)) => Err(DeliveryError::Unavailable(anyhow::anyhow!(
                "the mail queue is full"
            ))),
            Err(TrySendError::Closed(_)) => Err(DeliveryError::Unavailable(anyhow::anyhow!(
                "the mail worker has stopped"
            ))),
        }
    }
}

/// The worker: hands every queued message to `provider` until the queue is
/// dropped. A failed message is reported on standard error (the error
/// names neither the recipient nor the code) and dropped.
pub async fn deliver(mut mailbox: Mailbox, provider: Arc<dyn EmailSender>) {
    while let Some(message) = mailbox.recv().await {
        if let Err(e) = provider.send_email(&message).await {
            eprintln!("mail worker: a message was not delivered: {e}");
        }
    }
}
