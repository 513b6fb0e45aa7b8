//! The passwordless OTP grant: the user proves they receive at an address
//! or number by typing the code sent there.
//!
//! The answer to a wrong code and to a recipient that was never sent one is
//! the same, and so is the work done: a MAC is computed and compared either
//! way, and both count against the recipient's failure budgets
//! (`failure_budget.rs`), which are reserved before the code is checked.

use std::fmt;

use super::failure_budget::Reserved;
use super::pipeline::{Binding, Caller, Proof, ProveUser};
use super::{Refusal, TokenError};
use crate::challenge::{Challenge, ChallengeKey};
use crate::client::{Client, GrantType};
use crate::code::Otp;
use crate::rate_limit::RateDecision;
use crate::recipient::{Connection, Recipient};
use crate::scope::Scope;
use crate::service::Passwordless;
use crate::service::mint::RefreshPlan;
use crate::service::sign_in::Subject;

/// `grant_type=http://auth0.com/oauth/grant-type/passwordless/otp`.
/// Redacted in `Debug`: `username` is an address or number as typed.
#[derive(Clone)]
pub struct OtpGrant {
    /// `realm`: the connection.
    pub connection: Connection,
    /// `username`: the address or number, as typed.
    pub username: String,
    /// `otp`: the code, as typed.
    pub otp: Otp,
    /// `audience` (or `resource`).
    pub audience: Option<String>,
    /// `scope`.
    pub scope: Option<String>,
    /// `redirect_uri`, which must be a registered callback when given.
    pub redirect_uri: Option<String>,
}

impl fmt::Debug for OtpGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OtpGrant")
            .field("connection", &self.connection)
            .field("audience", &self.audience)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// Why a one-time code was refused.
#[derive(Debug, thiserror::Error)]
pub enum OtpError {
    /// The client may not use this connection.
    #[error("connection {0} is not enabled for this client")]
    ConnectionDisabled(Connection),
    /// `redirect_uri` is not one of the client's callbacks.
    #[error("Callback URL mismatch. The redirect_uri is not in the list of allowed callback URLs.")]
    InvalidRedirectUri,
    /// Wrong code, or no code was sent to this recipient: deliberately the
    /// same answer.
    #[error("{}", wrong_code_message(*.0))]
    WrongCode(Connection),
    /// The code matched, but its challenge has expired.
    #[error("The verification code has expired. Please try to login again.")]
    Expired,
    /// The live challenge has no attempts left.
    #[error("You've reached the maximum number of attempts. Please try to login again.")]
    MaxAttempts,
    /// Too many failed redemptions for this recipient from this IP, or from
    /// every IP together, across challenges.
    #[error("Too many failed attempts. Please try again later.")]
    TooManyAttempts(RateDecision),
}

impl OtpError {
    /// How the token endpoint classes it.
    #[must_use]
    pub const fn refusal(&self) -> Refusal {
        match self {
            Self::ConnectionDisabled(_) | Self::InvalidRedirectUri => Refusal::UnauthorizedClient,
            Self::WrongCode(_) | Self::Expired | Self::MaxAttempts => Refusal::InvalidGrant,
            Self::TooManyAttempts(d) => Refusal::TooManyAttempts(*d),
        }
    }
}

const fn wrong_code_message(connection: Connection) -> &'static str {
    match connection {
        Connection::Email => "Wrong email or verification code.",
        Connection::Sms => "Wrong phone number or verification code.",
    }
}

/// How a presented code fared against the latest challenge.
enum Verdict {
    Redeemed,
    Wrong,
    Expired,
    Exhausted,
    /// The right code, but a concurrent redemption consumed it first: a
    /// double submit, not a guess, so it does not count as a failure.
    LostRace,
    /// [`LostRace`](Self::LostRace) found by the consume, which gave the
    /// budget back in the same call.
    LostRaceSettled,
}

impl ProveUser for OtpGrant {
    const GRANT: GrantType = GrantType::PasswordlessOtp;
    const CHECKS_IP_BUDGET: bool = true;

    fn requested_audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    /// The requested scope, parsed.
    type Checked = Option<Scope>;

    fn precheck(&self, client: &Client) -> Result<Option<Scope>, TokenError> {
        if !client.allows_connection(self.connection) {
            return Err(OtpError::ConnectionDisabled(self.connection).into());
        }
        if let Some(uri) = &self.redirect_uri
            && !client.allows_callback(uri)
        {
            return Err(OtpError::InvalidRedirectUri.into());
        }
        self.scope
            .as_deref()
            .map(Scope::parse)
            .transpose()
            .map_err(TokenError::InvalidScope)
    }

    async fn prove(
        &self,
        svc: &Passwordless,
        client: &Client,
        scope: Option<Scope>,
        caller: &Caller<'_>,
    ) -> Result<Proof, TokenError> {
        // Failures count per (recipient, caller IP), so one guesser cannot
        // lock the recipient out.
        let challenge = svc.redeem_otp(self, client, caller).await?;
        Ok(Proof {
            subject: Subject::Recipient(challenge.recipient).into(),
            scope: scope.or(challenge.auth_params.scope),
            audience: challenge.auth_params.audience,
            nonce: challenge.auth_params.nonce,
            refresh: RefreshPlan::NewFamilyIfAllowed,
            binding: Binding::Presented,
            mfa: false,
            recovery_code: None,
        })
    }
}

impl Passwordless {
    /// Checks `grant`'s code against the latest challenge for its recipient
    /// and consumes it; the consumed challenge on success.
    async fn redeem_otp(
        &self,
        grant: &OtpGrant,
        client: &Client,
        caller: &Caller<'_>,
    ) -> Result<Challenge, TokenError> {
        let wrong = OtpError::WrongCode(grant.connection);
        let now = self.ports.clock.now();
        // An unparseable username cannot have been sent a code: same answer
        // as a wrong code, after the same MAC work.
        let Ok(recipient) = Recipient::parse(grant.connection, &grant.username) else {
            self.check_ip_budget(caller.ip_budget).await?;
            self.macs.otp_without_challenge(grant.otp.expose());
            return Err(wrong.into());
        };
        caller.trace.recipient(&recipient);
        let key = ChallengeKey {
            client_id: client.id.clone(),
            recipient,
        };
        let (budget, latest) = self
            .reserve_failure_and_read(&key, caller.ip, caller.ip_budget, now)
            .await?;
        let checked = self.check_otp(&key, latest, &budget, grant, now).await;
        match checked {
            // The right code: `check_otp` consumed it and settled the
            // budget in the same call.
            Ok((Verdict::Redeemed, Some(ch))) => {
                budget.settled();
                if let Recipient::Sms(phone) = &ch.recipient {
                    self.sms_redeemed(phone, now).await;
                }
                Ok(ch)
            }
            Ok((Verdict::LostRaceSettled, _)) => {
                budget.settled();
                Err(wrong.into())
            }
            Ok((Verdict::Wrong, _)) => {
                budget.spent();
                Err(wrong.into())
            }
            Ok((Verdict::Exhausted, _)) => {
                budget.spent();
                Err(OtpError::MaxAttempts.into())
            }
            Ok((Verdict::Expired, _)) => {
                budget.give_back().await;
                Err(OtpError::Expired.into())
            }
            Ok((Verdict::LostRace | Verdict::Redeemed, _)) => {
                budget.give_back().await;
                Err(wrong.into())
            }
            Err(e) => {
                budget.give_back().await;
                Err(e)
            }
        }
    }

    /// The verdict on `grant`'s code against the latest challenge for `key`,
    /// and that challenge.
    async fn check_otp(
        &self,
        key: &ChallengeKey,
        latest: Option<Challenge>,
        budget: &Reserved<'_>,
        grant: &OtpGrant,
        now: crate::time::Timestamp,
    ) -> Result<(Verdict, Option<Challenge>), TokenError> {
        let verdict = match &latest {
            None => {
                self.macs.otp_without_challenge(grant.otp.expose());
                Verdict::Wrong
            }
            Some(ch) => {
                let matches = self
                    .macs
                    .otp(&ch.id, grant.otp.expose())
                    .matches(&ch.code_mac);
                if ch.consumed {
                    // The right code again is a replay or a double submit,
                    // not a guess: refused, but not counted.
                    if matches {
                        Verdict::LostRace
                    } else {
                        Verdict::Wrong
                    }
                } else if ch.is_expired_at(now) {
                    if matches {
                        Verdict::Expired
                    } else {
                        Verdict::Wrong
                    }
                } else if ch.attempts_left == 0 {
                    Verdict::Exhausted
                } else if matches {
                    // Of concurrent redemptions exactly one flips it; the
                    // budget is settled in the same call either way.
                    if budget.consume(key, &ch.id).await? {
                        Verdict::Redeemed
                    } else {
                        Verdict::LostRaceSettled
                    }
                } else {
                    match self.ports.challenges.record_failure(key, &ch.id).await? {
                        Some(0) => Verdict::Exhausted,
                        _ => Verdict::Wrong,
                    }
                }
            }
        };
        Ok((verdict, latest))
    }
}
