//! [`UserStore`] on the `users` table.
//!
//! The unique key on (connection, recipient) makes `create` race free, and
//! each write is one statement that returns the row it left behind.

use async_trait::async_trait;
use sesame_domain::ports::{StoreError, UserStore};
use sesame_domain::{Recipient, Timestamp, User, UserId};
use sqlx::sqlite::SqliteRow;

use crate::SqliteStore;
use crate::codec::{count, flag, get, int, opt_timestamp, recipient, timestamp};
use crate::error::{corrupt, store_error};

const FIND: &str = "SELECT id, connection, recipient, verified, created_at, last_login, \
     logins_count, blocked FROM users WHERE connection = ?1 AND recipient = ?2";

const GET: &str = "SELECT id, connection, recipient, verified, created_at, last_login, \
     logins_count, blocked FROM users WHERE id = ?1";

/// Inserts, or on a recipient that exists already leaves the row as it is
/// (the no-op `DO UPDATE` is what makes `RETURNING` yield the existing row).
const CREATE: &str = "INSERT INTO users (id, connection, recipient, verified, created_at, \
     last_login, logins_count, blocked) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
     ON CONFLICT (connection, recipient) DO UPDATE SET connection = excluded.connection \
     RETURNING id, connection, recipient, verified, created_at, last_login, logins_count, blocked";

const RECORD_LOGIN: &str = "UPDATE users \
     SET verified = 1, last_login = ?2, logins_count = logins_count + 1 WHERE id = ?1 \
     RETURNING id, connection, recipient, verified, created_at, last_login, logins_count, blocked";

/// A login's whole write: inserts the candidate with the login applied, or
/// counts the login on the user already there, unless that one is blocked
/// (then no row comes back, and the caller reads it).
const LOGIN_OR_CREATE: &str = "INSERT INTO users (id, connection, recipient, verified, created_at, \
     last_login, logins_count, blocked) VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, 0) \
     ON CONFLICT (connection, recipient) DO UPDATE \
     SET verified = 1, last_login = excluded.last_login, logins_count = logins_count + 1 \
     WHERE blocked = 0 \
     RETURNING id, connection, recipient, verified, created_at, last_login, logins_count, blocked";

/// A login without a candidate: counted on the user of the recipient, if
/// there is one and it is not blocked.
const LOGIN: &str = "UPDATE users \
     SET verified = 1, last_login = ?3, logins_count = logins_count + 1 \
     WHERE connection = ?1 AND recipient = ?2 AND blocked = 0 \
     RETURNING id, connection, recipient, verified, created_at, last_login, logins_count, blocked";

const SET_BLOCKED: &str = "UPDATE users SET blocked = ?2 WHERE id = ?1";

fn decode(row: &SqliteRow) -> Result<User, StoreError> {
    const T: &str = "users";
    Ok(User {
        id: UserId::parse(&get::<String>(row, "id")?)
            .map_err(|_| corrupt(T, "id", "not an Auth0 user id"))?,
        recipient: recipient(row, T)?,
        verified: flag(row, T, "verified")?,
        created_at: timestamp(row, "created_at")?,
        last_login: opt_timestamp(row, "last_login")?,
        logins_count: count(row, T, "logins_count")?,
        blocked: flag(row, T, "blocked")?,
    })
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn find(&self, recipient: &Recipient) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(FIND)
            .bind(recipient.connection().as_str())
            .bind(recipient.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(store_error)?;
        row.as_ref().map(decode).transpose()
    }

    async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(GET)
            .bind(id.as_str())
            .fetch_optional(&self.read)
            .await
            .map_err(store_error)?;
        row.as_ref().map(decode).transpose()
    }

    async fn create(&self, user: &User) -> Result<User, StoreError> {
        let row = sqlx::query(CREATE)
            .bind(user.id.as_str())
            .bind(user.connection().as_str())
            .bind(user.recipient.as_str())
            .bind(user.verified)
            .bind(user.created_at.unix_millis())
            .bind(user.last_login.map(Timestamp::unix_millis))
            .bind(int(user.logins_count, "logins_count")?)
            .bind(user.blocked)
            .fetch_one(&self.write)
            .await
            .map_err(store_error)?;
        decode(&row)
    }

    async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError> {
        let row = sqlx::query(RECORD_LOGIN)
            .bind(id.as_str())
            .bind(at.unix_millis())
            .fetch_optional(&self.write)
            .await
            .map_err(store_error)?;
        row.as_ref().map(decode).transpose()
    }

    async fn record_login_or_create(
        &self,
        recipient: &Recipient,
        fresh: Option<&User>,
        at: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        let query = match fresh {
            Some(user) => sqlx::query(LOGIN_OR_CREATE)
                .bind(user.id.as_str())
                .bind(recipient.connection().as_str())
                .bind(recipient.as_str())
                .bind(user.created_at.unix_millis())
                .bind(at.unix_millis())
                .bind(int(user.logins_count.saturating_add(1), "logins_count")?),
            None => sqlx::query(LOGIN)
                .bind(recipient.connection().as_str())
                .bind(recipient.as_str())
                .bind(at.unix_millis()),
        };
        let row = query
            .fetch_optional(&self.write)
            .await
            .map_err(store_error)?;
        match row {
            Some(row) => decode(&row).map(Some),
            // Blocked, or unknown without a candidate: as it is.
            None => self.find(recipient).await,
        }
    }

    async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError> {
        let done = sqlx::query(SET_BLOCKED)
            .bind(id.as_str())
            .bind(blocked)
            .execute(&self.write)
            .await
            .map_err(store_error)?;
        Ok(done.rows_affected() > 0)
    }
}
