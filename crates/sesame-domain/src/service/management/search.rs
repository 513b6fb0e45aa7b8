//! `GET /api/v2/users`: Auth0's `q` (its Lucene syntax, the subset below),
//! paging and sort, as a [`UserQuery`].
//!
//! Supported in `q`, joined by `AND`: `email:"…"`, `phone_number:"…"`,
//! `user_id:"…"`, `blocked:true|false`, `logins_count:[N TO *]`. Anything
//! else is refused by name, never ignored: a query that silently matched
//! more than asked would be a data leak.

use crate::recipient::{Connection, EmailAddress, PhoneNumber};
use crate::service::Passwordless;
use crate::user::UserId;
use crate::user_query::{UserFilter, UserPage, UserQuery, UserSortField};

use super::{ManagementCaller, ManagementError};

/// The parameters of `GET /api/v2/users` the domain reads.
#[derive(Debug, Clone, Default)]
pub struct ListUsers {
    /// `q`.
    pub q: Option<String>,
    /// `page`, from 0.
    pub page: Option<u32>,
    /// `per_page`, at most 100.
    pub per_page: Option<u32>,
    /// `sort`: `field:1` or `field:-1`.
    pub sort: Option<String>,
    /// `connection`: only that connection's users.
    pub connection: Option<Connection>,
}

/// A refused query parameter, saying why.
pub(super) fn invalid(message: impl Into<String>) -> ManagementError {
    ManagementError::InvalidQuery(message.into())
}

/// `"value"` or `value`.
pub(super) fn unquote(v: &str) -> &str {
    v.strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(v)
}

/// One `field:value` term of `q`.
fn term(t: &str) -> Result<UserFilter, ManagementError> {
    let (field, value) = t
        .split_once(':')
        .ok_or_else(|| invalid(format!("unsupported term {t:?}: expected field:value")))?;
    let value = value.trim();
    // Wildcards are Lucene syntax an address may even hold (`*@x.y` is a
    // valid local part): refused, so a query never matches more than it
    // names.
    if field.trim() != "logins_count" && (value.contains('*') || value.contains('?')) {
        return Err(invalid("wildcards are not supported in q"));
    }
    match field.trim() {
        "email" => EmailAddress::parse(unquote(value))
            .map(UserFilter::Email)
            .map_err(|_| invalid("email must be an email address")),
        "phone_number" => PhoneNumber::parse(unquote(value))
            .map(UserFilter::Phone)
            .map_err(|_| invalid("phone_number must be an E.164 number")),
        "user_id" => UserId::parse(unquote(value))
            .map(UserFilter::Id)
            .map_err(|_| invalid("user_id is not a user id")),
        "blocked" => match unquote(value) {
            "true" => Ok(UserFilter::Blocked(true)),
            "false" => Ok(UserFilter::Blocked(false)),
            _ => Err(invalid("blocked must be true or false")),
        },
        "logins_count" => {
            let range = value
                .strip_prefix('[')
                .and_then(|v| v.strip_suffix("TO *]"))
                .map(str::trim)
                .ok_or_else(|| invalid("logins_count takes [N TO *] only"))?;
            range
                .parse::<u64>()
                .map(UserFilter::LoginsAtLeast)
                .map_err(|_| invalid("logins_count takes [N TO *] only"))
        }
        other => Err(invalid(format!(
            "the field {other:?} is not supported in q (supported: email, phone_number, user_id, blocked, logins_count)"
        ))),
    }
}

/// `q` as filters.
///
/// # Errors
/// [`ManagementError::InvalidQuery`] naming what is not supported (`OR`,
/// `NOT`, wildcards, other fields, other ranges).
pub fn parse_q(q: &str) -> Result<Vec<UserFilter>, ManagementError> {
    if q.trim().is_empty() {
        return Ok(Vec::new());
    }
    for unsupported in [" OR ", " NOT ", "*:", "(", ")"] {
        if q.contains(unsupported) {
            return Err(invalid(format!(
                "{:?} is not supported in q: only terms joined by AND",
                unsupported.trim()
            )));
        }
    }
    q.split(" AND ").map(term).collect()
}

fn sort(s: &str) -> Result<(UserSortField, bool), ManagementError> {
    let (field, direction) = s
        .split_once(':')
        .ok_or_else(|| invalid("sort is field:1 or field:-1"))?;
    let field = match field {
        "created_at" => UserSortField::CreatedAt,
        "last_login" => UserSortField::LastLogin,
        "logins_count" => UserSortField::LoginsCount,
        "email" => UserSortField::Email,
        other => return Err(invalid(format!("cannot sort by {other:?}"))),
    };
    match direction {
        "1" => Ok((field, false)),
        "-1" => Ok((field, true)),
        _ => Err(invalid("sort is field:1 or field:-1")),
    }
}

impl Passwordless {
    /// `GET /api/v2/users` (scope `read:users`).
    ///
    /// # Errors
    /// [`ManagementError::InvalidQuery`] for unsupported `q` syntax, a bad
    /// `sort`, or `per_page` over 100.
    pub async fn management_list_users(
        &self,
        caller: &ManagementCaller,
        params: &ListUsers,
    ) -> Result<(UserQuery, UserPage), ManagementError> {
        caller.needs("read:users")?;
        let per_page = params.per_page.unwrap_or(UserQuery::DEFAULT_PER_PAGE);
        if per_page == 0 || per_page > UserQuery::MAX_PER_PAGE {
            return Err(invalid("per_page must be between 1 and 100"));
        }
        let mut filters = parse_q(params.q.as_deref().unwrap_or(""))?;
        filters.extend(params.connection.map(UserFilter::Connection));
        let query = UserQuery {
            filters,
            sort: params.sort.as_deref().map(sort).transpose()?,
            page: params.page.unwrap_or(0),
            per_page,
        };
        let page = self.ports.users.search(&query).await?;
        Ok((query, page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_takes_terms_joined_by_and_and_refuses_the_rest_by_name() {
        let f = parse_q(r#"email:"Jane@Example.com" AND blocked:true AND logins_count:[3 TO *]"#)
            .unwrap();
        assert_eq!(f.len(), 3);
        assert!(matches!(&f[0], UserFilter::Email(e) if e.as_str() == "jane@example.com"));
        assert_eq!(f[1], UserFilter::Blocked(true));
        assert_eq!(f[2], UserFilter::LoginsAtLeast(3));
        assert!(matches!(
            parse_q("phone_number:+15555550100").unwrap()[0],
            UserFilter::Phone(_)
        ));
        for bad in [
            "email:a@b.c OR blocked:true",
            "name:jane",
            "logins_count:[1 TO 5]",
            "email:*@example.com",
            "(blocked:true)",
            "blocked:maybe",
        ] {
            let err = parse_q(bad).unwrap_err();
            assert!(matches!(err, ManagementError::InvalidQuery(_)), "{bad}");
        }
        assert_eq!(parse_q("").unwrap(), Vec::new());
    }

    #[test]
    fn sort_is_a_known_field_and_a_direction() {
        assert_eq!(
            sort("last_login:-1").unwrap(),
            (UserSortField::LastLogin, true)
        );
        assert_eq!(sort("email:1").unwrap(), (UserSortField::Email, false));
        assert!(sort("name:1").is_err());
        assert!(sort("email:up").is_err());
    }
}
