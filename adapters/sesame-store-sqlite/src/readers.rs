//! The reader connections: a small pool, each read one trip to a blocking
//! thread that runs all of the read's statements on one connection.
//!
//! WAL mode lets them read beside the writer. Connections are opened on
//! first use and kept; at most [`SqliteConfig::max_connections`] reads run at
//! once, and a read waits for a turn at most the acquire timeout.
//!
//! [`SqliteConfig::max_connections`]: crate::SqliteConfig::max_connections

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use rusqlite::Connection;
use sesame_domain::ports::StoreError;
use tokio::sync::Semaphore;

use crate::conn::Opener;
use crate::error::{closed, store_error};

/// The pool.
#[derive(Debug)]
pub(crate) struct Readers {
    /// Shared with the blocking tasks, which open connections on first use.
    opener: Arc<Opener>,
    idle: Arc<Mutex<Vec<Connection>>>,
    /// One permit per connection; closed with the store.
    turns: Arc<Semaphore>,
    acquire_timeout: Duration,
}

impl Readers {
    /// A pool of up to `size` connections, none opened yet.
    pub(crate) fn new(opener: Opener, size: u32, acquire_timeout: Duration) -> Self {
        let size = usize::try_from(size.max(1)).unwrap_or(1);
        Self {
            opener: Arc::new(opener),
            idle: Arc::new(Mutex::new(Vec::with_capacity(size))),
            turns: Arc::new(Semaphore::new(size)),
            acquire_timeout,
        }
    }

    /// Runs `read` on a connection of the pool, on a blocking thread.
    pub(crate) async fn run<T, F>(&self, read: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let turn = tokio::time::timeout(self.acquire_timeout, self.turns.clone().acquire_owned())
            .await
            .map_err(|elapsed| {
                StoreError::Unavailable(
                    anyhow::Error::new(elapsed).context("waiting for a SQLite reader"),
                )
            })?
            .map_err(|_| closed())?;
        let idle = Arc::clone(&self.idle);
        let turns = Arc::clone(&self.turns);
        let opener = Arc::clone(&self.opener);
        tokio::task::spawn_blocking(move || {
            let _turn = turn;
            let conn = match lock(&idle).pop() {
                Some(conn) => conn,
                None => opener.open().map_err(store_error)?,
            };
            let out = read(&conn);
            // A pool closed meanwhile drops it instead. Checked under the
            // lock that `close` clears the list under.
            let mut idle = lock(&idle);
            if !turns.is_closed() {
                idle.push(conn);
            }
            out
        })
        .await
        .map_err(|e| StoreError::Unavailable(anyhow::Error::new(e).context("a SQLite read")))?
    }

    /// Refuses every later read and closes the idle connections; reads
    /// under way close theirs when they end.
    pub(crate) fn close(&self) {
        self.turns.close();
        lock(&self.idle).clear();
    }
}

/// The idle list, also after a panic elsewhere: a `Vec` push or pop leaves
/// it consistent.
fn lock(idle: &Mutex<Vec<Connection>>) -> std::sync::MutexGuard<'_, Vec<Connection>> {
    idle.lock().unwrap_or_else(PoisonError::into_inner)
}
