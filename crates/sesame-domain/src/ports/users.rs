//! Where users live.

use async_trait::async_trait;

use super::StoreError;
use crate::recipient::Recipient;
use crate::time::Timestamp;
use crate::user::{ProfileChange, ProfileUpdate, User, UserId};
use crate::user_query::{UserPage, UserQuery};

/// Storage for users.
#[async_trait]
pub trait UserStore: Send + Sync {
    /// The user who logs in with `recipient`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn find(&self, recipient: &Recipient) -> Result<Option<User>, StoreError>;

    /// The user with id `id`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError>;

    /// Creates `user`, unless a user with the same recipient exists already.
    /// Returns the stored user: `user`, or the one that was there.
    ///
    /// # Errors
    /// MUST be race free: of concurrent creates for one recipient, all return
    /// the same stored user, and only one user exists afterwards.
    async fn create(&self, user: &User) -> Result<User, StoreError>;

    /// Records a completed login at `at`: marks the recipient verified, sets
    /// `last_login` and adds one to `logins_count`. Returns the updated user,
    /// or `None` when `id` is unknown.
    ///
    /// # Errors
    /// MUST be atomic: N concurrent calls add exactly N.
    async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError>;

    /// A login's whole write, in one call: records a login at `at` for the
    /// user of `recipient` (as [`record_login`](Self::record_login) does),
    /// first creating `fresh` when no user has that recipient and `fresh`
    /// is given. A blocked user's login is not recorded.
    ///
    /// Returns the stored user afterwards: the one found or `fresh`, with
    /// the login recorded; a blocked user as it is; `None` when no user has
    /// `recipient` and `fresh` is `None` (sign-ups are disabled).
    ///
    /// The default calls [`find`](Self::find), [`create`](Self::create) and
    /// [`record_login`](Self::record_login) in turn. An adapter SHOULD
    /// override it with one statement (an upsert that returns the row).
    ///
    /// # Errors
    /// - MUST be race free: of N concurrent calls for a recipient without a
    ///   user, exactly one user is created and N logins are counted.
    /// - `fresh` MUST have `recipient` as its recipient; it is stored with
    ///   the login applied: verified, `last_login = at`, one more login.
    async fn record_login_or_create(
        &self,
        recipient: &Recipient,
        fresh: Option<&User>,
        at: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        let user = match self.find(recipient).await? {
            Some(user) => user,
            None => match fresh {
                Some(fresh) => self.create(fresh).await?,
                None => return Ok(None),
            },
        };
        if user.blocked {
            return Ok(Some(user));
        }
        self.record_login(&user.id, at)
            .await?
            .map(Some)
            .ok_or_else(|| StoreError::Unknown(anyhow::anyhow!("user vanished during login")))
    }

    /// Blocks or unblocks user `id`; returns whether the user exists.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the backend cannot be reached.
    async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError>;

    /// Applies `change` to user `id` as [`ProfileChange::apply`] computes
    /// it (the Management API's PATCH): the verified flag, `user_metadata`
    /// and `app_metadata` merged at their root, `profile_updated_at`.
    /// Returns [`ProfileUpdate::Applied`] with the user as stored
    /// afterwards, [`ProfileUpdate::TooLarge`] when `apply` refuses (then
    /// nothing is stored), [`ProfileUpdate::NoSuchUser`] for an unknown id.
    ///
    /// # Errors
    /// - MUST be atomic: the read the merge starts from and the write are
    ///   one step to every other write of the user, so that of concurrent
    ///   updates each merges into the other's result and none loses a
    ///   property another one set (a lock held from the read to the write,
    ///   one statement, or a compare-and-swap retried until it holds).
    /// - MUST merge exactly as [`ProfileChange::apply`]: root-level only,
    ///   a top-level `null` removes, a nested `null` is stored as it is.
    ///   (SQLite's `json_patch` and Postgres' `jsonb` operators merge
    ///   nested objects or drop nested nulls: neither will do alone.)
    /// - MUST NOT change any other field; a concurrent
    ///   [`record_login`](Self::record_login) is never lost, and `verified`
    ///   changes only when `change.verified` is given.
    /// - Every read ([`find`](Self::find), [`get`](Self::get),
    ///   [`search`](Self::search)) MUST return the metadata as stored, and
    ///   [`create`](Self::create) MUST store the new user's.
    async fn update_profile(
        &self,
        id: &UserId,
        change: &ProfileChange,
    ) -> Result<ProfileUpdate, StoreError>;

    /// The users matching every filter of `query`, in its order, its page
    /// of them, and how many match in all.
    ///
    /// # Errors
    /// - MUST return exactly the users [`UserQuery::matches`] accepts, ordered
    ///   as [`UserQuery::sort`] orders them (ties by id), skipping
    ///   `page * per_page` and returning at most `per_page`; `total` counts
    ///   every match.
    /// - An `Email`, `Phone` or `Id` filter MUST NOT scan every user (it
    ///   has an index).
    async fn search(&self, query: &UserQuery) -> Result<UserPage, StoreError>;

    /// Removes user `id`; `false` when there was none.
    ///
    /// # Errors
    /// MUST NOT remove another user. Afterwards `get` and `find` return
    /// `None`, and a new login with the same recipient signs up afresh.
    async fn delete(&self, id: &UserId) -> Result<bool, StoreError>;
}
