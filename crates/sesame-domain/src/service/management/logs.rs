//! `GET /api/v2/logs` and `GET /api/v2/users/{id}/logs`: the stored log
//! events, with Auth0's `q` (or `search`), paging, sort and checkpoint
//! paging (`from` and `take`).
//!
//! Supported in `q`, joined by `AND`: `type:CODE` (or `type:(A OR B)`),
//! `user_id:"…"`, `client_id:"…"`, `date:[FROM TO UNTIL]` with RFC 3339
//! dates or date-times, or `*` for an open end. Anything else is refused by
//! name.

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::event::{EventFilter, EventPage, EventQuery, EventType};
use crate::service::Passwordless;
use crate::time::Timestamp;

use super::search::{invalid, unquote};
use super::{ManagementCaller, ManagementError};

/// The most events one call answers (`per_page`, `take`).
pub const MAX_LOGS_PER_PAGE: u32 = 100;

/// The parameters of a log listing the domain reads.
#[derive(Debug, Clone, Default)]
pub struct ListLogs {
    /// `q` or `search`.
    pub q: Option<String>,
    /// `page`, from 0.
    pub page: Option<u32>,
    /// `per_page`, at most 100 (50 by default).
    pub per_page: Option<u32>,
    /// `sort`: `date:1` or `date:-1` (the default).
    pub sort: Option<String>,
    /// `include_totals`.
    pub include_totals: bool,
    /// `from`: a `log_id`; the events after it, oldest first.
    pub from: Option<String>,
    /// `take`: how many, with `from` (at most 100).
    pub take: Option<u32>,
}

/// An RFC 3339 date-time, or a date (its midnight UTC; `end` makes it the
/// last millisecond of that day).
fn instant(text: &str, end: bool) -> Result<Option<Timestamp>, ManagementError> {
    let text = unquote(text.trim());
    if text == "*" {
        return Ok(None);
    }
    let (full, day) = if text.len() == 10 {
        (format!("{text}T00:00:00Z"), true)
    } else {
        (text.to_owned(), false)
    };
    let at = OffsetDateTime::parse(&full, &Rfc3339)
        .map_err(|_| invalid(format!("{text:?} is not an RFC 3339 date or date-time")))?;
    let millis = i64::try_from(at.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| invalid("date out of range"))?;
    let millis = if day && end {
        millis + 86_400_000 - 1
    } else {
        millis
    };
    Ok(Some(Timestamp::from_unix_millis(millis)))
}

fn event_type(code: &str) -> Result<EventType, ManagementError> {
    EventType::from_code(unquote(code.trim()))
        .ok_or_else(|| invalid(format!("unknown log event type {code:?}")))
}

/// One `field:value` term, applied to `filter`.
fn term(t: &str, filter: &mut EventFilter) -> Result<(), ManagementError> {
    let (field, value) = t
        .split_once(':')
        .ok_or_else(|| invalid(format!("unsupported term {t:?}: expected field:value")))?;
    let value = value.trim();
    match field.trim() {
        "type" => {
            let inner = value.strip_prefix('(').and_then(|v| v.strip_suffix(')'));
            match inner {
                Some(list) => {
                    for code in list.split(" OR ") {
                        filter.types.push(event_type(code)?);
                    }
                }
                None => filter.types.push(event_type(value)?),
            }
        }
        "user_id" => filter.user_id = Some(unquote(value).to_owned()),
        "client_id" => filter.client_id = Some(unquote(value).to_owned()),
        "date" => {
            let range = value
                .strip_prefix('[')
                .and_then(|v| v.strip_suffix(']'))
                .ok_or_else(|| invalid("date takes [FROM TO UNTIL]"))?;
            let (from, until) = range
                .split_once(" TO ")
                .ok_or_else(|| invalid("date takes [FROM TO UNTIL]"))?;
            filter.since = instant(from, false)?;
            filter.until = instant(until, true)?;
        }
        other => {
            return Err(invalid(format!(
                "the field {other:?} is not supported in q (supported: type, user_id, client_id, date)"
            )));
        }
    }
    Ok(())
}

/// `q` as a filter.
///
/// # Errors
/// [`ManagementError::InvalidQuery`] naming what is not supported.
pub fn parse_log_q(q: &str) -> Result<EventFilter, ManagementError> {
    let mut filter = EventFilter::default();
    if q.trim().is_empty() {
        return Ok(filter);
    }
    // `OR` only inside `type:(…)`; split the terms first, then look.
    let mut rest = q.trim();
    while !rest.is_empty() {
        let (t, tail) = split_term(rest);
        if t.contains(" OR ") && !t.trim_start().starts_with("type:(") {
            return Err(invalid("\"OR\" is supported only in type:(A OR B)"));
        }
        if t.contains("NOT ") || t.contains('*') && !t.trim_start().starts_with("date:") {
            return Err(invalid("NOT and wildcards are not supported in q"));
        }
        term(t, &mut filter)?;
        rest = tail;
    }
    Ok(filter)
}

/// The first term of `q` (brackets and parentheses kept whole) and what
/// follows its ` AND `.
fn split_term(q: &str) -> (&str, &str) {
    let mut depth = 0i32;
    let bytes = q.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' | b'[' => depth += 1,
            b')' | b']' => depth -= 1,
            b' ' if depth == 0 && q[i..].starts_with(" AND ") => {
                return (&q[..i], q[i + 5..].trim_start());
            }
            _ => {}
        }
        i += 1;
    }
    (q, "")
}

fn newest_first(sort: Option<&str>) -> Result<bool, ManagementError> {
    match sort {
        None | Some("date:-1") => Ok(true),
        Some("date:1") => Ok(false),
        Some(other) => Err(invalid(format!(
            "cannot sort by {other:?}: date:1 or date:-1"
        ))),
    }
}

fn bounded(n: Option<u32>, what: &str) -> Result<u32, ManagementError> {
    match n {
        None => Ok(50),
        Some(n) if (1..=MAX_LOGS_PER_PAGE).contains(&n) => Ok(n),
        Some(_) => Err(invalid(format!("{what} must be between 1 and 100"))),
    }
}

impl ListLogs {
    /// The store query these parameters ask for, with `user` (a user's
    /// own listing) added to the filter.
    ///
    /// # Errors
    /// [`ManagementError::InvalidQuery`].
    pub fn to_query(&self, user: Option<&str>) -> Result<EventQuery, ManagementError> {
        let mut filter = parse_log_q(self.q.as_deref().unwrap_or(""))?;
        if let Some(user) = user {
            filter.user_id = Some(user.to_owned());
        }
        if let Some(from) = &self.from {
            filter.after_log_id = Some(from.clone());
            return Ok(EventQuery {
                filter,
                newest_first: false,
                offset: 0,
                limit: bounded(self.take, "take")?,
                with_total: false,
            });
        }
        let per_page = bounded(self.per_page.or(self.take), "per_page")?;
        Ok(EventQuery {
            filter,
            newest_first: newest_first(self.sort.as_deref())?,
            offset: u64::from(self.page.unwrap_or(0)) * u64::from(per_page),
            limit: per_page,
            with_total: self.include_totals,
        })
    }
}

impl Passwordless {
    /// `GET /api/v2/logs` (scope `read:logs`), or a user's own listing
    /// (`GET /api/v2/users/{id}/logs`) when `user` is given.
    ///
    /// # Errors
    /// [`ManagementError::InvalidQuery`] for an unsupported `q`, sort or
    /// page size; [`ManagementError::InsufficientScope`].
    pub async fn management_logs(
        &self,
        caller: &ManagementCaller,
        params: &ListLogs,
        user: Option<&str>,
    ) -> Result<(EventQuery, EventPage), ManagementError> {
        caller.needs("read:logs")?;
        if let Some(id) = user {
            self.existing_user(id).await?;
        }
        let query = params.to_query(user)?;
        let page = match &self.event_store {
            Some(store) => store.search(&query).await?,
            None => EventPage {
                events: Vec::new(),
                total: query.with_total.then_some(0),
            },
        };
        Ok((query, page))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q_reads_types_users_clients_and_date_ranges() {
        let f = parse_log_q(
            r#"type:(s OR fepotpft) AND user_id:"email|ab" AND date:[2026-12-01 TO 2026-12-07T10:00:00Z]"#,
        )
        .unwrap();
        assert_eq!(
            f.types,
            vec![EventType::Success, EventType::FailedPasswordlessExchange]
        );
        assert_eq!(f.user_id.as_deref(), Some("email|ab"));
        assert_eq!(f.since.unwrap().to_rfc3339(), "2026-12-01T00:00:00.000Z");
        assert_eq!(f.until.unwrap().to_rfc3339(), "2026-12-07T10:00:00.000Z");
        let day = parse_log_q("date:[* TO 2026-12-01]").unwrap();
        assert_eq!(day.since, None);
        assert_eq!(day.until.unwrap().to_rfc3339(), "2026-12-01T23:59:59.999Z");
        assert_eq!(
            parse_log_q("type:s").unwrap().types,
            vec![EventType::Success]
        );
    }

    #[test]
    fn q_refuses_what_it_does_not_support_by_name() {
        for bad in [
            "type:nope",
            "ip:1.2.3.4",
            "type:s OR type:f",
            "user_id:email*",
            "date:[yesterday TO *]",
            "date:2026-12-01",
        ] {
            assert!(
                matches!(parse_log_q(bad), Err(ManagementError::InvalidQuery(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn from_and_take_page_oldest_first_after_the_checkpoint() {
        let q = ListLogs {
            from: Some("000".into()),
            take: Some(10),
            sort: Some("date:-1".into()),
            ..ListLogs::default()
        }
        .to_query(None)
        .unwrap();
        assert!(!q.newest_first);
        assert_eq!(q.limit, 10);
        assert_eq!(q.filter.after_log_id.as_deref(), Some("000"));
        let paged = ListLogs {
            page: Some(2),
            per_page: Some(20),
            ..ListLogs::default()
        }
        .to_query(Some("sms|x"))
        .unwrap();
        assert_eq!((paged.offset, paged.limit), (40, 20));
        assert!(paged.newest_first);
        assert_eq!(paged.filter.user_id.as_deref(), Some("sms|x"));
        assert!(
            ListLogs {
                per_page: Some(101),
                ..ListLogs::default()
            }
            .to_query(None)
            .is_err()
        );
    }
}
