//! Searching users: the filters, order and page of a listing (the
//! Management API's `GET /api/v2/users`, the CLI's `users list`).

use crate::recipient::{Connection, EmailAddress, PhoneNumber};
use crate::time::Timestamp;
use crate::user::{User, UserId};

/// One condition on a user; a query's conditions all hold (AND).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UserFilter {
    /// The user who logs in with this address.
    Email(EmailAddress),
    /// The user who logs in with this number.
    Phone(PhoneNumber),
    /// The user with this id.
    Id(UserId),
    /// Blocked (`true`) or not.
    Blocked(bool),
    /// At least this many logins.
    LoginsAtLeast(u64),
    /// Users of this connection (email addresses or phone numbers).
    Connection(Connection),
    /// Users whose last login is at or after this instant (never-logged-in
    /// users do not match): the Management API's active users.
    LastLoginSince(Timestamp),
}

/// What a listing is ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserSortField {
    /// When the user was created.
    CreatedAt,
    /// The last login; users who never logged in come before any login.
    LastLogin,
    /// How many logins.
    LoginsCount,
    /// The address or number, as text.
    Email,
}

/// A search: every filter holds, in `sort` order (default: creation, then
/// id), page `page` (from 0) of `per_page` users.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserQuery {
    /// The conditions, all of which hold.
    pub filters: Vec<UserFilter>,
    /// The field and whether descending; ties go by user id, ascending.
    pub sort: Option<(UserSortField, bool)>,
    /// The page, from 0.
    pub page: u32,
    /// Users per page, 1 to [`UserQuery::MAX_PER_PAGE`].
    pub per_page: u32,
}

impl UserQuery {
    /// The largest page (Auth0's).
    pub const MAX_PER_PAGE: u32 = 100;
    /// The default page size (Auth0's).
    pub const DEFAULT_PER_PAGE: u32 = 50;

    /// Every user, first page, default order.
    #[must_use]
    pub const fn all() -> Self {
        Self {
            filters: Vec::new(),
            sort: None,
            page: 0,
            per_page: Self::DEFAULT_PER_PAGE,
        }
    }

    /// Whether `user` satisfies every filter (for stores that filter in
    /// memory).
    #[must_use]
    pub fn matches(&self, user: &User) -> bool {
        self.filters.iter().all(|f| match f {
            UserFilter::Email(e) => {
                user.recipient.as_str() == e.as_str()
                    && matches!(user.recipient, crate::recipient::Recipient::Email(_))
            }
            UserFilter::Phone(p) => {
                user.recipient.as_str() == p.as_str()
                    && matches!(user.recipient, crate::recipient::Recipient::Sms(_))
            }
            UserFilter::Id(id) => &user.id == id,
            UserFilter::Blocked(b) => user.blocked == *b,
            UserFilter::LoginsAtLeast(n) => user.logins_count >= *n,
            UserFilter::Connection(c) => user.connection() == *c,
            UserFilter::LastLoginSince(t) => user.last_login.is_some_and(|at| at >= *t),
        })
    }

    /// Orders `users` as the query says (for stores that sort in memory).
    pub fn sort(&self, users: &mut [User]) {
        let (field, descending) = self.sort.unwrap_or((UserSortField::CreatedAt, false));
        users.sort_by(|a, b| {
            let by_field = match field {
                UserSortField::CreatedAt => a.created_at.cmp(&b.created_at),
                UserSortField::LastLogin => a.last_login.cmp(&b.last_login),
                UserSortField::LoginsCount => a.logins_count.cmp(&b.logins_count),
                UserSortField::Email => a.recipient.as_str().cmp(b.recipient.as_str()),
            };
            let by_field = if descending {
                by_field.reverse()
            } else {
                by_field
            };
            by_field.then_with(|| a.id.cmp(&b.id))
        });
    }

    /// The page of `candidates` this query asks for: those that match, in
    /// order, `per_page` of them from `page * per_page`, and the total (for
    /// stores that search in memory).
    #[must_use]
    pub fn page_of(&self, candidates: impl IntoIterator<Item = User>) -> UserPage {
        let mut users: Vec<User> = candidates.into_iter().filter(|u| self.matches(u)).collect();
        self.sort(&mut users);
        let total = users.len() as u64;
        let skip = u64::from(self.page).saturating_mul(u64::from(self.per_page));
        let users = users
            .into_iter()
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(usize::try_from(self.per_page).unwrap_or(usize::MAX))
            .collect();
        UserPage { users, total }
    }
}

/// One page of a search, and how many users match in all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserPage {
    /// The users of the page, in order.
    pub users: Vec<User>,
    /// Every matching user, on every page.
    pub total: u64,
}
