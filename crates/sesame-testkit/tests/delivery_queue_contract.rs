//! The test kit's own delivery queue keeps the `DeliveryQueue` contract, so
//! the domain tests that use it test against a queue that behaves like the
//! server's.
#![expect(
    clippy::unwrap_used,
    reason = "tests: a failed step should fail loudly"
)]

use async_trait::async_trait;
use sesame_domain::ports::DeliveryQueue;
use sesame_testkit::contract::{self, delivery_queue::QueueUnderTest};
use sesame_testkit::outbox::{Outbox, SentMessage};
use sesame_testkit::queue::QueuedDeliveries;

/// The queue holds its jobs until the test delivers them.
struct Held {
    queue: QueuedDeliveries,
    outbox: Outbox,
}

#[async_trait]
impl QueueUnderTest for Held {
    fn queue(&self) -> &dyn DeliveryQueue {
        &self.queue
    }

    async fn finish_all(&self) {
        self.queue
            .deliver_all(&self.outbox, &self.outbox)
            .await
            .unwrap();
    }

    fn sent(&self) -> (usize, usize) {
        let sent = self.outbox.messages();
        let emails = sent
            .iter()
            .filter(|m| matches!(m, SentMessage::Email(_)))
            .count();
        (emails, sent.len() - emails)
    }
}

#[tokio::test]
async fn the_test_kits_queue_keeps_the_delivery_queue_contract() {
    contract::delivery_queue(|capacity| Held {
        queue: QueuedDeliveries::new(capacity),
        outbox: Outbox::new(),
    })
    .await;
}
