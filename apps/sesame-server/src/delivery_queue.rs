//! The [`DeliveryQueue`] of the server: with sign-ups disabled a start hands
//! its message here and is answered at once, so the answer's time does not
//! depend on the provider (nor tell a known address from an unknown one).
//!
//! Bounded: a semaphore of `capacity` permits counts the jobs not yet
//! finished, a decoy's [`Outgoing::Nothing`] included, and a start that
//! finds none left is answered 503. Each job runs on its own task, retrying
//! a provider that is down or failed (never one that refused the message)
//! with a growing pause. [`QueueWorker::drain`] stops taking jobs and waits,
//! up to a deadline, for those already taken: the server calls it on
//! shutdown.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::{
    DeliveryError, DeliveryQueue, EmailSender, Outgoing, QueueFull, SmsSender,
};
use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc, oneshot};
use tokio::task::{JoinHandle, JoinSet};

/// Jobs not yet finished before starts are refused.
pub const DEFAULT_CAPACITY: usize = 1024;
/// Sends of one message, the first included.
pub const DEFAULT_ATTEMPTS: u32 = 3;
/// The pause before the first retry; it doubles for each next one.
pub const DEFAULT_BACKOFF: Duration = Duration::from_millis(500);

/// Where a job is sent.
#[derive(Clone)]
pub struct Senders {
    /// Email.
    pub email: Arc<dyn EmailSender>,
    /// Text messages.
    pub sms: Arc<dyn SmsSender>,
}

/// How the queue behaves.
#[derive(Debug, Clone, Copy)]
pub struct QueueSettings {
    /// Jobs not yet finished before [`QueueFull`].
    pub capacity: usize,
    /// Sends of one message, the first included (at least 1).
    pub attempts: u32,
    /// The pause before the first retry, doubled for each next one.
    pub backoff: Duration,
}

impl Default for QueueSettings {
    fn default() -> Self {
        Self {
            capacity: DEFAULT_CAPACITY,
            attempts: DEFAULT_ATTEMPTS,
            backoff: DEFAULT_BACKOFF,
        }
    }
}

/// The queue the domain hands jobs to.
pub struct TokioDeliveryQueue {
    room: Arc<Semaphore>,
    jobs: mpsc::UnboundedSender<(OwnedSemaphorePermit, Outgoing)>,
}

impl DeliveryQueue for TokioDeliveryQueue {
    fn enqueue(&self, job: Outgoing) -> Result<(), QueueFull> {
        let permit = Arc::clone(&self.room)
            .try_acquire_owned()
            .map_err(|_| QueueFull)?;
        // After `drain` the receiver is closed: no room either.
        self.jobs.send((permit, job)).map_err(|_| QueueFull)
    }
}

/// The task that runs the jobs; drain it on shutdown.
pub struct QueueWorker {
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

/// Starts the queue's worker on the current runtime.
pub fn spawn(senders: Senders, settings: QueueSettings) -> (Arc<TokioDeliveryQueue>, QueueWorker) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (stop_tx, stop_rx) = oneshot::channel();
    let queue = Arc::new(TokioDeliveryQueue {
        room: Arc::new(Semaphore::new(settings.capacity)),
        jobs: tx,
    });
    let task = tokio::spawn(run(rx, stop_rx, senders, settings));
    (
        queue,
        QueueWorker {
            stop: Some(stop_tx),
            task,
        },
    )
}

impl QueueWorker {
    /// Stops taking jobs and waits up to `deadline` for every job already
    /// taken to finish; whether they all did.
    pub async fn drain(mut self, deadline: Duration) -> bool {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        match tokio::time::timeout(deadline, &mut self.task).await {
            Ok(_) => true,
            Err(_) => {
                tracing::warn!(
                    deadline_secs = deadline.as_secs(),
                    "the delivery queue did not drain in time"
                );
                self.task.abort();
                false
            }
        }
    }
}

async fn run(
    mut rx: mpsc::UnboundedReceiver<(OwnedSemaphorePermit, Outgoing)>,
    mut stop: oneshot::Receiver<()>,
    senders: Senders,
    settings: QueueSettings,
) {
    let mut running = JoinSet::new();
    loop {
        tokio::select! {
            job = rx.recv() => match job {
                Some((permit, job)) => {
                    running.spawn(send(permit, job, senders.clone(), settings));
                }
                None => break,
            },
            _ = &mut stop => {
                rx.close();
                while let Some((permit, job)) = rx.recv().await {
                    running.spawn(send(permit, job, senders.clone(), settings));
                }
                break;
            }
            Some(_) = running.join_next(), if !running.is_empty() => {}
        }
    }
    while running.join_next().await.is_some() {}
}

/// Sends one job, retrying; the permit frees its room when it finishes.
async fn send(permit: OwnedSemaphorePermit, job: Outgoing, senders: Senders, s: QueueSettings) {
    let _permit = permit;
    let mut pause = s.backoff;
    for attempt in 1..=s.attempts.max(1) {
        let sent = match &job {
            Outgoing::Email(m) => senders.email.send_email(m).await.map(|_| ()),
            Outgoing::Sms(m) => senders.sms.send_sms(m).await.map(|_| ()),
            Outgoing::Nothing => return,
        };
        match sent {
            Ok(()) => return,
            Err(DeliveryError::Rejected(why)) => {
                tracing::warn!(reason = %why, "a queued message was refused by the provider");
                return;
            }
            Err(e) if attempt < s.attempts => {
                tracing::info!(error = %e, attempt, "a queued message failed; retrying");
                tokio::time::sleep(pause).await;
                pause = pause.saturating_mul(2);
            }
            Err(e) => {
                tracing::warn!(error = %e, attempts = attempt, "a queued message could not be delivered");
            }
        }
    }
}

#[cfg(test)]
#[path = "delivery_queue_tests.rs"]
mod tests;
