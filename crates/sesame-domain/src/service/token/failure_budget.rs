//! The failure budget of one-time codes: reserved before a code is checked,
//! given back when the code was not a wrong guess.
//!
//! Two counters pay for each redemption:
//! - per (recipient, client IP), `failures_per_recipient_ip` (10 per 15
//!   minutes): a guesser is refused for that recipient, from that IP;
//! - per recipient from every IP, `failures_per_recipient` (100 a day): the
//!   ceiling of NIST SP 800-63B §5.2.2 on consecutive failures, so a
//!   distributed guesser is stopped too. A success starts it over.
//!
//! Because the unit is taken *before* the code is compared (an atomic
//! [`RateLimiter::reserve_all`](crate::ports::RateLimiter::reserve_all)), N
//! concurrent wrong guesses against a budget of B record at most B
//! failures; checking with a `peek` first let them all through together.
//!
//! Each end of a redemption is one call to the step store
//! ([`StepStore`](crate::ports::StepStore)): the reservation takes both
//! units, checks the caller IP's failure budget ([`super::ip_failures`])
//! and reads the challenge together; the consume of a right code gives the
//! unit per IP back and starts the recipient's count over together.

use std::net::IpAddr;

use super::ip_failures::IpBudget;
use super::{OtpError, TokenError};
use crate::challenge::{Challenge, ChallengeId, ChallengeKey};
use crate::ports::Settlement;
use crate::rate_limit::{RateKey, RateLimit, Refuser, Reservation};
use crate::recipient::Recipient;
use crate::service::Passwordless;
use crate::time::Timestamp;

/// One counter of the budget: its key and rule.
struct Counter {
    key: String,
    rule: RateLimit,
}

impl Counter {
    fn as_key(&self) -> RateKey<'_> {
        RateKey::new(&self.key, self.rule)
    }
}

/// A reserved unit of each counter, for one redemption.
pub(super) struct Reserved<'a> {
    svc: &'a Passwordless,
    per_ip: Option<Counter>,
    per_recipient: Counter,
    now: Timestamp,
}

impl Passwordless {
    /// Takes one unit of each failure budget of `key`'s recipient (the one
    /// seen from `ip` too), provided `ip_budget`, the caller IP's failure
    /// budget at the token endpoint, has room, and reads the challenge of
    /// `key` once they are taken: one call to the step store.
    ///
    /// # Errors
    /// [`OtpError::TooManyAttempts`] when a budget of the recipient is used
    /// up, [`TokenError::SuspiciousIp`] when the IP's is (nothing is taken
    /// then); the store's error.
    pub(super) async fn reserve_failure_and_read(
        &self,
        key: &ChallengeKey,
        ip: Option<IpAddr>,
        ip_budget: Option<&IpBudget>,
        now: Timestamp,
    ) -> Result<(Reserved<'_>, Option<Challenge>), TokenError> {
        let reserved = self.failure_counters(&key.recipient, ip, now);
        let take = reserved.take();
        let need: Vec<_> = ip_budget.map(|b| b.as_key(self)).into_iter().collect();
        let (reservation, latest) = self.steps.reserve_and_read(&take, &need, key, now).await?;
        drop(take);
        refused(reservation)?;
        Ok((reserved, latest))
    }

    /// The budget's counters for `recipient` seen from `ip`, not yet taken.
    fn failure_counters(
        &self,
        recipient: &Recipient,
        ip: Option<IpAddr>,
        now: Timestamp,
    ) -> Reserved<'_> {
        let per_ip = ip.map(|ip| Counter {
            key: self.macs.recipient_ip_rate_key(
                "otp:fail:ip",
                recipient,
                ip,
                self.config.ipv6_prefix_len,
            ),
            rule: self.config.failures_per_recipient_ip,
        });
        let per_recipient = Counter {
            key: self.macs.recipient_rate_key("otp:fail", recipient),
            rule: self.config.failures_per_recipient,
        };
        Reserved {
            svc: self,
            per_ip,
            per_recipient,
            now,
        }
    }
}

/// The error a refused reservation answers.
fn refused(reservation: Reservation) -> Result<(), TokenError> {
    match reservation {
        Reservation::Taken(_) => Ok(()),
        Reservation::Refused {
            by: Refuser::Need(_),
            decision,
        } => {
            tracing::warn!("token request from an IP over its failure budget: refused");
            Err(TokenError::SuspiciousIp(decision))
        }
        Reservation::Refused {
            by: Refuser::Take(_),
            decision,
        } => Err(OtpError::TooManyAttempts(decision).into()),
    }
}

impl Reserved<'_> {
    /// The counters to take, per IP first.
    fn take(&self) -> Vec<RateKey<'_>> {
        let mut take = Vec::with_capacity(2);
        take.extend(self.per_ip.as_ref().map(Counter::as_key));
        take.push(self.per_recipient.as_key());
        take
    }

    /// The code was wrong: the units stay spent.
    pub(super) fn spent(self) {}

    /// [`consume`](Self::consume) settled the units already.
    pub(super) fn settled(self) {}

    /// The code was not a guess (the right one, too late or twice): the
    /// units go back.
    pub(super) async fn give_back(self) {
        let release = self.take();
        self.settle(&release, &[]).await;
    }

    /// Consumes challenge `id` of `key` with the right code and settles the
    /// budget in the same call: with the unit per IP given back and the
    /// recipient's consecutive count started over when this
    /// redemption flipped it, as [`give_back`](Self::give_back) when a
    /// concurrent one did. Whether this one flipped it.
    ///
    /// # Errors
    /// The store's, from the consume (the settlement is best effort).
    pub(super) async fn consume(
        &self,
        key: &ChallengeKey,
        id: &ChallengeId,
    ) -> Result<bool, TokenError> {
        let won_release: Vec<_> = self.per_ip.iter().map(Counter::as_key).collect();
        let won_reset = [self.per_recipient.as_key()];
        let lost_release = self.take();
        let won = Settlement {
            release: &won_release,
            reset: &won_reset,
        };
        let lost = Settlement {
            release: &lost_release,
            reset: &[],
        };
        Ok(self
            .svc
            .steps
            .consume_and_settle(key, id, self.now, won, lost)
            .await?)
    }

    /// Best effort: the answer is already decided; a unit not given back
    /// only makes the budget stricter until its window ends.
    async fn settle(&self, release: &[RateKey<'_>], reset: &[RateKey<'_>]) {
        if let Err(e) = self
            .svc
            .ports
            .rate_limiter
            .settle(release, reset, self.now)
            .await
        {
            tracing::warn!(error = %e, "could not settle the failure budget");
        }
    }
}
