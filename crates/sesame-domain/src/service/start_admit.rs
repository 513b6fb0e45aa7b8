//! A start's admission: its limits counted, an SMS's quotas with them, and
//! its challenge stored, all in one call to the step store.

use std::net::IpAddr;

use super::Passwordless;
use super::errors::StartError;
use crate::challenge::Challenge;
use crate::rate_limit::{RateDecision, RateKey, Refuser, Reservation};
use crate::recipient::{PhoneNumber, Recipient};
use crate::time::Timestamp;

/// The counters a start takes one unit of, named once.
pub(super) struct StartCounters {
    /// Per IP and per (recipient, IP), when the caller's IP is known.
    per_ip: Option<(String, String)>,
    /// Per recipient.
    per_recipient: String,
}

impl Passwordless {
    /// The counters of a start of `recipient` from `ip`.
    pub(super) fn start_counters(
        &self,
        recipient: &Recipient,
        ip: Option<IpAddr>,
    ) -> StartCounters {
        let prefix = self.config.ipv6_prefix_len;
        StartCounters {
            per_ip: ip.map(|ip| {
                (
                    self.macs.ip_rate_key("start:ip", ip, prefix),
                    // One caller cannot use up the recipient's resend budget.
                    self.macs
                        .recipient_ip_rate_key("start:rcpt:ip", recipient, ip, prefix),
                )
            }),
            per_recipient: self.macs.recipient_rate_key("start:rcpt", recipient),
        }
    }

    /// The start's counters as one batch, in the order per IP, per
    /// (recipient, IP), per recipient.
    pub(super) fn start_batch<'a>(&self, c: &'a StartCounters) -> Vec<RateKey<'a>> {
        let mut take = Vec::with_capacity(5);
        if let Some((ip_key, rcpt_ip_key)) = &c.per_ip {
            take.push(RateKey::new(ip_key, self.config.start_per_ip));
            take.push(RateKey::new(
                rcpt_ip_key,
                self.config.start_per_recipient_ip,
            ));
        }
        take.push(RateKey::new(
            &c.per_recipient,
            self.config.start_per_recipient,
        ));
        take
    }

    /// Counts a start against its limits and, when `texted` names the
    /// number a text will go to, against the SMS quotas too, then stores
    /// `challenge`: one call to the step store. Over any limit or quota,
    /// nothing is counted and nothing stored. The per-IP decision, for the
    /// answer's headers.
    ///
    /// # Errors
    /// [`StartError::RateLimited`] with the refusing counter's decision;
    /// the store's error.
    pub(super) async fn admit_start(
        &self,
        counters: &StartCounters,
        texted: Option<&PhoneNumber>,
        challenge: &Challenge,
        now: Timestamp,
    ) -> Result<Option<RateDecision>, StartError> {
        let mut take = self.start_batch(counters);
        let limits = take.len();
        let sms_key = texted.map(|phone| self.sms_prefix_key(phone));
        if let Some(key) = &sms_key {
            take.extend(self.sms_quota_keys(key));
        }
        match self.steps.admit_challenge(&take, challenge, now).await? {
            Reservation::Taken(decisions) => Ok(counters
                .per_ip
                .as_ref()
                .and_then(|_| decisions.first().copied())),
            Reservation::Refused { by, decision } => {
                if let (Refuser::Take(i), Some(phone)) = (by, texted)
                    && i >= limits
                {
                    self.sms_quota_refused(phone, i == limits);
                }
                Err(StartError::RateLimited(decision))
            }
        }
    }
}
