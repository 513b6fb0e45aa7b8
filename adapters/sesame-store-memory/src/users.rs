//! Users in memory.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use sesame_domain::ports::{StoreError, UserStore};
use sesame_domain::user::{ProfileChange, ProfileUpdate};
use sesame_domain::{Recipient, Timestamp, User, UserFilter, UserId, UserPage, UserQuery};

use crate::sync::lock;

/// A [`UserStore`] in memory, indexed by id and by recipient.
#[derive(Default)]
pub struct MemoryUserStore {
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    by_id: HashMap<UserId, User>,
    by_recipient: HashMap<Recipient, UserId>,
}

impl Inner {
    /// The users `query` may match: the one its `Id`, `Email` or `Phone`
    /// filter names, found through an index, or else every user.
    fn candidates(&self, query: &UserQuery) -> Vec<&User> {
        let named = query.filters.iter().find_map(|f| match f {
            UserFilter::Id(id) => Some(self.by_id.get(id)),
            UserFilter::Email(e) => Some(self.by_recipient_of(Recipient::Email(e.clone()))),
            UserFilter::Phone(p) => Some(self.by_recipient_of(Recipient::Sms(p.clone()))),
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

    fn by_recipient_of(&self, recipient: Recipient) -> Option<&User> {
        self.by_recipient
            .get(&recipient)
            .and_then(|id| self.by_id.get(id))
    }
}

impl MemoryUserStore {
    /// An empty store.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// How many users exist.
    #[must_use]
    pub fn len(&self) -> usize {
        lock(&self.inner).by_id.len()
    }

    /// Whether no user exists.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl fmt::Debug for MemoryUserStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MemoryUserStore")
            .field("len", &self.len())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl UserStore for MemoryUserStore {
    async fn find(&self, recipient: &Recipient) -> Result<Option<User>, StoreError> {
        let inner = lock(&self.inner);
        Ok(inner
            .by_recipient
            .get(recipient)
            .and_then(|id| inner.by_id.get(id))
            .cloned())
    }

    async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        Ok(lock(&self.inner).by_id.get(id).cloned())
    }

    async fn create(&self, user: &User) -> Result<User, StoreError> {
        let mut inner = lock(&self.inner);
        if let Some(existing) = inner
            .by_recipient
            .get(&user.recipient)
            .and_then(|id| inner.by_id.get(id))
        {
            return Ok(existing.clone());
        }
        // A database would refuse a duplicate primary key; so does this.
        if inner.by_id.contains_key(&user.id) {
            return Err(StoreError::Unknown(anyhow::anyhow!(
                "user id {} is taken by another recipient",
                user.id
            )));
        }
        inner
            .by_recipient
            .insert(user.recipient.clone(), user.id.clone());
        inner.by_id.insert(user.id.clone(), user.clone());
        Ok(user.clone())
    }

    async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError> {
        let mut inner = lock(&self.inner);
        Ok(inner.by_id.get_mut(id).map(|user| {
            user.verified = true;
            user.last_login = Some(at);
            user.logins_count = user.logins_count.saturating_add(1);
            user.clone()
        }))
    }

    async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError> {
        let mut inner = lock(&self.inner);
        Ok(inner
            .by_id
            .get_mut(id)
            .map(|u| u.blocked = blocked)
            .is_some())
    }

    async fn update_profile(
        &self,
        id: &UserId,
        change: &ProfileChange,
    ) -> Result<ProfileUpdate, StoreError> {
        // The read, the merge and the write under one lock: atomic.
        let mut inner = lock(&self.inner);
        let Some(user) = inner.by_id.get_mut(id) else {
            return Ok(ProfileUpdate::NoSuchUser);
        };
        Ok(match change.apply(user) {
            Ok(next) => {
                *user = next.clone();
                ProfileUpdate::Applied(next)
            }
            Err(too_large) => ProfileUpdate::TooLarge(too_large.0),
        })
    }

    async fn search(&self, query: &UserQuery) -> Result<UserPage, StoreError> {
        let candidates: Vec<User> = {
            let inner = lock(&self.inner);
            inner.candidates(query).into_iter().cloned().collect()
        };
        Ok(query.page_of(candidates))
    }

    async fn delete(&self, id: &UserId) -> Result<bool, StoreError> {
        let mut inner = lock(&self.inner);
        let Some(user) = inner.by_id.remove(id) else {
            return Ok(false);
        };
        // Only this user's entry: never another user's recipient.
        if inner.by_recipient.get(&user.recipient) == Some(id) {
            inner.by_recipient.remove(&user.recipient);
        }
        Ok(true)
    }
}
