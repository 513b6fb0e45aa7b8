//! `[sms_guard]`: the SMS pumping guard's settings, and how they become the
//! domain's `SmsGuardConfig`. Defaults come from the domain.

use std::time::Duration;

use serde::Deserialize;
use sesame_domain::service::SmsGuardConfig;
use sesame_domain::{CountryCode, RateLimit};

use super::ConfigError;

const HOUR: Duration = Duration::from_secs(3600);

/// `[sms_guard]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsGuardSettings {
    /// ISO 3166 alpha-2 codes texts may go to; empty: all.
    pub allowed_countries: Vec<String>,
    /// Texts per destination prefix (country code + 3 digits) per hour.
    pub per_prefix_per_hour: u32,
    /// Texts per hour for the whole deployment.
    pub global_per_hour: u32,
    /// Share of a prefix's codes that must be redeemed, 0 to 1.
    pub min_conversion: f64,
    /// Codes a prefix must have been sent this hour before its conversion
    /// is judged.
    pub conversion_min_sent: u32,
}

impl Default for SmsGuardSettings {
    fn default() -> Self {
        Self {
            allowed_countries: Vec::new(),
            per_prefix_per_hour: SmsGuardConfig::DEFAULT_PER_PREFIX.limit,
            global_per_hour: SmsGuardConfig::DEFAULT_GLOBAL.limit,
            min_conversion: SmsGuardConfig::DEFAULT_MIN_CONVERSION,
            conversion_min_sent: SmsGuardConfig::DEFAULT_CONVERSION_MIN_SENT,
        }
    }
}

impl SmsGuardSettings {
    /// The domain's guard.
    ///
    /// # Errors
    /// [`ConfigError::Value`] naming the key: an unknown country, a zero
    /// quota, a share outside 0–1.
    pub fn resolve(&self) -> Result<SmsGuardConfig, ConfigError> {
        let allowed_countries = self
            .allowed_countries
            .iter()
            .enumerate()
            .map(|(i, c)| {
                CountryCode::parse(c)
                    .map_err(|e| ConfigError::value(format!("sms_guard.allowed_countries[{i}]"), e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let at_least_1 = |key: &str, v: u32| {
            if v == 0 {
                Err(ConfigError::value(
                    format!("sms_guard.{key}"),
                    "must be at least 1",
                ))
            } else {
                Ok(v)
            }
        };
        if !(0.0..=1.0).contains(&self.min_conversion) {
            return Err(ConfigError::value(
                "sms_guard.min_conversion",
                "must be between 0 and 1",
            ));
        }
        Ok(SmsGuardConfig {
            allowed_countries,
            per_prefix: RateLimit::new(
                at_least_1("per_prefix_per_hour", self.per_prefix_per_hour)?,
                HOUR,
            ),
            global: RateLimit::new(at_least_1("global_per_hour", self.global_per_hour)?, HOUR),
            min_conversion: self.min_conversion,
            conversion_min_sent: at_least_1("conversion_min_sent", self.conversion_min_sent)?,
        })
    }
}
