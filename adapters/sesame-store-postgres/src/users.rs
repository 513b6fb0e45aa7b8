//! [`UserStore`] on the `users` table, unique on (connection, recipient).
//!
//! A profile update locks the row (`SELECT … FOR UPDATE`) for one
//! transaction: its read, its merge (in Rust, Auth0's root-level merge,
//! which no `jsonb` operator does) and its write are one step to every
//! other write of the user, so concurrent updates never lose each other's
//! properties, and a concurrent login waits rather than being overwritten.
//! The metadata objects are `TEXT` holding serde_json's output, as every
//! JSON document here. A search is one statement: the count and the page read the same
//! snapshot, and an `Email`, `Phone` or `Id` filter reaches its row through
//! the unique key or the primary key.

use async_trait::async_trait;
use sesame_domain::ports::{StoreError, UserStore};
use sesame_domain::recipient::{Connection, Recipient};
use sesame_domain::time::Timestamp;
use sesame_domain::user::{Metadata, ProfileChange, ProfileUpdate, User, UserId};
use sesame_domain::user_query::{UserFilter, UserPage, UserQuery, UserSortField};
use sqlx::postgres::{PgRow, Postgres};
use sqlx::{QueryBuilder, Row as _};

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
    user_metadata: String,
    app_metadata: String,
    profile_updated_at: Option<i64>,
}

/// A metadata column: a JSON object.
fn metadata(column: &str, text: &str) -> Result<Metadata, StoreError> {
    // serde_json's messages may quote the stored text: the position only.
    serde_json::from_str(text).map_err(|e| {
        corrupt(format!(
            "users.{column} is not a JSON object (line {}, column {})",
            e.line(),
            e.column()
        ))
    })
}

/// A metadata object as its column's text.
fn metadata_text(column: &str, m: &Metadata) -> Result<String, StoreError> {
    serde_json::to_string(m)
        .map_err(|_| StoreError::Unknown(anyhow::anyhow!("users.{column} cannot be written")))
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
            user_metadata: metadata("user_metadata", &r.user_metadata)?,
            app_metadata: metadata("app_metadata", &r.app_metadata)?,
            profile_updated_at: r.profile_updated_at.map(Timestamp::from_unix_millis),
        })
    }
}

/// A login's whole write: inserts the candidate with the login applied, or
/// counts the login on the user already there, unless that one is blocked
/// (then no row comes back, and the caller reads it).
const LOGIN_OR_CREATE: &str = r"
    INSERT INTO users (id, connection, recipient, verified, created_at,
        last_login, logins_count, blocked, user_metadata, app_metadata,
        profile_updated_at)
    VALUES ($1, $2, $3, true, $4, $5, $6, false, $7, $8, $9)
    ON CONFLICT ON CONSTRAINT users_recipient DO UPDATE
        SET verified = true, last_login = excluded.last_login,
            logins_count = users.logins_count + 1
        WHERE NOT users.blocked
    RETURNING id, connection, recipient, verified, created_at, last_login,
        logins_count, blocked, user_metadata, app_metadata, profile_updated_at";

/// A login without a candidate: counted on the user of the recipient, if
/// there is one and it is not blocked.
const LOGIN: &str = r"
    UPDATE users
    SET verified = true, last_login = $3, logins_count = logins_count + 1
    WHERE connection = $1 AND recipient = $2 AND NOT blocked
    RETURNING id, connection, recipient, verified, created_at, last_login,
        logins_count, blocked, user_metadata, app_metadata, profile_updated_at";

/// A `users` row as [`LOGIN_OR_CREATE`] and [`LOGIN`] return it.
type UserTuple = (
    String,
    String,
    String,
    bool,
    i64,
    Option<i64>,
    i64,
    bool,
    String,
    String,
    Option<i64>,
);

impl From<UserTuple> for UserRow {
    fn from(t: UserTuple) -> Self {
        let (
            id,
            connection,
            recipient,
            verified,
            created_at,
            last_login,
            logins_count,
            blocked,
            user_metadata,
            app_metadata,
            profile_updated_at,
        ) = t;
        Self {
            id,
            connection,
            recipient,
            verified,
            created_at,
            last_login,
            logins_count,
            blocked,
            user_metadata,
            app_metadata,
            profile_updated_at,
        }
    }
}

/// The statement of `query`: every match counted, and its page, as one row
/// per user of the page, each carrying the count in `total`. An empty page
/// is one row of the count alone (its user columns `NULL`). Values are
/// bound, never written into the text.
fn search_statement(query: &UserQuery) -> QueryBuilder<'_, Postgres> {
    let mut q = QueryBuilder::new("");
    push_search(&mut q, query);
    q
}

/// Appends the statement of [`search_statement`] to `q`.
fn push_search<'q>(q: &mut QueryBuilder<'q, Postgres>, query: &'q UserQuery) {
    let order = order_by(query);
    q.push(
        "WITH matching AS (SELECT id, connection, recipient, verified, created_at, \
         last_login, logins_count, blocked, user_metadata, app_metadata, \
         profile_updated_at FROM users WHERE TRUE",
    );
    for filter in &query.filters {
        match filter {
            // (connection, recipient) is the unique key `users_recipient`:
            // its index finds the row.
            UserFilter::Email(address) => {
                q.push(" AND connection = ")
                    .push_bind(Connection::Email.as_str())
                    .push(" AND recipient = ")
                    .push_bind(address.as_str());
            }
            UserFilter::Phone(number) => {
                q.push(" AND connection = ")
                    .push_bind(Connection::Sms.as_str())
                    .push(" AND recipient = ")
                    .push_bind(number.as_str());
            }
            UserFilter::Id(id) => {
                q.push(" AND id = ").push_bind(id.as_str());
            }
            UserFilter::Blocked(blocked) => {
                q.push(" AND blocked = ").push_bind(*blocked);
            }
            UserFilter::LoginsAtLeast(n) => match i64::try_from(*n) {
                Ok(n) => {
                    q.push(" AND logins_count >= ").push_bind(n);
                }
                // More than any stored count: nobody.
                Err(_) => {
                    q.push(" AND FALSE");
                }
            },
            UserFilter::Connection(connection) => {
                q.push(" AND connection = ").push_bind(connection.as_str());
            }
            // No index: counting active users is a rare operator call,
            // and an index would cost every login's user write.
            UserFilter::LastLoginSince(at) => {
                q.push(" AND last_login >= ").push_bind(at.unix_millis());
            }
        }
    }
    q.push(
        ") SELECT counted.total, id, connection, recipient, verified, created_at, last_login, \
         logins_count, blocked, user_metadata, app_metadata, profile_updated_at \
         FROM (SELECT count(*) AS total FROM matching) AS counted \
         LEFT JOIN (SELECT * FROM matching ORDER BY ",
    );
    q.push(order)
        .push(" LIMIT ")
        .push_bind(i64::from(query.per_page))
        .push(" OFFSET ")
        .push_bind(i64::from(query.page) * i64::from(query.per_page))
        .push(") AS page ON TRUE ORDER BY ")
        .push(order);
}

/// The order of [`UserQuery::sort`]: a user without a login comes before
/// any login (`NULLS FIRST` ascending, `NULLS LAST` descending); ties go by
/// id, ascending. Text compares under the `C` collation, byte by byte as
/// Rust compares strings, whatever the database's own collation.
const fn order_by(query: &UserQuery) -> &'static str {
    let (field, descending) = match query.sort {
        Some(sort) => sort,
        None => (UserSortField::CreatedAt, false),
    };
    match (field, descending) {
        (UserSortField::CreatedAt, false) => r#"created_at ASC, id COLLATE "C" ASC"#,
        (UserSortField::CreatedAt, true) => r#"created_at DESC, id COLLATE "C" ASC"#,
        (UserSortField::LastLogin, false) => r#"last_login ASC NULLS FIRST, id COLLATE "C" ASC"#,
        (UserSortField::LastLogin, true) => r#"last_login DESC NULLS LAST, id COLLATE "C" ASC"#,
        (UserSortField::LoginsCount, false) => r#"logins_count ASC, id COLLATE "C" ASC"#,
        (UserSortField::LoginsCount, true) => r#"logins_count DESC, id COLLATE "C" ASC"#,
        (UserSortField::Email, false) => r#"recipient COLLATE "C" ASC, id COLLATE "C" ASC"#,
        (UserSortField::Email, true) => r#"recipient COLLATE "C" DESC, id COLLATE "C" ASC"#,
    }
}

/// The count of a search row, and its user unless it is the count's row of
/// an empty page.
fn decode_search_row(row: &PgRow) -> Result<(i64, Option<User>), StoreError> {
    let total: i64 = row.try_get("total").map_err(from_sqlx)?;
    let Some(id) = row.try_get::<Option<String>, _>("id").map_err(from_sqlx)? else {
        return Ok((total, None));
    };
    let user = UserRow {
        id,
        connection: row.try_get("connection").map_err(from_sqlx)?,
        recipient: row.try_get("recipient").map_err(from_sqlx)?,
        verified: row.try_get("verified").map_err(from_sqlx)?,
        created_at: row.try_get("created_at").map_err(from_sqlx)?,
        last_login: row.try_get("last_login").map_err(from_sqlx)?,
        logins_count: row.try_get("logins_count").map_err(from_sqlx)?,
        blocked: row.try_get("blocked").map_err(from_sqlx)?,
        user_metadata: row.try_get("user_metadata").map_err(from_sqlx)?,
        app_metadata: row.try_get("app_metadata").map_err(from_sqlx)?,
        profile_updated_at: row.try_get("profile_updated_at").map_err(from_sqlx)?,
    };
    Ok((total, Some(User::try_from(user)?)))
}

impl PgStore {
    async fn find_user(&self, recipient: &Recipient) -> Result<Option<User>, StoreError> {
        let row = sqlx::query_as!(
            UserRow,
            r#"
            SELECT id, connection, recipient, verified, created_at, last_login,
                logins_count, blocked, user_metadata, app_metadata, profile_updated_at
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
                        logins_count, blocked, user_metadata, app_metadata, profile_updated_at
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
        let user_metadata = metadata_text("user_metadata", &user.user_metadata)?;
        let app_metadata = metadata_text("app_metadata", &user.app_metadata)?;
        self.bounded(async {
            // A concurrent insert of the same recipient makes this one wait
            // for it to commit and then do nothing; the SELECT that follows
            // is a new statement, so it sees the winner's row.
            let inserted = sqlx::query!(
                r#"
                INSERT INTO users (id, connection, recipient, verified, created_at,
                    last_login, logins_count, blocked, user_metadata, app_metadata,
                    profile_updated_at)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
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
                user_metadata,
                app_metadata,
                user.profile_updated_at.map(Timestamp::unix_millis),
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
                        logins_count, blocked, user_metadata, app_metadata, profile_updated_at
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
        let (logins_count, user_metadata, app_metadata) = match fresh {
            Some(user) => (
                bigint("logins_count", user.logins_count.saturating_add(1))?,
                metadata_text("user_metadata", &user.user_metadata)?,
                metadata_text("app_metadata", &user.app_metadata)?,
            ),
            None => (0, String::new(), String::new()),
        };
        self.bounded(async {
            let query = match fresh {
                Some(user) => sqlx::query_as::<_, UserTuple>(LOGIN_OR_CREATE)
                    .bind(user.id.as_str())
                    .bind(recipient.connection().as_str())
                    .bind(recipient.as_str())
                    .bind(user.created_at.unix_millis())
                    .bind(at.unix_millis())
                    .bind(logins_count)
                    .bind(user_metadata.as_str())
                    .bind(app_metadata.as_str())
                    .bind(user.profile_updated_at.map(Timestamp::unix_millis)),
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

    async fn update_profile(
        &self,
        id: &UserId,
        change: &ProfileChange,
    ) -> Result<ProfileUpdate, StoreError> {
        self.bounded(async {
            let mut tx = self.pool.begin().await.map_err(from_sqlx)?;
            // Locked until the commit: a concurrent update (or login) of
            // this user waits here, then reads what this one wrote.
            let row = sqlx::query_as!(
                UserRow,
                r#"
                SELECT id, connection, recipient, verified, created_at, last_login,
                    logins_count, blocked, user_metadata, app_metadata, profile_updated_at
                FROM users WHERE id = $1
                FOR UPDATE
                "#,
                id.as_str(),
            )
            .fetch_optional(&mut *tx)
            .await
            .map_err(from_sqlx)?;
            // Returning early drops the transaction, which rolls it back.
            let Some(row) = row else {
                return Ok(ProfileUpdate::NoSuchUser);
            };
            let next = match change.apply(&User::try_from(row)?) {
                Ok(next) => next,
                Err(too_large) => return Ok(ProfileUpdate::TooLarge(too_large.0)),
            };
            let row = sqlx::query_as!(
                UserRow,
                r#"
                UPDATE users
                SET verified = $2, user_metadata = $3, app_metadata = $4,
                    profile_updated_at = $5
                WHERE id = $1
                RETURNING id, connection, recipient, verified, created_at, last_login,
                    logins_count, blocked, user_metadata, app_metadata, profile_updated_at
                "#,
                id.as_str(),
                next.verified,
                metadata_text("user_metadata", &next.user_metadata)?,
                metadata_text("app_metadata", &next.app_metadata)?,
                next.profile_updated_at.map(Timestamp::unix_millis),
            )
            .fetch_one(&mut *tx)
            .await
            .map_err(from_sqlx)?;
            tx.commit().await.map_err(from_sqlx)?;
            User::try_from(row).map(ProfileUpdate::Applied)
        })
        .await
    }

    async fn search(&self, query: &UserQuery) -> Result<UserPage, StoreError> {
        let rows = self
            .bounded(async {
                search_statement(query)
                    .build()
                    .fetch_all(&self.pool)
                    .await
                    .map_err(from_sqlx)
            })
            .await?;
        let mut total = 0;
        let mut users = Vec::with_capacity(rows.len());
        for row in &rows {
            let (count, user) = decode_search_row(row)?;
            total = unsigned("total", count)?;
            users.extend(user);
        }
        Ok(UserPage { users, total })
    }

    async fn delete(&self, id: &UserId) -> Result<bool, StoreError> {
        self.bounded(async {
            let done = sqlx::query("DELETE FROM users WHERE id = $1")
                .bind(id.as_str())
                .execute(&self.pool)
                .await
                .map_err(from_sqlx)?;
            Ok(done.rows_affected() > 0)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use sesame_domain::recipient::{EmailAddress, PhoneNumber};
    use sqlx::{Connection as _, Executor as _, PgConnection};

    use super::*;
    use crate::config::PgConfig;

    /// The test server (`SESAME_TEST_PG_URL`), with its database replaced
    /// by `database`.
    fn url(database: &str) -> String {
        let base = std::env::var("SESAME_TEST_PG_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let mut url = url::Url::parse(&base).unwrap();
        url.set_path(&format!("/{database}"));
        url.to_string()
    }

    /// PostgreSQL's plan of the search statement of `query`, with
    /// sequential scans priced out: a scan of `users` left in it has no
    /// index to use instead.
    async fn plan(store: &PgStore, query: &UserQuery) -> String {
        let mut tx = store.pool.begin().await.unwrap();
        tx.execute("SET LOCAL enable_seqscan = off").await.unwrap();
        let mut q = QueryBuilder::new("EXPLAIN ");
        push_search(&mut q, query);
        let rows: Vec<(String,)> = q.build_query_as().fetch_all(&mut *tx).await.unwrap();
        rows.into_iter()
            .map(|(step,)| step)
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn only(filter: UserFilter) -> UserQuery {
        UserQuery {
            filters: vec![filter, UserFilter::Blocked(false)],
            ..UserQuery::all()
        }
    }

    #[tokio::test]
    async fn a_search_by_email_phone_or_id_reads_one_row_through_an_index() {
        let name = format!("sesame_test_plan_{}", std::process::id());
        let mut admin = PgConnection::connect(&url("postgres")).await.unwrap();
        let drop = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        admin.execute(drop.as_str()).await.unwrap();
        admin
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .unwrap();
        let store = PgStore::connect(&PgConfig::new(url(&name))).await.unwrap();

        let address = EmailAddress::parse("a@example.com").unwrap();
        let number = PhoneNumber::parse("+14155550100").unwrap();
        let id = UserId::parse("email|0123456789abcdef01234567").unwrap();
        for filter in [UserFilter::Email(address), UserFilter::Phone(number)] {
            let plan = plan(&store, &only(filter)).await;
            assert!(plan.contains("users_recipient"), "{plan}");
            assert!(!plan.contains("Seq Scan on users"), "{plan}");
        }
        let plan_by_id = plan(&store, &only(UserFilter::Id(id))).await;
        assert!(plan_by_id.contains("users_pkey"), "{plan_by_id}");
        assert!(!plan_by_id.contains("Seq Scan on users"), "{plan_by_id}");
        // Without such a filter, there is no index to use.
        let plan_by_logins = plan(&store, &only(UserFilter::LoginsAtLeast(1))).await;
        assert!(
            plan_by_logins.contains("Seq Scan on users"),
            "{plan_by_logins}"
        );

        store.pool.close().await;
        admin.execute(drop.as_str()).await.unwrap();
    }
}
