//! Log events: what happened at sign-in and in the Management API, with
//! Auth0's type codes (`s`, `fepotpft`, `cs`, …), so an operator used to
//! Auth0's logs reads Sesame's the same way.
//!
//! An event never holds a code, a token, a secret or a full address: the
//! recipient, when it matters, is masked ([`mask_address`]).

use std::collections::BTreeMap;
use std::fmt;
use std::net::IpAddr;

use serde::{Deserialize, Serialize};

pub use crate::mfa::mask_address;
use crate::time::Timestamp;

/// Auth0's log event type codes that Sesame emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EventType {
    /// `cs`: a passwordless code was sent.
    #[serde(rename = "cs")]
    CodeSent,
    /// `cls`: a passwordless code or magic link was sent.
    #[serde(rename = "cls")]
    CodeLinkSent,
    /// `fn`: sending a notification (email or SMS) failed.
    #[serde(rename = "fn")]
    FailedNotification,
    /// `s`: a successful login.
    #[serde(rename = "s")]
    Success,
    /// `f`: a failed login (e.g. a blocked user).
    #[serde(rename = "f")]
    Failed,
    /// `fepotpft`: a failed exchange of a passwordless code for tokens.
    #[serde(rename = "fepotpft")]
    FailedPasswordlessExchange,
    /// `sertft`: a refresh token exchanged for tokens.
    #[serde(rename = "sertft")]
    SuccessRefresh,
    /// `fertft`: a refused refresh token exchange.
    #[serde(rename = "fertft")]
    FailedRefresh,
    /// `ferrt`: a rotated refresh token was reused; its family is revoked.
    #[serde(rename = "ferrt")]
    RefreshReuse,
    /// `feacft`: a refused exchange of a magic link's authorization code.
    #[serde(rename = "feacft")]
    FailedAuthorizationCode,
    /// `mfar`: the first factor passed and a second one is required.
    #[serde(rename = "mfar")]
    MfaRequired,
    /// `seccft`: client credentials exchanged for an access token.
    #[serde(rename = "seccft")]
    SuccessClientCredentials,
    /// `feccft`: a refused client credentials exchange.
    #[serde(rename = "feccft")]
    FailedClientCredentials,
    /// `limit_wc`: too many attempts on one account (recipient).
    #[serde(rename = "limit_wc")]
    LimitAccount,
    /// `limit_mu`: an IP refused for failures across many accounts.
    #[serde(rename = "limit_mu")]
    LimitIp,
    /// `api_limit`: a client went over its Management API budget.
    #[serde(rename = "api_limit")]
    ApiLimit,
    /// `sapi`: a successful Management API write.
    #[serde(rename = "sapi")]
    SuccessApi,
    /// `sdu`: a user was deleted.
    #[serde(rename = "sdu")]
    UserDeleted,
}

impl EventType {
    /// Every type, for parsing and documentation.
    pub const ALL: [Self; 18] = [
        Self::CodeSent,
        Self::CodeLinkSent,
        Self::FailedNotification,
        Self::Success,
        Self::Failed,
        Self::FailedPasswordlessExchange,
        Self::SuccessRefresh,
        Self::FailedRefresh,
        Self::RefreshReuse,
        Self::FailedAuthorizationCode,
        Self::MfaRequired,
        Self::SuccessClientCredentials,
        Self::FailedClientCredentials,
        Self::LimitAccount,
        Self::LimitIp,
        Self::ApiLimit,
        Self::SuccessApi,
        Self::UserDeleted,
    ];

    /// Auth0's code, e.g. `fepotpft`.
    #[must_use]
    pub const fn code(self) -> &'static str {
        match self {
            Self::CodeSent => "cs",
            Self::CodeLinkSent => "cls",
            Self::FailedNotification => "fn",
            Self::Success => "s",
            Self::Failed => "f",
            Self::FailedPasswordlessExchange => "fepotpft",
            Self::SuccessRefresh => "sertft",
            Self::FailedRefresh => "fertft",
            Self::RefreshReuse => "ferrt",
            Self::FailedAuthorizationCode => "feacft",
            Self::MfaRequired => "mfar",
            Self::SuccessClientCredentials => "seccft",
            Self::FailedClientCredentials => "feccft",
            Self::LimitAccount => "limit_wc",
            Self::LimitIp => "limit_mu",
            Self::ApiLimit => "api_limit",
            Self::SuccessApi => "sapi",
            Self::UserDeleted => "sdu",
        }
    }

    /// The type for an Auth0 code, if Sesame emits it.
    #[must_use]
    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.code() == code)
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One log event, as stored and as `/api/v2/logs` answers it.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEvent {
    /// Unique, and ordered as the events were made: the creation time in
    /// milliseconds, zero-padded, then random hex. Checkpoint paging
    /// (`from`) and the order of every listing follow it.
    pub log_id: String,
    /// When it happened.
    pub date: Timestamp,
    /// What happened.
    #[serde(rename = "type")]
    pub kind: EventType,
    /// A human sentence; never holds a code, token, secret or address.
    pub description: String,
    /// The application that asked, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The caller's IP, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<IpAddr>,
    /// The caller's `User-Agent`, cut to 256 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_agent: Option<String>,
    /// The user (`email|…`, `sms|…`), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `email` or `sms`, if the event is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// More about it: masked names, the grant, the reason. No secrets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
}

impl fmt::Debug for LogEvent {
    // The IP and user agent identify a person: left out, like addresses.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LogEvent")
            .field("log_id", &self.log_id)
            .field("date", &self.date)
            .field("type", &self.kind.code())
            .field("description", &self.description)
            .field("client_id", &self.client_id)
            .field("user_id", &self.user_id)
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

impl LogEvent {
    /// A `log_id` for an event made at `date`: the time, then `seq` (a
    /// counter of the instance that made it, so its events of one
    /// millisecond keep their order), then 6 random bytes (so instances
    /// never collide).
    #[must_use]
    pub fn make_id(date: Timestamp, seq: u16, random: [u8; 6]) -> String {
        let millis = u64::try_from(date.unix_millis()).unwrap_or(0);
        format!("{millis:015}{seq:04x}{}", hex::encode(random))
    }

    /// The event as the JSON that stores keep and the API answers.
    ///
    /// # Errors
    /// Never in practice: every field serialises.
    pub fn to_json(&self) -> Result<String, serde_json::Error> {
        serde_json::to_string(self)
    }

    /// The event as Auth0's log APIs and log streams show it: `date` in
    /// RFC 3339, `user_name` (masked) at the top, `strategy` and
    /// `strategy_type` for a passwordless connection.
    #[must_use]
    pub fn auth0_json(&self) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        let mut put = |k: &str, v: serde_json::Value| {
            out.insert(k.to_owned(), v);
        };
        put("log_id", self.log_id.clone().into());
        put("_id", self.log_id.clone().into());
        put("date", self.date.to_rfc3339().into());
        put("type", self.kind.code().into());
        put("description", self.description.clone().into());
        if let Some(c) = &self.client_id {
            put("client_id", c.clone().into());
        }
        if let Some(ip) = self.ip {
            put("ip", ip.to_string().into());
        }
        if let Some(ua) = &self.user_agent {
            put("user_agent", ua.clone().into());
        }
        if let Some(u) = &self.user_id {
            put("user_id", u.clone().into());
        }
        if let Some(name) = self.details.get("user_name") {
            put("user_name", name.clone().into());
        }
        if let Some(c) = &self.connection {
            put("connection", c.clone().into());
            put("strategy", c.clone().into());
            put("strategy_type", "passwordless".into());
        }
        let details: serde_json::Map<String, serde_json::Value> = self
            .details
            .iter()
            .map(|(k, v)| (k.clone(), v.clone().into()))
            .collect();
        put("details", details.into());
        put("isMobile", false.into());
        serde_json::Value::Object(out)
    }

    /// Parses what [`LogEvent::to_json`] wrote.
    ///
    /// # Errors
    /// The text is not a log event.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }
}

/// Which events a listing wants; every field set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventFilter {
    /// Any of these types; empty is every type.
    pub types: Vec<EventType>,
    /// Only this user's.
    pub user_id: Option<String>,
    /// Only this application's.
    pub client_id: Option<String>,
    /// At or after this time.
    pub since: Option<Timestamp>,
    /// At or before this time.
    pub until: Option<Timestamp>,
    /// Only events whose `log_id` sorts after this one (checkpoint paging).
    pub after_log_id: Option<String>,
}

impl EventFilter {
    /// Whether `event` passes: the one definition in-memory stores use.
    #[must_use]
    pub fn matches(&self, event: &LogEvent) -> bool {
        (self.types.is_empty() || self.types.contains(&event.kind))
            && self
                .user_id
                .as_ref()
                .is_none_or(|u| event.user_id.as_ref() == Some(u))
            && self
                .client_id
                .as_ref()
                .is_none_or(|c| event.client_id.as_ref() == Some(c))
            && self.since.is_none_or(|t| event.date >= t)
            && self.until.is_none_or(|t| event.date <= t)
            && self
                .after_log_id
                .as_ref()
                .is_none_or(|id| event.log_id.as_str() > id.as_str())
    }
}

/// One listing of events: which, in what order, which slice.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventQuery {
    /// Which events.
    pub filter: EventFilter,
    /// Newest first (`date:-1`, the default) or oldest first.
    pub newest_first: bool,
    /// Events skipped before the page.
    pub offset: u64,
    /// At most this many (≤ 100 at the API).
    pub limit: u32,
    /// Whether to count every match, beyond the page.
    pub with_total: bool,
}

/// A page of events, ordered by `log_id` as the query asked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EventPage {
    /// The events.
    pub events: Vec<LogEvent>,
    /// Every match, when the query asked for it.
    pub total: Option<u64>,
}

impl EventQuery {
    /// Filters, orders and slices `events` as the query says: the one
    /// in-memory implementation, for stores that hold events in a list.
    #[must_use]
    pub fn page_of<'a>(&self, events: impl Iterator<Item = &'a LogEvent>) -> EventPage {
        let mut found: Vec<&LogEvent> = events.filter(|e| self.filter.matches(e)).collect();
        found.sort_by(|a, b| a.log_id.cmp(&b.log_id));
        if self.newest_first {
            found.reverse();
        }
        let total = self.with_total.then_some(found.len() as u64);
        let skip = usize::try_from(self.offset).unwrap_or(usize::MAX);
        let events = found
            .into_iter()
            .skip(skip)
            .take(self.limit as usize)
            .cloned()
            .collect();
        EventPage { events, total }
    }
}
