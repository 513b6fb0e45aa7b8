//! The one writer connection, on a thread of its own, with group commit.
//!
//! A port's write is a job: a closure over the connection, sent over a
//! channel with a oneshot for its answer. The thread takes every job queued
//! (up to [`MAX_BATCH`]) and runs them in one `BEGIN IMMEDIATE … COMMIT`,
//! each inside a `SAVEPOINT` of its own so that a job that fails is rolled
//! back alone. Answers go out only after the `COMMIT`: a job is never told
//! "done" before its writes are durable, and if the `COMMIT` fails every job
//! of the batch hears it. Many writers then cost one transaction and one
//! WAL sync, and no statement makes a round trip to another thread.
//!
//! The batch holds SQLite's write lock from `BEGIN IMMEDIATE` on, so a job's
//! read-then-write sequence is atomic to every other writer, in this
//! process or another, without a transaction of its own.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rusqlite::Connection;
use sesame_domain::ports::StoreError;
use tokio::sync::oneshot;

use crate::error::{again, closed};

/// Most jobs in one transaction: a batch holds the write lock, and other
/// processes on the file wait for it.
pub(crate) const MAX_BATCH: usize = 256;

/// One job of a batch, its answer type erased.
trait Job: Send {
    /// Runs the job's statements; whether it succeeded (and so whether its
    /// savepoint is kept).
    fn run(&mut self, conn: &Connection) -> bool;
    /// Sends the job's answer; `lost` in place of a success when the batch
    /// did not commit.
    fn finish(self: Box<Self>, lost: Option<&Lost>);
}

/// Why a batch's writes did not reach the file.
enum Lost {
    /// `BEGIN` or `COMMIT` failed.
    Sqlite(rusqlite::Error),
    /// SQLite rolled the whole transaction back on a job's failure (it does
    /// on e.g. a full disk or an I/O error).
    RolledBack,
}

impl Lost {
    fn error(&self) -> StoreError {
        match self {
            Self::Sqlite(e) => again(e),
            Self::RolledBack => {
                StoreError::Unavailable(anyhow::anyhow!("SQLite rolled back the write transaction"))
            }
        }
    }
}

/// A job and where its answer goes.
struct Task<T, F> {
    work: Option<F>,
    /// Past it the job is not started: it waited for the writer as long as
    /// an operation may wait for a connection (none: no limit).
    deadline: Option<Instant>,
    outcome: Option<Result<T, StoreError>>,
    reply: oneshot::Sender<Result<T, StoreError>>,
}

impl<T, F> Job for Task<T, F>
where
    T: Send,
    F: FnOnce(&Connection) -> Result<T, StoreError> + Send,
{
    fn run(&mut self, conn: &Connection) -> bool {
        let outcome = match self.work.take() {
            Some(_) if self.deadline.is_some_and(|d| Instant::now() > d) => Err(
                StoreError::Unavailable(anyhow::anyhow!("timed out waiting for the SQLite writer")),
            ),
            Some(work) => work(conn),
            None => Err(closed()),
        };
        let ok = outcome.is_ok();
        self.outcome = Some(outcome);
        ok
    }

    fn finish(self: Box<Self>, lost: Option<&Lost>) {
        let answer = match (self.outcome, lost) {
            (Some(Err(e)), _) => Err(e),
            (_, Some(lost)) => Err(lost.error()),
            (Some(Ok(value)), None) => Ok(value),
            (None, None) => Err(closed()),
        };
        // The caller may have gone (its future dropped): nobody to tell.
        let _ = self.reply.send(answer);
    }
}

enum Message {
    Job(Box<dyn Job>),
    /// Ends the thread after the jobs before it; the connection is closed
    /// before the acknowledgement.
    Close(oneshot::Sender<()>),
}

/// The handle on the writer thread.
#[derive(Debug)]
pub(crate) struct Writer {
    sender: mpsc::Sender<Message>,
    closed: AtomicBool,
    acquire_timeout: Duration,
}

impl Writer {
    /// Starts the thread that owns `conn`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when no thread can be started.
    pub(crate) fn start(conn: Connection, acquire_timeout: Duration) -> Result<Self, StoreError> {
        let (sender, receiver) = mpsc::channel();
        std::thread::Builder::new()
            .name("sesame-sqlite-writer".to_owned())
            .spawn(move || serve(conn, &receiver))
            .map_err(|e| {
                StoreError::Unavailable(anyhow::Error::new(e).context("starting the SQLite writer"))
            })?;
        Ok(Self {
            sender,
            closed: AtomicBool::new(false),
            acquire_timeout,
        })
    }

    /// Runs `work` in the next batch; its answer once the batch committed.
    pub(crate) async fn run<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        if self.closed.load(Ordering::Acquire) {
            return Err(closed());
        }
        let (reply, answer) = oneshot::channel();
        let task = Task {
            work: Some(work),
            deadline: Instant::now().checked_add(self.acquire_timeout),
            outcome: None,
            reply,
        };
        self.sender
            .send(Message::Job(Box::new(task)))
            .map_err(|_| closed())?;
        // A dropped reply: the thread is gone (closed, or it died).
        answer.await.unwrap_or_else(|_| Err(closed()))
    }

    /// Ends the thread once the jobs queued before have run, and waits until
    /// its connection is closed. Later jobs fail with `Unavailable`.
    pub(crate) async fn close(&self) {
        self.closed.store(true, Ordering::Release);
        let (ack, done) = oneshot::channel();
        if self.sender.send(Message::Close(ack)).is_ok() {
            let _ = done.await;
        }
    }
}

/// The thread: batches until the store closes or is dropped.
fn serve(conn: Connection, receiver: &mpsc::Receiver<Message>) {
    let mut jobs: Vec<Box<dyn Job>> = Vec::with_capacity(MAX_BATCH);
    // Every sender gone (the store dropped) ends the loop too.
    while let Ok(first) = receiver.recv() {
        let mut close = None;
        let mut next = Some(first);
        while let Some(message) = next.take() {
            match message {
                Message::Job(job) => jobs.push(job),
                Message::Close(ack) => {
                    close = Some(ack);
                    break;
                }
            }
            if jobs.len() < MAX_BATCH {
                next = receiver.try_recv().ok();
            }
        }
        if !jobs.is_empty() {
            run_batch(&conn, std::mem::take(&mut jobs));
        }
        if let Some(ack) = close {
            drop(conn);
            let _ = ack.send(());
            return;
        }
    }
}

/// Runs `jobs` in one transaction and answers each.
fn run_batch(conn: &Connection, jobs: Vec<Box<dyn Job>>) {
    if jobs.is_empty() {
        return;
    }
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        if !conn.is_autocommit() {
            // A transaction left open by a failure before: end it, so the
            // next batch can begin.
            let _ = conn.execute_batch("ROLLBACK");
        }
        let lost = Lost::Sqlite(e);
        for job in jobs {
            job.finish(Some(&lost));
        }
        return;
    }
    let mut done: Vec<Box<dyn Job>> = Vec::with_capacity(jobs.len());
    let mut rest = jobs.into_iter();
    while let Some(mut job) = rest.next() {
        let kept = run_one(conn, job.as_mut());
        done.push(job);
        if !kept || conn.is_autocommit() {
            // The transaction is gone, or in doubt, with the writes of the
            // jobs before: they hear it, and the rest start a batch of
            // their own.
            if !conn.is_autocommit() {
                let _ = conn.execute_batch("ROLLBACK");
            }
            for job in done {
                job.finish(Some(&Lost::RolledBack));
            }
            run_batch(conn, rest.collect());
            return;
        }
    }
    let commit = conn.execute_batch("COMMIT").map_err(Lost::Sqlite);
    if commit.is_err() && !conn.is_autocommit() {
        // Leave no transaction open for the next batch.
        let _ = conn.execute_batch("ROLLBACK");
    }
    let lost = commit.err();
    for job in done {
        job.finish(lost.as_ref());
    }
}

/// Runs one job in its savepoint; `false` when the savepoint could not be
/// taken, kept or undone, and so the batch's transaction is in doubt.
fn run_one(conn: &Connection, job: &mut dyn Job) -> bool {
    let savepoint = |sql: &str| -> Result<(), rusqlite::Error> {
        conn.prepare_cached(sql)?.execute([]).map(|_| ())
    };
    if savepoint("SAVEPOINT job").is_err() {
        // The job never ran; it hears that the batch was lost.
        return false;
    }
    if job.run(conn) {
        savepoint("RELEASE job").is_ok()
    } else {
        // Its own writes undone, the batch's kept.
        savepoint("ROLLBACK TO job").is_ok() && savepoint("RELEASE job").is_ok()
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
