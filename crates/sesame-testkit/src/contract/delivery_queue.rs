//! The [`DeliveryQueue`] checks: bounded, a decoy counted and refused like
//! a message but never sent, room given back when jobs finish, and nothing
//! sent before the queue's own time.

use async_trait::async_trait;
use sesame_domain::message::{EmailMessage, MessageMeta, SmsMessage};
use sesame_domain::ports::{DeliveryQueue, Outgoing, QueueFull};
use sesame_domain::{ClientId, Otp, SendMode};

use super::support::fail;
use crate::fixtures::{fresh_email_address, fresh_phone_number};

/// A queue under test and the provider behind it.
///
/// The provider holds every send (as one that has not answered yet) until
/// [`finish_all`](Self::finish_all), so jobs taken stay unfinished and
/// count against the queue's room.
#[async_trait]
pub trait QueueUnderTest: Send + Sync {
    /// The queue.
    fn queue(&self) -> &dyn DeliveryQueue;

    /// Lets every job taken so far run to its end (sent, or dropped for a
    /// decoy), and returns once all have finished; later jobs are held
    /// again.
    async fn finish_all(&self);

    /// The emails and the texts the provider has accepted so far.
    fn sent(&self) -> (usize, usize);
}

fn meta() -> MessageMeta {
    MessageMeta {
        client_id: ClientId::parse("contract-app").unwrap_or_else(|e| fail(&e.to_string())),
        send: SendMode::Code,
        code: Otp::new("123456"),
        link: None,
    }
}

/// An email job.
#[must_use]
pub fn email_job() -> Outgoing {
    Outgoing::Email(EmailMessage {
        to: fresh_email_address(),
        subject: "Your code".into(),
        text: "123456".into(),
        html: None,
        locale: "en".into(),
        meta: meta(),
    })
}

/// A text-message job.
#[must_use]
pub fn sms_job() -> Outgoing {
    Outgoing::Sms(SmsMessage {
        to: fresh_phone_number(),
        body: "123456".into(),
        locale: "en".into(),
        meta: meta(),
    })
}

/// With its room taken by unfinished messages, the queue refuses a message
/// and a decoy alike, so a full queue answers every recipient the same.
pub async fn a_full_queue_refuses_a_message_and_a_decoy_alike<Q: QueueUnderTest>(q: &Q) {
    assert_eq!(q.queue().enqueue(email_job()), Ok(()), "first of two");
    assert_eq!(q.queue().enqueue(sms_job()), Ok(()), "second of two");
    assert_eq!(
        q.queue().enqueue(email_job()),
        Err(QueueFull),
        "a message past the room"
    );
    assert_eq!(
        q.queue().enqueue(Outgoing::Nothing),
        Err(QueueFull),
        "a decoy past the room"
    );
    q.finish_all().await;
}

/// `enqueue` returns before anything is sent; once the jobs have run,
/// each message was sent once and a decoy not at all.
pub async fn messages_are_sent_once_and_decoys_never<Q: QueueUnderTest>(q: &Q) {
    for job in [email_job(), sms_job(), Outgoing::Nothing, Outgoing::Nothing] {
        assert_eq!(q.queue().enqueue(job), Ok(()), "a job within the room");
    }
    assert_eq!(
        q.sent(),
        (0, 0),
        "sent before the provider answered: enqueue must not wait for it"
    );
    q.finish_all().await;
    assert_eq!(
        q.sent(),
        (1, 1),
        "(emails, texts) sent for two messages and two decoys"
    );
}

/// Room comes back when jobs finish, for messages and decoys alike.
pub async fn room_comes_back_when_jobs_finish<Q: QueueUnderTest>(q: &Q) {
    assert_eq!(q.queue().enqueue(email_job()), Ok(()), "the only room");
    assert_eq!(
        q.queue().enqueue(email_job()),
        Err(QueueFull),
        "no room left"
    );
    q.finish_all().await;
    assert_eq!(
        q.queue().enqueue(Outgoing::Nothing),
        Ok(()),
        "room after the job finished"
    );
    q.finish_all().await;
    assert_eq!(
        q.queue().enqueue(email_job()),
        Ok(()),
        "room after the decoy finished"
    );
    q.finish_all().await;
}
