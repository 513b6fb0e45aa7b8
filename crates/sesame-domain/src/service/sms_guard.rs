//! The SMS pumping guard: who may be sent a text, and how many.
//!
//! Toll fraud ("SMS pumping") makes a server send codes to premium ranges
//! the attacker is paid for. Nobody enters those codes. So, on top of the
//! per-IP and per-recipient limits, texts are refused:
//! - to a country the operator has not enabled (no store touched);
//! - past a quota per destination prefix (`+1555`) and per deployment;
//! - to a prefix whose codes are not being redeemed: at least
//!   `conversion_min_sent` sent this hour and less than `min_conversion` of
//!   them redeemed.
//!
//! Every counter lives behind the [`RateLimiter`](crate::ports::RateLimiter)
//! port, so the limits hold across instances. The windows are the limiter's
//! fixed hours. Refusals log the prefix, never the number.

use std::time::Duration;

use super::Passwordless;
use super::errors::StartError;
use crate::phone_region::CountryCode;
use crate::rate_limit::{RateKey, RateLimit, Refuser, Reservation};
use crate::recipient::PhoneNumber;
use crate::time::Timestamp;

const HOUR: Duration = Duration::from_secs(3600);

/// A rule that only counts: its peek tells the count, never refuses.
const COUNT_ONLY: RateLimit = RateLimit::new(u32::MAX, HOUR);

/// The guard's settings (`[sms_guard]`).
#[derive(Debug, Clone, PartialEq)]
pub struct SmsGuardConfig {
    /// Countries texts may go to; empty: every number, including those
    /// whose country is unknown. With a list, a number whose country
    /// cannot be found is refused.
    pub allowed_countries: Vec<CountryCode>,
    /// Texts per destination prefix (default 30 an hour).
    pub per_prefix: RateLimit,
    /// Texts for the whole deployment (default 1000 an hour).
    pub global: RateLimit,
    /// Share of a prefix's codes that must be redeemed (default 0.2) once
    /// it has been sent [`conversion_min_sent`](Self::conversion_min_sent).
    pub min_conversion: f64,
    /// Codes a prefix must have been sent this hour before its conversion
    /// is judged (default 20).
    pub conversion_min_sent: u32,
}

impl SmsGuardConfig {
    /// Default [`per_prefix`](Self::per_prefix): 30 an hour.
    pub const DEFAULT_PER_PREFIX: RateLimit = RateLimit::new(30, HOUR);
    /// Default [`global`](Self::global): 1000 an hour.
    pub const DEFAULT_GLOBAL: RateLimit = RateLimit::new(1000, HOUR);
    /// Default [`min_conversion`](Self::min_conversion).
    pub const DEFAULT_MIN_CONVERSION: f64 = 0.2;
    /// Default [`conversion_min_sent`](Self::conversion_min_sent).
    pub const DEFAULT_CONVERSION_MIN_SENT: u32 = 20;
}

impl Default for SmsGuardConfig {
    fn default() -> Self {
        Self {
            allowed_countries: Vec::new(),
            per_prefix: Self::DEFAULT_PER_PREFIX,
            global: Self::DEFAULT_GLOBAL,
            min_conversion: Self::DEFAULT_MIN_CONVERSION,
            conversion_min_sent: Self::DEFAULT_CONVERSION_MIN_SENT,
        }
    }
}

impl Passwordless {
    /// Refuses a number outside the allowed countries. Touches no store,
    /// so it runs before any counter.
    pub(super) fn sms_country_allowed(&self, phone: &PhoneNumber) -> Result<(), StartError> {
        let allowed = &self.config.sms_guard.allowed_countries;
        if allowed.is_empty() {
            return Ok(());
        }
        match phone.country() {
            Some(c) if allowed.contains(&c) => Ok(()),
            country => {
                tracing::warn!(
                    prefix = %phone.destination_prefix(),
                    country = country.as_ref().map_or("unknown", CountryCode::as_str),
                    "sms guard: country not enabled"
                );
                Err(StartError::SmsCountryNotAllowed)
            }
        }
    }

    /// Takes one text from the prefix's and the deployment's quotas, unless
    /// the prefix's codes are not being redeemed. Called once the text is
    /// sure to be sent, so starts that send nothing spend nothing.
    pub(super) async fn sms_quota(
        &self,
        phone: &PhoneNumber,
        now: Timestamp,
    ) -> Result<(), StartError> {
        self.sms_conversion(phone, now).await?;
        let key = self.sms_prefix_key(phone);
        let take = self.sms_quota_keys(&key);
        match self.ports.rate_limiter.reserve_all(&take, &[], now).await? {
            Reservation::Taken(_) => Ok(()),
            Reservation::Refused { by, decision } => {
                self.sms_quota_refused(phone, by == Refuser::Take(0));
                Err(StartError::RateLimited(decision))
            }
        }
    }

    /// Refuses a text to `phone` when its prefix has sent enough codes this
    /// hour to judge and too few of them were redeemed. Reads, never counts.
    pub(super) async fn sms_conversion(
        &self,
        phone: &PhoneNumber,
        now: Timestamp,
    ) -> Result<(), StartError> {
        let g = &self.config.sms_guard;
        let prefix = phone.destination_prefix();
        let sent = self.sms_count("sms:sent", &prefix, now).await?;
        if sent >= u64::from(g.conversion_min_sent) {
            let redeemed = self.sms_count("sms:redeemed", &prefix, now).await?;
            #[expect(
                clippy::cast_precision_loss,
                reason = "hourly counts are far below 2^52"
            )]
            let ratio = redeemed as f64 / sent as f64;
            if ratio < g.min_conversion {
                tracing::warn!(%prefix, sent, redeemed, "sms guard: codes to this prefix are not being redeemed; refused");
                let d = g
                    .per_prefix
                    .decide(&g.per_prefix.window_at(now), u64::MAX, true);
                return Err(StartError::RateLimited(d));
            }
        }
        Ok(())
    }

    /// The counter of texts to `phone`'s prefix.
    pub(super) fn sms_prefix_key(&self, phone: &PhoneNumber) -> String {
        self.macs
            .rate_key("sms:prefix", &phone.destination_prefix())
    }

    /// The prefix's quota (counter `prefix_key`) and the deployment's, in
    /// that order: taken together, so over either, neither counts.
    pub(super) fn sms_quota_keys<'a>(&self, prefix_key: &'a str) -> [RateKey<'a>; 2] {
        let g = &self.config.sms_guard;
        [
            RateKey::new(prefix_key, g.per_prefix),
            RateKey::new("sms:global", g.global),
        ]
    }

    /// Logs which quota refused a text to `phone`.
    pub(super) fn sms_quota_refused(&self, phone: &PhoneNumber, by_prefix: bool) {
        let prefix = phone.destination_prefix();
        if by_prefix {
            tracing::warn!(%prefix, "sms guard: per-prefix quota reached; refused");
        } else {
            tracing::warn!(%prefix, "sms guard: deployment-wide quota reached; refused");
        }
    }

    /// Counts a code delivered to `phone`'s prefix, for its conversion.
    /// Best effort: the text is already on its way.
    pub(super) async fn sms_delivered(&self, phone: &PhoneNumber, now: Timestamp) {
        self.sms_bump("sms:sent", phone, now).await;
    }

    /// Counts a code sent to `phone` that was redeemed. Best effort: the
    /// user has proved who they are, and a lost count only makes the guard
    /// stricter.
    pub(crate) async fn sms_redeemed(&self, phone: &PhoneNumber, now: Timestamp) {
        self.sms_bump("sms:redeemed", phone, now).await;
    }

    async fn sms_bump(&self, what: &str, phone: &PhoneNumber, now: Timestamp) {
        let prefix = phone.destination_prefix();
        let key = self.macs.rate_key(what, &prefix);
        if let Err(e) = self.ports.rate_limiter.hit(&key, COUNT_ONLY, now).await {
            tracing::warn!(%prefix, error = %e, "sms guard: could not count ({what})");
        }
    }

    /// This hour's count of `what` for `prefix`.
    async fn sms_count(&self, what: &str, prefix: &str, now: Timestamp) -> Result<u64, StartError> {
        let key = self.macs.rate_key(what, prefix);
        let d = self.ports.rate_limiter.peek(&key, COUNT_ONLY, now).await?;
        Ok(u64::from(COUNT_ONLY.limit - d.remaining))
    }
}
