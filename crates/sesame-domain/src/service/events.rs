//! Making log events: one place that stamps them (id, date) and hands them
//! to the [`EventSink`], and the rules that turn a token request's outcome
//! into Auth0's type code.

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::sync::{Mutex, PoisonError};

use crate::challenge::SendMode;
use crate::client::GrantType;
use crate::event::{EventType, LogEvent, mask_address};
use crate::ports::{EventSink, random_array};
use crate::recipient::{Connection, Recipient};
use crate::service::Passwordless;
use crate::service::errors::StartError;
use crate::service::management::ManagementCaller;
use crate::service::token::{GrantError, OtpError, Refusal, TokenError};
use crate::time::Timestamp;
use crate::user::UserId;

/// The most of a `User-Agent` an event keeps.
const USER_AGENT_MAX: usize = 256;

/// The sink a service has until it is given one: each event becomes a
/// `tracing` line on target `sesame::events`, with no address, IP or user
/// agent (those stay out of logs).
#[derive(Debug, Default, Clone, Copy)]
pub struct TracingEventSink;

impl TracingEventSink {
    /// Writes `event`'s line, borrowing it (a sink that also keeps the
    /// event calls this rather than cloning it for [`EventSink::emit`]).
    pub fn log(event: &LogEvent) {
        tracing::info!(
            target: "sesame::events",
            log_id = event.log_id.as_str(),
            event = event.kind.code(),
            client_id = event.client_id.as_deref(),
            user_id = event.user_id.as_deref(),
            connection = event.connection.as_deref(),
            "{}",
            event.description
        );
    }
}

impl EventSink for TracingEventSink {
    fn emit(&self, event: LogEvent) {
        Self::log(&event);
    }
}

/// Who sent a request, for its event.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Origin<'a> {
    /// The application.
    pub(crate) client_id: Option<&'a str>,
    /// The caller's IP.
    pub(crate) ip: Option<IpAddr>,
    /// The caller's `User-Agent`.
    pub(crate) user_agent: Option<&'a str>,
}

/// What a grant learnt while proving the user, for the request's event.
/// Written by the grant through `&self` (the pipeline lends the grant a
/// shared reference), read once the answer is known.
#[derive(Debug, Default)]
pub(crate) struct Trace(Mutex<Traced>);

/// The contents of a [`Trace`].
#[derive(Debug, Default, Clone)]
pub(crate) struct Traced {
    /// The user the request was about.
    pub(crate) user_id: Option<UserId>,
    /// The recipient a code was presented for.
    pub(crate) recipient: Option<Recipient>,
    /// A spent refresh token came back: its family was revoked.
    pub(crate) reuse: bool,
    /// A start for a test identity: its fixed code, nothing sent.
    pub(crate) test_identity: bool,
    /// The caller's IP as the start resolved it (`auth0-forwarded-for`
    /// only from a trusted client that authenticated).
    pub(crate) ip: Option<IpAddr>,
}

impl Trace {
    fn with(&self, f: impl FnOnce(&mut Traced)) {
        f(&mut self.0.lock().unwrap_or_else(PoisonError::into_inner));
    }

    /// The request was about `user`.
    pub(crate) fn user(&self, user: &UserId) {
        self.with(|t| t.user_id = Some(user.clone()));
    }

    /// A code was presented for `recipient`.
    pub(crate) fn recipient(&self, recipient: &Recipient) {
        self.with(|t| t.recipient = Some(recipient.clone()));
    }

    /// A spent refresh token came back.
    pub(crate) fn reuse(&self) {
        self.with(|t| t.reuse = true);
    }

    /// The start resolved the caller's IP to `ip`.
    pub(crate) fn ip(&self, ip: Option<IpAddr>) {
        self.with(|t| t.ip = ip);
    }

    /// The start was for a test identity.
    pub(crate) fn test_identity(&self) {
        self.with(|t| t.test_identity = true);
    }

    /// What was traced.
    pub(crate) fn read(&self) -> Traced {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

impl Passwordless {
    /// A new event of `kind` from `origin`, stamped now.
    pub(crate) fn event(
        &self,
        kind: EventType,
        description: impl Into<String>,
        origin: Origin<'_>,
    ) -> LogEvent {
        let date = self.ports.clock.now();
        LogEvent {
            log_id: LogEvent::make_id(
                date,
                self.event_seq.fetch_add(1, Ordering::Relaxed),
                random_array(self.ports.rng.as_ref()),
            ),
            date,
            kind,
            description: description.into(),
            client_id: origin.client_id.map(str::to_owned),
            ip: origin.ip,
            user_agent: origin
                .user_agent
                .map(|ua| ua.chars().take(USER_AGENT_MAX).collect()),
            user_id: None,
            connection: None,
            details: BTreeMap::new(),
        }
    }

    /// Hands `event` to the sink; returns at once.
    pub(crate) fn emit(&self, event: LogEvent) {
        self.events.emit(event);
    }

    /// Whether a limit event of `kind` for `origin`, whose window ends at
    /// `until` (`None`: unknown), is the window's first and so is logged.
    pub(crate) fn first_limit_event(
        &self,
        kind: EventType,
        origin: Origin<'_>,
        until: Option<Timestamp>,
    ) -> bool {
        let now = self.ports.clock.now();
        self.limit_log
            .first(kind, origin.client_id, origin.ip, until.unwrap_or(now), now)
    }

    /// The event for a token request's answer, or none for refusals that
    /// are the caller's mistake rather than a sign-in (a wrong client
    /// setup is not an attempt at anyone's account).
    ///
    /// A wrong code names its user when the recipient has one (one read,
    /// on that failure only: a request refused by a limit reads nothing).
    pub(super) async fn token_event(
        &self,
        grant: GrantType,
        result: Result<(), &TokenError>,
        traced: Traced,
        origin: Origin<'_>,
    ) {
        let (kind, description) = match result {
            Ok(()) => (success_type(grant), success_text(grant).to_owned()),
            Err(e) => match failure_type(grant, e, traced.reuse) {
                Some(kind) => (kind, e.to_string()),
                None => return,
            },
        };
        if matches!(kind, EventType::LimitAccount | EventType::LimitIp)
            && !self.first_limit_event(kind, origin, result.err().and_then(limit_reset))
        {
            return;
        }
        let mut user_id = traced.user_id;
        let about_a_code = matches!(
            result,
            Err(TokenError::Grant(GrantError::PasswordlessOtp(
                OtpError::WrongCode(_) | OtpError::Expired | OtpError::MaxAttempts
            )))
        );
        if let (None, Some(r), true) = (&user_id, &traced.recipient, about_a_code) {
            // Best effort: an unreachable store leaves the event unnamed.
            user_id = self.ports.users.find(r).await.ok().flatten().map(|u| u.id);
        }
        let mut event = self.event(kind, description, origin);
        event.user_id = user_id.map(|u| u.as_str().to_owned());
        let connection = traced.recipient.as_ref().map(Recipient::connection);
        event.connection = connection.map(|c| c.as_str().to_owned());
        if let Some(r) = &traced.recipient {
            event.details.insert("user_name".into(), mask_address(r));
        }
        event
            .details
            .insert("grant_type".into(), grant.as_str().to_owned());
        self.emit(event);
    }
}

impl Passwordless {
    /// The event for a start's answer: `cs` or `cls` when sent (a decoy
    /// too: the answer was the same), `limit_wc` when a limit refused it,
    /// `fn` when delivery failed; none for a malformed request.
    pub(super) fn start_event(
        &self,
        result: Result<(), &StartError>,
        recipient: &Recipient,
        send: SendMode,
        traced: &Traced,
        origin: Origin<'_>,
    ) {
        let connection = recipient.connection();
        let (kind, description) = match result {
            Ok(()) if send == SendMode::Link && connection == Connection::Email => (
                EventType::CodeLinkSent,
                "Passwordless login code/link has been sent".to_owned(),
            ),
            Ok(()) => (
                EventType::CodeSent,
                "Passwordless login code has been sent".to_owned(),
            ),
            Err(e @ StartError::RateLimited(d)) => {
                if !self.first_limit_event(EventType::LimitAccount, origin, Some(d.reset_at)) {
                    return;
                }
                (EventType::LimitAccount, e.to_string())
            }
            Err(e @ (StartError::Delivery { .. } | StartError::QueueFull)) => {
                (EventType::FailedNotification, e.to_string())
            }
            Err(_) => return,
        };
        let mut event = self.event(kind, description, origin);
        event.user_id = traced.user_id.as_ref().map(|u| u.as_str().to_owned());
        event.connection = Some(connection.as_str().to_owned());
        event
            .details
            .insert("user_name".into(), mask_address(recipient));
        if traced.test_identity {
            // Reviews of an app-store account show up as what they are.
            event.details.insert("test_identity".into(), "true".into());
            event.description = "A test identity's fixed code: nothing sent".into();
        }
        self.emit(event);
    }
}

impl Passwordless {
    /// The event for a Management API call by `caller` about `user`, with
    /// `details` (names of what changed, never values).
    pub(super) fn api_event(
        &self,
        kind: EventType,
        description: &str,
        caller: &ManagementCaller,
        user: &UserId,
        details: &[(&str, String)],
    ) {
        let origin = Origin {
            client_id: Some(caller.client_id.as_str()),
            ..Origin::default()
        };
        let mut event = self.event(kind, description, origin);
        event.user_id = Some(user.as_str().to_owned());
        for (k, v) in details {
            event.details.insert((*k).to_owned(), v.clone());
        }
        self.emit(event);
    }
}

const fn success_type(grant: GrantType) -> EventType {
    match grant {
        GrantType::RefreshToken => EventType::SuccessRefresh,
        GrantType::ClientCredentials => EventType::SuccessClientCredentials,
        _ => EventType::Success,
    }
}

const fn success_text(grant: GrantType) -> &'static str {
    match grant {
        GrantType::RefreshToken => "Successful exchange of refresh token for access token",
        GrantType::ClientCredentials => {
            "Successful exchange of client credentials for access token"
        }
        GrantType::AuthorizationCode => "Successful login (magic link)",
        _ => "Successful login",
    }
}

/// When the window of the limit that refused `e` ends, if a limit did.
fn limit_reset(e: &TokenError) -> Option<Timestamp> {
    match e {
        TokenError::SuspiciousIp(d) => Some(d.reset_at),
        TokenError::Grant(g) => match g.refusal() {
            Refusal::TooManyAttempts(d) => Some(d.reset_at),
            _ => None,
        },
        _ => None,
    }
}

/// The type for a refused token request; `None` for a request that never
/// reached anyone's credential (bad client, bad scope, unknown API).
fn failure_type(grant: GrantType, e: &TokenError, reuse: bool) -> Option<EventType> {
    let by_grant = match grant {
        GrantType::PasswordlessOtp => EventType::FailedPasswordlessExchange,
        GrantType::RefreshToken if reuse => EventType::RefreshReuse,
        GrantType::RefreshToken => EventType::FailedRefresh,
        GrantType::ClientCredentials => EventType::FailedClientCredentials,
        GrantType::AuthorizationCode => EventType::FailedAuthorizationCode,
        _ => EventType::Failed,
    };
    match e {
        TokenError::InvalidClient if grant == GrantType::ClientCredentials => Some(by_grant),
        TokenError::InvalidClient
        | TokenError::GrantNotAllowed(_)
        | TokenError::UnknownAudience(_)
        | TokenError::InvalidScope(_) => None,
        TokenError::SuspiciousIp(_) => Some(EventType::LimitIp),
        TokenError::MfaRequired(_) => Some(EventType::MfaRequired),
        TokenError::Blocked => Some(EventType::Failed),
        TokenError::Grant(g) if matches!(g.refusal(), Refusal::TooManyAttempts(_)) => {
            Some(EventType::LimitAccount)
        }
        _ => Some(by_grant),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_code_is_fepotpft_and_a_reused_refresh_token_ferrt() {
        let wrong = TokenError::Grant(OtpError::WrongCode(Connection::Email).into());
        assert_eq!(
            failure_type(GrantType::PasswordlessOtp, &wrong, false),
            Some(EventType::FailedPasswordlessExchange)
        );
        let invalid = TokenError::Grant(crate::service::token::RefreshError::InvalidToken.into());
        assert_eq!(
            failure_type(GrantType::RefreshToken, &invalid, true),
            Some(EventType::RefreshReuse)
        );
        assert_eq!(
            failure_type(GrantType::RefreshToken, &invalid, false),
            Some(EventType::FailedRefresh)
        );
        let exhausted = crate::rate_limit::RateDecision {
            allowed: false,
            limit: 1,
            remaining: 0,
            reset_at: Timestamp::from_unix_millis(0),
        };
        let limited = TokenError::Grant(OtpError::TooManyAttempts(exhausted).into());
        assert_eq!(
            failure_type(GrantType::PasswordlessOtp, &limited, false),
            Some(EventType::LimitAccount),
            "a per-recipient limit is limit_wc, not a wrong code"
        );
    }

    #[test]
    fn a_request_that_reached_no_credential_makes_no_event() {
        assert_eq!(
            failure_type(
                GrantType::PasswordlessOtp,
                &TokenError::InvalidClient,
                false
            ),
            None
        );
        assert_eq!(
            failure_type(
                GrantType::PasswordlessOtp,
                &TokenError::UnknownAudience("x".into()),
                false
            ),
            None
        );
    }
}
