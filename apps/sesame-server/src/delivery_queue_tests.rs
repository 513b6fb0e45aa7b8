use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};

use async_trait::async_trait;
use sesame_domain::message::{DeliveryReceipt, EmailMessage, MessageMeta, SmsMessage};
use sesame_domain::{ClientId, Otp, Recipient, SendMode};
use tokio::sync::Notify;

use super::*;

/// A provider that, while closed, holds every send until opened; it can
/// also fail its first sends.
#[derive(Default)]
struct Gate {
    closed: std::sync::atomic::AtomicBool,
    opened: Notify,
    entered: Notify,
    failures_left: AtomicU32,
    sent: AtomicUsize,
    emails: AtomicUsize,
    texts: AtomicUsize,
    done: Notify,
}

impl Gate {
    fn closed() -> Arc<Self> {
        let g = Self::default();
        g.closed.store(true, Ordering::SeqCst);
        Arc::new(g)
    }

    fn open(&self) {
        self.closed.store(false, Ordering::SeqCst);
        self.opened.notify_waiters();
    }

    async fn pass(&self) -> Result<DeliveryReceipt, DeliveryError> {
        self.entered.notify_waiters();
        loop {
            let opened = self.opened.notified();
            if !self.closed.load(Ordering::SeqCst) {
                break;
            }
            opened.await;
        }
        if self
            .failures_left
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
            .is_ok()
        {
            return Err(DeliveryError::Unavailable(anyhow::anyhow!("down")));
        }
        self.sent.fetch_add(1, Ordering::SeqCst);
        self.done.notify_waiters();
        Ok(DeliveryReceipt {
            provider_message_id: None,
        })
    }

    async fn wait_sent(&self, n: usize) {
        loop {
            let done = self.done.notified();
            if self.sent.load(Ordering::SeqCst) >= n {
                return;
            }
            done.await;
        }
    }
}

#[async_trait]
impl EmailSender for Gate {
    async fn send_email(&self, _: &EmailMessage) -> Result<DeliveryReceipt, DeliveryError> {
        let receipt = self.pass().await?;
        self.emails.fetch_add(1, Ordering::SeqCst);
        Ok(receipt)
    }
}

#[async_trait]
impl SmsSender for Gate {
    async fn send_sms(&self, _: &SmsMessage) -> Result<DeliveryReceipt, DeliveryError> {
        let receipt = self.pass().await?;
        self.texts.fetch_add(1, Ordering::SeqCst);
        Ok(receipt)
    }
}

fn email() -> Outgoing {
    let Ok(Recipient::Email(to)) =
        Recipient::parse(sesame_domain::Connection::Email, "a@example.com")
    else {
        unreachable!("a valid address");
    };
    Outgoing::Email(EmailMessage {
        to,
        subject: "s".into(),
        text: "t".into(),
        html: None,
        locale: "en".into(),
        meta: MessageMeta {
            client_id: ClientId::parse("app").unwrap(),
            send: SendMode::Code,
            code: Otp::new("123456"),
            link: None,
        },
    })
}

fn queue_over(gate: &Arc<Gate>, capacity: usize) -> (Arc<TokioDeliveryQueue>, QueueWorker) {
    spawn(
        Senders {
            email: gate.clone(),
            sms: gate.clone(),
        },
        QueueSettings {
            capacity,
            attempts: 3,
            backoff: Duration::ZERO,
        },
    )
}

#[tokio::test]
async fn a_job_is_taken_while_the_provider_is_still_blocked_and_sent_once_it_opens() {
    let gate = Gate::closed();
    let (queue, worker) = queue_over(&gate, 4);
    let entered = gate.entered.notified();
    assert!(queue.enqueue(email()).is_ok());
    entered.await;
    assert_eq!(
        gate.sent.load(Ordering::SeqCst),
        0,
        "the provider is still blocked"
    );
    gate.open();
    gate.wait_sent(1).await;
    assert!(worker.drain(Duration::from_secs(5)).await);
}

#[tokio::test]
async fn a_full_queue_refuses_a_message_and_a_decoy_alike() {
    let gate = Gate::closed();
    let (queue, worker) = queue_over(&gate, 2);
    assert!(queue.enqueue(email()).is_ok());
    assert!(queue.enqueue(Outgoing::Nothing).is_ok());
    assert_eq!(queue.enqueue(email()), Err(QueueFull));
    assert_eq!(queue.enqueue(Outgoing::Nothing), Err(QueueFull));
    gate.open();
    gate.wait_sent(1).await;
    assert!(worker.drain(Duration::from_secs(5)).await);
    assert_eq!(
        gate.sent.load(Ordering::SeqCst),
        1,
        "the decoy sent nothing"
    );
}

#[tokio::test]
async fn a_provider_that_is_down_is_retried() {
    let gate = Gate::closed();
    gate.failures_left.store(2, Ordering::SeqCst);
    gate.open();
    let (queue, worker) = queue_over(&gate, 4);
    assert!(queue.enqueue(email()).is_ok());
    gate.wait_sent(1).await;
    assert!(worker.drain(Duration::from_secs(5)).await);
    assert_eq!(gate.failures_left.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn drain_sends_what_was_taken_and_then_refuses_new_jobs() {
    let gate = Gate::closed();
    let (queue, worker) = queue_over(&gate, 8);
    for _ in 0..3 {
        assert!(queue.enqueue(email()).is_ok());
    }
    gate.open();
    assert!(worker.drain(Duration::from_secs(5)).await);
    assert_eq!(
        gate.sent.load(Ordering::SeqCst),
        3,
        "a taken job was dropped"
    );
    assert_eq!(queue.enqueue(email()), Err(QueueFull));
}

/// The server's queue over a closed gate, for the port's contract suite.
struct UnderTest {
    queue: Arc<TokioDeliveryQueue>,
    _worker: QueueWorker,
    gate: Arc<Gate>,
    capacity: usize,
}

#[async_trait]
impl sesame_testkit::contract::delivery_queue::QueueUnderTest for UnderTest {
    fn queue(&self) -> &dyn DeliveryQueue {
        self.queue.as_ref()
    }

    async fn finish_all(&self) {
        self.gate.open();
        // Every permit back means every job taken has finished.
        let all = u32::try_from(self.capacity).unwrap();
        drop(self.queue.room.acquire_many(all).await.unwrap());
        self.gate.closed.store(true, Ordering::SeqCst);
    }

    fn sent(&self) -> (usize, usize) {
        (
            self.gate.emails.load(Ordering::SeqCst),
            self.gate.texts.load(Ordering::SeqCst),
        )
    }
}

#[tokio::test]
async fn the_server_queue_keeps_the_delivery_queue_contract() {
    sesame_testkit::contract::delivery_queue(|capacity| {
        let gate = Gate::closed();
        let (queue, worker) = queue_over(&gate, capacity);
        UnderTest {
            queue,
            _worker: worker,
            gate,
            capacity,
        }
    })
    .await;
}
