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
//! [`RateLimiter::reserve`](crate::ports::RateLimiter::reserve)), N
//! concurrent wrong guesses against a budget of B record at most B
//! failures; checking with a `peek` first let them all through together.

use std::net::IpAddr;

use crate::ports::StoreError;
use crate::rate_limit::{RateDecision, RateLimit};
use crate::recipient::Recipient;
use crate::service::Passwordless;
use crate::time::Timestamp;

/// One counter of the budget: its key and rule.
struct Counter {
    key: String,
    rule: RateLimit,
}

/// A reserved unit of each counter, for one redemption.
pub(super) struct Reserved<'a> {
    svc: &'a Passwordless,
    per_ip: Option<Counter>,
    per_recipient: Counter,
    now: Timestamp,
}

impl Passwordless {
    /// Takes one unit of each failure budget of `recipient` (the one seen
    /// from `ip` first), or says which refused.
    ///
    /// # Errors
    /// `Ok(Err(decision))` when a budget is used up (nothing is taken then);
    /// [`StoreError`] when the counters cannot be reached.
    pub(super) async fn reserve_failure(
        &self,
        recipient: &Recipient,
        ip: Option<IpAddr>,
        now: Timestamp,
    ) -> Result<Result<Reserved<'_>, RateDecision>, StoreError> {
        let limiter = &self.ports.rate_limiter;
        let per_ip = ip.map(|ip| Counter {
            key: self.macs.recipient_ip_rate_key(
                "otp:fail:ip",
                recipient,
                ip,
                self.config.ipv6_prefix_len,
            ),
            rule: self.config.failures_per_recipient_ip,
        });
        if let Some(c) = &per_ip {
            let d = limiter.reserve(&c.key, c.rule, now).await?;
            if !d.allowed {
                return Ok(Err(d));
            }
        }
        let per_recipient = Counter {
            key: self.macs.recipient_rate_key("otp:fail", recipient),
            rule: self.config.failures_per_recipient,
        };
        let d = match limiter
            .reserve(&per_recipient.key, per_recipient.rule, now)
            .await
        {
            Ok(d) => d,
            Err(e) => {
                if let Some(c) = &per_ip {
                    self.release_quietly(c, now).await;
                }
                return Err(e);
            }
        };
        if !d.allowed {
            if let Some(c) = &per_ip {
                self.release_quietly(c, now).await;
            }
            return Ok(Err(d));
        }
        Ok(Ok(Reserved {
            svc: self,
            per_ip,
            per_recipient,
            now,
        }))
    }

    async fn release_quietly(&self, c: &Counter, now: Timestamp) {
        if let Err(e) = self.ports.rate_limiter.release(&c.key, c.rule, now).await {
            tracing::warn!(error = %e, "could not give back a failure-budget unit");
        }
    }
}

impl Reserved<'_> {
    /// The code was wrong: the units stay spent.
    pub(super) fn spent(self) {}

    /// The code was not a guess (the right one, too late or twice): the
    /// units go back.
    pub(super) async fn give_back(self) {
        if let Some(c) = &self.per_ip {
            self.svc.release_quietly(c, self.now).await;
        }
        self.svc
            .release_quietly(&self.per_recipient, self.now)
            .await;
    }

    /// The code was right: the unit per IP goes back and the recipient's
    /// consecutive count starts over.
    pub(super) async fn succeeded(self) {
        if let Some(c) = &self.per_ip {
            self.svc.release_quietly(c, self.now).await;
        }
        let c = &self.per_recipient;
        if let Err(e) = self
            .svc
            .ports
            .rate_limiter
            .reset(&c.key, c.rule, self.now)
            .await
        {
            tracing::warn!(error = %e, "could not reset the consecutive failure count");
        }
    }
}
