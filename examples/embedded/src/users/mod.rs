//! The example's own adapter: a [`UserStore`] over a JSON file, standing in
//! for the user table a team already has.
//!
//! It keeps every rule the port documents under `# Errors`, and
//! `tests/contract.rs` proves it with the test kit's contract suite:
//!
//! - `create` is race free: one async mutex serializes every change, so of
//!   concurrent creates for one recipient exactly one stores its user and all
//!   return that user;
//! - `record_login` is atomic: the read, the increment and the write happen
//!   under the same lock, so N concurrent logins add exactly N;
//! - `update_profile` reads, merges (the domain's `ProfileChange::apply`)
//!   and writes under that lock too, so concurrent patches of different
//!   metadata properties all survive;
//! - `search` with an `Email`, `Phone` or `Id` filter looks its user up in
//!   the table's indexes instead of reading every user; `delete` drops the
//!   user from both indexes and rewrites the file like any other change.
//!
//! The table lives in memory and the whole of it is rewritten (temp file,
//! fsync, rename) before a change becomes visible, so a failed write changes
//! nothing. Fine for a few thousand users in one process; a real table would
//! be a database, with a unique index on the recipient doing the mutex's job.

mod row;

use std::collections::HashMap;
use std::fmt;
use std::io::Write as _;
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

use async_trait::async_trait;
use sesame_domain::ports::{StoreError, UserStore};
use sesame_domain::user::{ProfileChange, ProfileUpdate};
use sesame_domain::{Recipient, Timestamp, User, UserFilter, UserId, UserPage, UserQuery};
use tokio::sync::Mutex;

use row::Account;

/// Users in a JSON file, one process at a time.
pub struct JsonFileUserStore {
    path: PathBuf,
    table: Mutex<Table>,
}

/// The file's contents, indexed both ways the port looks users up.
#[derive(Clone, Default)]
struct Table {
    by_id: HashMap<UserId, User>,
    by_recipient: HashMap<Recipient, UserId>,
}

impl Table {
    fn insert(&mut self, user: User) {
        self.by_recipient
            .insert(user.recipient.clone(), user.id.clone());
        self.by_id.insert(user.id.clone(), user);
    }

    /// Removes user `id` from both indexes; `None` when there was none.
    fn remove(&mut self, id: &UserId) -> Option<User> {
        let user = self.by_id.remove(id)?;
        // Only this user's entry, never another user's.
        if self.by_recipient.get(&user.recipient) == Some(id) {
            self.by_recipient.remove(&user.recipient);
        }
        Some(user)
    }

    /// The users `query` may match: the one its `Id`, `Email` or `Phone`
    /// filter names, through an index, or else every user.
    fn candidates(&self, query: &UserQuery) -> Vec<&User> {
        let by_recipient = |recipient: Recipient| {
            self.by_recipient
                .get(&recipient)
                .and_then(|id| self.by_id.get(id))
        };
        let named = query.filters.iter().find_map(|f| match f {
            UserFilter::Id(id) => Some(self.by_id.get(id)),
            UserFilter::Email(e) => Some(by_recipient(Recipient::Email(e.clone()))),
            UserFilter::Phone(p) => Some(by_recipient(Recipient::Sms(p.clone()))),
            UserFilter::Blocked(_)
            | UserFilter::LoginsAtLeast(_)
            | UserFilter::Connection(_)
            | UserFilter::LastLoginSince(_) => None,
        });
        match named {
            Some(user) => user.into_iter().collect(),
            None => self.by_id.values().collect(),
        }
    }
}

impl JsonFileUserStore {
    /// Opens the store at `path`, reading the users already there; a missing
    /// file is an empty table, created on the first change. Reads the file
    /// synchronously: call it at startup, before serving.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the file cannot be read,
    /// [`StoreError::Corrupt`] when it does not parse.
    pub fn open(path: impl Into<PathBuf>) -> Result<Self, StoreError> {
        let path = path.into();
        let mut table = Table::default();
        match std::fs::read(&path) {
            Ok(bytes) => {
                // Position only: serde's message may quote a stored value.
                let rows: Vec<Account> = serde_json::from_slice(&bytes).map_err(|e| {
                    StoreError::Corrupt(format!(
                        "{}: not a list of accounts at line {}, column {}",
                        path.display(),
                        e.line(),
                        e.column()
                    ))
                })?;
                for row in rows {
                    table.insert(User::try_from(row)?);
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(StoreError::Unavailable(e.into())),
        }
        Ok(Self {
            path,
            table: Mutex::new(table),
        })
    }

    /// Writes `next` to the file; the caller makes it visible only after.
    async fn persist(&self, next: &Table) -> Result<(), StoreError> {
        let mut rows: Vec<Account> = next.by_id.values().map(Account::from).collect();
        // Sorted, so the file changes only where the table did.
        rows.sort_by(|a, b| a.id().cmp(b.id()));
        let bytes = serde_json::to_vec_pretty(&rows).map_err(|e| StoreError::Unknown(e.into()))?;
        let path = self.path.clone();
        // File I/O blocks; keep it off the async workers.
        tokio::task::spawn_blocking(move || write_atomically(&path, &bytes))
            .await
            .map_err(|e| StoreError::Unknown(e.into()))?
            .map_err(|e| StoreError::Unavailable(e.into()))
    }

    /// Applies `change` to a copy of the table; when it changed something
    /// (returned `Some`), writes the copy and only then makes it visible.
    async fn change<T>(
        &self,
        change: impl FnOnce(&mut Table) -> Option<T>,
    ) -> Result<Option<T>, StoreError> {
        let mut table = self.table.lock().await;
        let mut next = table.clone();
        let Some(out) = change(&mut next) else {
            return Ok(None);
        };
        self.persist(&next).await?;
        *table = next;
        Ok(Some(out))
    }
}

/// Replaces `path` with `bytes` all at once: a crash leaves the old file or
/// the new one, never half of each.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    // Owner-only: the file is personal data.
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

impl fmt::Debug for JsonFileUserStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonFileUserStore")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl UserStore for JsonFileUserStore {
    async fn find(&self, recipient: &Recipient) -> Result<Option<User>, StoreError> {
        let table = self.table.lock().await;
        Ok(table
            .by_recipient
            .get(recipient)
            .and_then(|id| table.by_id.get(id))
            .cloned())
    }

    async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        Ok(self.table.lock().await.by_id.get(id).cloned())
    }

    async fn create(&self, user: &User) -> Result<User, StoreError> {
        let mut table = self.table.lock().await;
        if let Some(existing) = table
            .by_recipient
            .get(&user.recipient)
            .and_then(|id| table.by_id.get(id))
        {
            return Ok(existing.clone());
        }
        // Ids are random, so a clash is a bug somewhere: refuse it as a
        // primary key would, rather than overwrite another user.
        if table.by_id.contains_key(&user.id) {
            return Err(StoreError::Unknown(anyhow::anyhow!(
                "user id {} is taken by another recipient",
                user.id
            )));
        }
        let mut next = table.clone();
        next.insert(user.clone());
        self.persist(&next).await?;
        *table = next;
        Ok(user.clone())
    }

    async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError> {
        self.change(|table| {
            table.by_id.get_mut(id).map(|user| {
                user.verified = true;
                user.last_login = Some(at);
                user.logins_count = user.logins_count.saturating_add(1);
                user.clone()
            })
        })
        .await
    }

    async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError> {
        let found = self
            .change(|table| table.by_id.get_mut(id).map(|user| user.blocked = blocked))
            .await?;
        Ok(found.is_some())
    }

    async fn update_profile(
        &self,
        id: &UserId,
        change: &ProfileChange,
    ) -> Result<ProfileUpdate, StoreError> {
        let mut refused = None;
        let applied = self
            .change(|table| {
                let user = table.by_id.get_mut(id)?;
                match change.apply(user) {
                    Ok(next) => {
                        *user = next.clone();
                        Some(next)
                    }
                    // Nothing to write.
                    Err(too_large) => {
                        refused = Some(too_large.0);
                        None
                    }
                }
            })
            .await?;
        Ok(match (applied, refused) {
            (Some(user), _) => ProfileUpdate::Applied(user),
            (None, Some(kind)) => ProfileUpdate::TooLarge(kind),
            (None, None) => ProfileUpdate::NoSuchUser,
        })
    }

    async fn search(&self, query: &UserQuery) -> Result<UserPage, StoreError> {
        let candidates: Vec<User> = {
            let table = self.table.lock().await;
            table.candidates(query).into_iter().cloned().collect()
        };
        Ok(query.page_of(candidates))
    }

    async fn delete(&self, id: &UserId) -> Result<bool, StoreError> {
        let removed = self.change(|table| table.remove(id)).await?;
        Ok(removed.is_some())
    }
}
