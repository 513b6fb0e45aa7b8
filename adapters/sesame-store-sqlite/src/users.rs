//! [`UserStore`] on the `users` table.
//!
//! The unique key on (connection, recipient) makes `create` race free, and
//! each write is one statement that returns the row it left behind, except
//! a profile update: its read, its merge (in Rust, Auth0's root-level merge)
//! and its write run in one job of the writer, whose batch holds the write
//! lock from the read on, so concurrent updates never lose each other's
//! properties. A search is one statement too: the count and the
//! page read the same snapshot, and an `Email`, `Phone` or `Id` filter
//! reaches its row through the unique key or the primary key.

use async_trait::async_trait;
use rusqlite::{Connection as Db, Row, params};
use sesame_domain::ports::{StoreError, UserStore};
use sesame_domain::user::{Metadata, ProfileChange, ProfileUpdate};
use sesame_domain::{
    Connection, Recipient, Timestamp, User, UserFilter, UserId, UserPage, UserQuery, UserSortField,
};

use crate::SqliteStore;
use crate::builder::Sql;
use crate::codec::{count, flag, get, int, json, opt_timestamp, recipient, timestamp, to_json};
use crate::conn::{execute, query_one, query_opt};
use crate::error::corrupt;

/// A user's columns, in the order every statement here reads them.
macro_rules! user_columns {
    () => {
        "id, connection, recipient, verified, created_at, last_login, logins_count, blocked, \
         user_metadata, app_metadata, profile_updated_at"
    };
}

const FIND: &str = concat!(
    "SELECT ",
    user_columns!(),
    " FROM users WHERE connection = ?1 AND recipient = ?2"
);

const GET: &str = concat!("SELECT ", user_columns!(), " FROM users WHERE id = ?1");

/// Inserts, or on a recipient that exists already leaves the row as it is
/// (the no-op `DO UPDATE` is what makes `RETURNING` yield the existing row).
const CREATE: &str = concat!(
    "INSERT INTO users (",
    user_columns!(),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
     ON CONFLICT (connection, recipient) DO UPDATE SET connection = excluded.connection \
     RETURNING ",
    user_columns!()
);

const RECORD_LOGIN: &str = concat!(
    "UPDATE users \
     SET verified = 1, last_login = ?2, logins_count = logins_count + 1 WHERE id = ?1 \
     RETURNING ",
    user_columns!()
);

/// A login's whole write: inserts the candidate with the login applied, or
/// counts the login on the user already there, unless that one is blocked
/// (then no row comes back, and the caller reads it).
const LOGIN_OR_CREATE: &str = concat!(
    "INSERT INTO users (",
    user_columns!(),
    ") VALUES (?1, ?2, ?3, 1, ?4, ?5, ?6, 0, ?7, ?8, ?9) \
     ON CONFLICT (connection, recipient) DO UPDATE \
     SET verified = 1, last_login = excluded.last_login, logins_count = logins_count + 1 \
     WHERE blocked = 0 \
     RETURNING ",
    user_columns!()
);

/// A login without a candidate: counted on the user of the recipient, if
/// there is one and it is not blocked.
const LOGIN: &str = concat!(
    "UPDATE users \
     SET verified = 1, last_login = ?3, logins_count = logins_count + 1 \
     WHERE connection = ?1 AND recipient = ?2 AND blocked = 0 \
     RETURNING ",
    user_columns!()
);

/// A profile update's write, in the job that read the row.
const UPDATE_PROFILE: &str = concat!(
    "UPDATE users SET verified = ?2, user_metadata = ?3, app_metadata = ?4, \
     profile_updated_at = ?5 WHERE id = ?1 RETURNING ",
    user_columns!()
);

const SET_BLOCKED: &str = "UPDATE users SET blocked = ?2 WHERE id = ?1";

const DELETE: &str = "DELETE FROM users WHERE id = ?1";

/// The statement of `query`: every match counted, and its page, as one row
/// per user of the page, each carrying the count in `total`. An empty page
/// is one row of the count alone (its user columns `NULL`). Values are
/// bound, never written into the text.
fn search_statement(query: &UserQuery) -> Sql {
    let mut q = Sql::default();
    push_search(&mut q, query);
    q
}

/// Appends the statement of [`search_statement`] to `q`.
fn push_search(q: &mut Sql, query: &UserQuery) {
    let order = order_by(query);
    q.push(concat!(
        "WITH matching AS (SELECT ",
        user_columns!(),
        " FROM users WHERE TRUE"
    ));
    for filter in &query.filters {
        match filter {
            // (connection, recipient) is the unique key: its index finds the row.
            UserFilter::Email(address) => {
                q.push(" AND connection = ")
                    .bind(Connection::Email.as_str().to_owned())
                    .push(" AND recipient = ")
                    .bind(address.as_str().to_owned());
            }
            UserFilter::Phone(number) => {
                q.push(" AND connection = ")
                    .bind(Connection::Sms.as_str().to_owned())
                    .push(" AND recipient = ")
                    .bind(number.as_str().to_owned());
            }
            UserFilter::Id(id) => {
                q.push(" AND id = ").bind(id.as_str().to_owned());
            }
            UserFilter::Blocked(blocked) => {
                q.push(" AND blocked = ").bind(*blocked);
            }
            UserFilter::LoginsAtLeast(n) => match i64::try_from(*n) {
                Ok(n) => {
                    q.push(" AND logins_count >= ").bind(n);
                }
                // More than any stored count: nobody.
                Err(_) => {
                    q.push(" AND FALSE");
                }
            },
            UserFilter::Connection(connection) => {
                q.push(" AND connection = ")
                    .bind(connection.as_str().to_owned());
            }
            // No index: counting active users is a rare operator call,
            // and an index would cost every login's user write.
            UserFilter::LastLoginSince(at) => {
                q.push(" AND last_login >= ").bind(at.unix_millis());
            }
        }
    }
    q.push(concat!(
        ") SELECT counted.total, ",
        user_columns!(),
        " FROM (SELECT count(*) AS total FROM matching) AS counted \
         LEFT JOIN (SELECT * FROM matching ORDER BY "
    ));
    q.push(order)
        .push(" LIMIT ")
        .bind(i64::from(query.per_page))
        .push(" OFFSET ")
        .bind(i64::from(query.page) * i64::from(query.per_page))
        .push(") AS page ON TRUE ORDER BY ")
        .push(order);
}

/// The order of [`UserQuery::sort`]: a user without a login comes before
/// any login (`NULLS FIRST` ascending, `NULLS LAST` descending); ties go by
/// id, ascending. SQLite's default `BINARY` collation compares the bytes,
/// as Rust compares strings.
const fn order_by(query: &UserQuery) -> &'static str {
    let (field, descending) = match query.sort {
        Some(sort) => sort,
        None => (UserSortField::CreatedAt, false),
    };
    match (field, descending) {
        (UserSortField::CreatedAt, false) => "created_at ASC, id ASC",
        (UserSortField::CreatedAt, true) => "created_at DESC, id ASC",
        (UserSortField::LastLogin, false) => "last_login ASC NULLS FIRST, id ASC",
        (UserSortField::LastLogin, true) => "last_login DESC NULLS LAST, id ASC",
        (UserSortField::LoginsCount, false) => "logins_count ASC, id ASC",
        (UserSortField::LoginsCount, true) => "logins_count DESC, id ASC",
        (UserSortField::Email, false) => "recipient ASC, id ASC",
        (UserSortField::Email, true) => "recipient DESC, id ASC",
    }
}

fn decode(row: &Row<'_>) -> Result<User, StoreError> {
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
        user_metadata: json::<Metadata>(row, T, "user_metadata")?,
        app_metadata: json::<Metadata>(row, T, "app_metadata")?,
        profile_updated_at: opt_timestamp(row, "profile_updated_at")?,
    })
}

/// The user of `recipient`, if there is one.
fn find(conn: &Db, connection: &str, recipient: &str) -> Result<Option<User>, StoreError> {
    query_opt(conn, FIND, params![connection, recipient], decode)
}

#[async_trait]
impl UserStore for SqliteStore {
    async fn find(&self, recipient: &Recipient) -> Result<Option<User>, StoreError> {
        let (connection, address) = (recipient.connection(), recipient.as_str().to_owned());
        self.read(move |conn| find(conn, connection.as_str(), &address))
            .await
    }

    async fn get(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        let id = id.as_str().to_owned();
        self.read(move |conn| query_opt(conn, GET, [id], decode))
            .await
    }

    async fn create(&self, user: &User) -> Result<User, StoreError> {
        let logins_count = int(user.logins_count, "logins_count")?;
        let user_metadata = to_json(&user.user_metadata, "user_metadata")?;
        let app_metadata = to_json(&user.app_metadata, "app_metadata")?;
        let user = user.clone();
        self.write(move |conn| {
            query_one(
                conn,
                CREATE,
                params![
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
                ],
                decode,
            )
        })
        .await
    }

    async fn record_login(&self, id: &UserId, at: Timestamp) -> Result<Option<User>, StoreError> {
        let id = id.as_str().to_owned();
        self.write(move |conn| query_opt(conn, RECORD_LOGIN, params![id, at.unix_millis()], decode))
            .await
    }

    async fn record_login_or_create(
        &self,
        recipient: &Recipient,
        fresh: Option<&User>,
        at: Timestamp,
    ) -> Result<Option<User>, StoreError> {
        let connection = recipient.connection().as_str();
        let address = recipient.as_str().to_owned();
        let candidate = match fresh {
            Some(user) => Some((
                user.id.as_str().to_owned(),
                user.created_at.unix_millis(),
                int(user.logins_count.saturating_add(1), "logins_count")?,
                to_json(&user.user_metadata, "user_metadata")?,
                to_json(&user.app_metadata, "app_metadata")?,
                user.profile_updated_at.map(Timestamp::unix_millis),
            )),
            None => None,
        };
        let at = at.unix_millis();
        self.write(move |conn| {
            let row = match &candidate {
                Some((id, created_at, logins, user_metadata, app_metadata, updated)) => query_opt(
                    conn,
                    LOGIN_OR_CREATE,
                    params![
                        id,
                        connection,
                        address,
                        created_at,
                        at,
                        logins,
                        user_metadata,
                        app_metadata,
                        updated
                    ],
                    decode,
                )?,
                None => query_opt(conn, LOGIN, params![connection, address, at], decode)?,
            };
            match row {
                Some(user) => Ok(Some(user)),
                // Blocked, or unknown without a candidate: as it is.
                None => find(conn, connection, &address),
            }
        })
        .await
    }

    async fn set_blocked(&self, id: &UserId, blocked: bool) -> Result<bool, StoreError> {
        let id = id.as_str().to_owned();
        self.write(move |conn| Ok(execute(conn, SET_BLOCKED, params![id, blocked])? > 0))
            .await
    }

    async fn update_profile(
        &self,
        id: &UserId,
        change: &ProfileChange,
    ) -> Result<ProfileUpdate, StoreError> {
        let (id, change) = (id.as_str().to_owned(), change.clone());
        // One transaction job: the batch holds the write lock from the read
        // on, so no other writer, in this process or another, changes the
        // row between the merge's read and its write.
        self.transaction(move |conn| {
            let Some(user) = query_opt(conn, GET, [&id], decode)? else {
                return Ok(ProfileUpdate::NoSuchUser);
            };
            let next = match change.apply(&user) {
                Ok(next) => next,
                Err(too_large) => return Ok(ProfileUpdate::TooLarge(too_large.0)),
            };
            let stored = query_one(
                conn,
                UPDATE_PROFILE,
                params![
                    id,
                    next.verified,
                    to_json(&next.user_metadata, "user_metadata")?,
                    to_json(&next.app_metadata, "app_metadata")?,
                    next.profile_updated_at.map(Timestamp::unix_millis),
                ],
                decode,
            )?;
            Ok(ProfileUpdate::Applied(stored))
        })
        .await
    }

    async fn search(&self, query: &UserQuery) -> Result<UserPage, StoreError> {
        let statement = search_statement(query);
        self.read(move |conn| {
            let mut total = 0;
            let users = statement.query_all(conn, |row| {
                total = count(row, "users", "total")?;
                // The count's row of an empty page has no user.
                match get::<Option<String>>(row, "id")? {
                    Some(_) => decode(row).map(Some),
                    None => Ok(None),
                }
            })?;
            Ok(UserPage {
                users: users.into_iter().flatten().collect(),
                total,
            })
        })
        .await
    }

    async fn delete(&self, id: &UserId) -> Result<bool, StoreError> {
        let id = id.as_str().to_owned();
        self.write(move |conn| Ok(execute(conn, DELETE, [id])? > 0))
            .await
    }
}

#[cfg(test)]
mod tests {
    use sesame_domain::{EmailAddress, PhoneNumber};

    use super::*;

    /// SQLite's plan of the search statement of `query`, one step a line.
    async fn plan(store: &SqliteStore, query: &UserQuery) -> String {
        let mut q = Sql::new("EXPLAIN QUERY PLAN ");
        push_search(&mut q, query);
        let steps = store
            .read(move |conn| q.query_all(conn, |row| get::<String>(row, "detail")))
            .await
            .unwrap();
        steps.join("\n")
    }

    fn only(filter: UserFilter) -> UserQuery {
        UserQuery {
            filters: vec![filter, UserFilter::Blocked(false)],
            ..UserQuery::all()
        }
    }

    #[tokio::test]
    async fn a_search_by_email_phone_or_id_reads_one_row_through_an_index() {
        let store = SqliteStore::in_memory().await.unwrap();
        let address = EmailAddress::parse("a@example.com").unwrap();
        let number = PhoneNumber::parse("+14155550100").unwrap();
        let id = UserId::parse("email|0123456789abcdef01234567").unwrap();
        let by_recipient = [UserFilter::Email(address), UserFilter::Phone(number)];
        for filter in by_recipient {
            let plan = plan(&store, &only(filter)).await;
            assert!(
                plan.contains("SEARCH users USING INDEX sqlite_autoindex_users_2"),
                "{plan}"
            );
            assert!(!plan.contains("SCAN users"), "{plan}");
        }
        let plan = plan(&store, &only(UserFilter::Id(id))).await;
        assert!(
            plan.contains("SEARCH users USING INDEX sqlite_autoindex_users_1 (id=?)"),
            "{plan}"
        );
        assert!(!plan.contains("SCAN users"), "{plan}");
    }

    #[tokio::test]
    async fn a_search_without_such_a_filter_reads_every_user() {
        let store = SqliteStore::in_memory().await.unwrap();
        let plan = plan(&store, &only(UserFilter::LoginsAtLeast(1))).await;
        assert!(plan.contains("SCAN users"), "{plan}");
    }
}
