//! A delivery queue that a test drains by hand: starts with sign-ups
//! disabled hand their messages here, and nothing is sent until the test
//! says so, which shows that the answer came before any sending.

use std::fmt;
use std::sync::Mutex;

use sesame_domain::ports::{DeliveryQueue, EmailSender, Outgoing, QueueFull, SmsSender};

use crate::sync::lock;

/// A bounded [`DeliveryQueue`] holding its jobs until
/// [`deliver_all`](Self::deliver_all).
pub struct QueuedDeliveries {
    capacity: usize,
    jobs: Mutex<Vec<Outgoing>>,
}

impl QueuedDeliveries {
    /// A queue with room for `capacity` jobs.
    #[must_use]
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            jobs: Mutex::new(Vec::new()),
        }
    }

    /// How many jobs wait, decoys included.
    #[must_use]
    pub fn pending(&self) -> usize {
        lock(&self.jobs).len()
    }

    /// How many waiting jobs are decoys ([`Outgoing::Nothing`]).
    #[must_use]
    pub fn decoys(&self) -> usize {
        lock(&self.jobs)
            .iter()
            .filter(|j| matches!(j, Outgoing::Nothing))
            .count()
    }

    /// Sends every waiting message through `email` and `sms` (a decoy
    /// sends nothing) and empties the queue; how many were sent.
    ///
    /// # Errors
    /// The first provider error; the jobs are gone either way.
    pub async fn deliver_all(
        &self,
        email: &dyn EmailSender,
        sms: &dyn SmsSender,
    ) -> Result<usize, sesame_domain::ports::DeliveryError> {
        let jobs = std::mem::take(&mut *lock(&self.jobs));
        let mut sent = 0;
        for job in jobs {
            match job {
                Outgoing::Email(m) => {
                    email.send_email(&m).await?;
                    sent += 1;
                }
                Outgoing::Sms(m) => {
                    sms.send_sms(&m).await?;
                    sent += 1;
                }
                Outgoing::Nothing => {}
            }
        }
        Ok(sent)
    }
}

impl fmt::Debug for QueuedDeliveries {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("QueuedDeliveries")
            .field("capacity", &self.capacity)
            .field("pending", &self.pending())
            .finish()
    }
}

impl DeliveryQueue for QueuedDeliveries {
    fn enqueue(&self, job: Outgoing) -> Result<(), QueueFull> {
        let mut jobs = lock(&self.jobs);
        if jobs.len() >= self.capacity {
            return Err(QueueFull);
        }
        jobs.push(job);
        Ok(())
    }
}
