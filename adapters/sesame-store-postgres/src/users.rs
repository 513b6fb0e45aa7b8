//! [`UserStore`] on the `users` table, unique on (connection, recipient).

use async_trait::async_trait;
use sesame_domain::ports::{StoreError, UserStore};
use sesame_domain::recipient::Recipient;
use sesame_domain::time::Timestamp;
use sesame_domain::user::{User, UserId};

use crate::codec::{bigint, recipient, unsigned};
use crate::error::{corrupt, from_sqlx};
use crate::store::PgStore;

/// A `users` row as read.
struct UserRow {
    id: String,
    connection: String,
    recipient: String,
    verified: bool,
    created_at: i64,
    last_login: Option<i64>,
    logins_count: i64,
    blocked: bool,
}

impl TryFrom<UserRow> for User {
    type Error = StoreError;

    fn try_from(r: UserRow) -> Result<Self, StoreError> {
        Ok(Self {
            id: UserId::parse(&r.id).map_err(|_| corrupt("users.id is not a user id"))?,
            recipient: recipient(&r.connection, &r.recipient)?,
            verified: r.verified,
            created_at: Timestamp::from_unix_millis(r.created_at),
            last_login: r.last_login.map(Timestamp::from_unix_millis),
            logins_count: unsigned("logins_count", r.logins_count)?,
            blocked: r.blocked,
        })
    }
}

/// A login's whole write: inserts the candidate with the login applied, or
/// counts the login on the user already there, unless that one is blocked
/// (then no row comes back, and the caller reads it).
const LOGIN_OR_CREATE: &str = r"
    INSERT INTO users (id, connection, recipient, verified, created_at,
        last_login, logins_count, blocked)
    VALUES ($1, $2, $3, true, $4, $5, $6, false)
    ON CONFLICT ON CONSTRAINT users_recipient DO UPDATE
        SET verified = true, last_login = excluded.last_login,
            logins_count = users.logins_count + 1
        WHERE NOT users.blocked
    RETURNING id, connection, recipient, verified, created_at, last_login,
        logins_count, blocked";

/// A login without a candidate: counted on the user of the recipient, if
/// there is one and it is not blocked.
const LOGIN: &str = r"
    UPDATE users
    SET verified = true, last_login = $3, logins_count = logins_count + 1
    WHERE connection = $1 AND recipient = $2 AND NOT blocked
    RETURNING id, connection, recipient, verified, created_at, last_login,
        logins_count, blocked";

/// A `users` row as [`LOGIN_OR_CREATE`] and [`LOGIN`] return it.
type UserTuple = (String, String, String, bool, i64, Option<i64>, i64, bool);

impl From<UserTuple> for UserRow {
    fn from(t: UserTuple) -> Self {
        let (id, connection, recipient, verified, created_at, last_login, logins_count, blocked) =
            t;
        Self {
            id,
            connection,
            recipient,
            verified,
            created_at,
            last_login,
            logins_count,
            blocked,
        }
    }
}

impl PgStore {
    async fn find_user(&self, recipient: &Recipient) -> Result<Option<User>, StoreError> {
        let row = sqlx::query_as!(
            UserRow,
            r#"
            SELECT id, connection, recipient, verified, created_at, last_login,
                logins_count, blocked
            FROM users WHERE connection = $1 AND recipient = $2
            "#,
            recipient.connection().as_str(),
            recipient.as_str(),
        )
        .fetch_optional(&self.pool)
        .await
        .map_err(from_sqlx)?;
        row.map(User::try_from).transpose()
    }
}

#[async_trait]
impl UserStore for PgStore {
    async fn find(&self, recipient: &Recipient) -> Result<Option<User>, StoreError> {
        self.bounded(self.find_user(recipient)).await
    }

    async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        let row = self
            .bounded(async {
                sqlx::query_as!(
                    UserRow,
                    r#"
                    SELECT id, connection, recipient, verified, created_at, last_login,
                        logins_count, blocked
                    FROM users WHERE id = $1
                    "#,
                    id.as_str(),
                )
                .fetch_optional(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        row.map(User::try_from).transpose()
    }

    async fn create(&self, user: &User) -> Result<User, StoreError> {
        let logins_count = bigint("logins_count", user.logins_count)?;
        self.bounded(async {
            // A concurrent insert of the same recipient makes this one wait
            // for it to commit and then do nothing; the SELECT that follows
            // is a new statement, so it sees the winner's row.
            let inserted = sqlx::query!(
                r#"
                INSERT INTO users (id, connection, recipient, verified, created_at,
                    last_login, logins_count, blocked)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                ON CONFLICT ON CONSTRAINT users_recipient DO NOTHING
                "#,
                user.id.as_str(),
                user.connection().as_str(),
                user.recipient.as_str(),
                user.verified,
                user.created_at.unix_millis(),
                user.last_login.map(Timestamp::unix_millis),
                logins_count,
                user.blocked,
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            if inserted.rows_affected() == 1 {
                return Ok(user.clone());
            }
            self.find_user(&user.recipient).await?.ok_or_else(|| {
                StoreError::Unknown(anyhow::anyhow!(
                    "a user with this recipient existed but cannot be read back"
                ))
            })
        })
        .await
    }

    async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError> {
        let row = self
            .bounded(async {
                sqlx::query_as!(
                    UserRow,
                    r#"
                    UPDATE users
                    SET verified = true, last_login = $2, logins_count = logins_count + 1
                    WHERE id = $1
                    RETURNING id, connection, recipient, verified, created_at, last_login,
                        logins_count, blocked
                    "#,
                    id.as_str(),
                    at.unix_millis(),
                )
                .fetch_optional(&self.pool)
                .await
                .map_err(from_sqlx)
            })
            .await?;
        row.map(User::try_from).transpose()
    }

    async fn record_login_or_create(
        &self,
        recipient: &Recipient,
        fresh: Option<&User>,
        at: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        let logins_count = match fresh {
            Some(user) => bigint("logins_count", user.logins_count.saturating_add(1))?,
            None => 0,
        };
        self.bounded(async {
            let query = match fresh {
                Some(user) => sqlx::query_as::<_, UserTuple>(LOGIN_OR_CREATE)
                    .bind(user.id.as_str())
                    .bind(recipient.connection().as_str())
                    .bind(recipient.as_str())
                    .bind(user.created_at.unix_millis())
                    .bind(at.unix_millis())
                    .bind(logins_count),
                None => sqlx::query_as::<_, UserTuple>(LOGIN)
                    .bind(recipient.connection().as_str())
                    .bind(recipient.as_str())
                    .bind(at.unix_millis()),
            };
            match query.fetch_optional(&self.pool).await.map_err(from_sqlx)? {
                Some(row) => User::try_from(UserRow::from(row)).map(Some),
                // Blocked, or unknown without a candidate: as it is.
                None => self.find_user(recipient).await,
            }
        })
        .await
    }

    async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError> {
        self.bounded(async {
            let done = sqlx::query!(
                "UPDATE users SET blocked = $2 WHERE id = $1",
                id.as_str(),
                blocked
            )
            .execute(&self.pool)
            .await
            .map_err(from_sqlx)?;
            Ok(done.rows_affected() > 0)
        })
        .await
    }
}
