//! The `[sms.sns]` section of the server's configuration.

use std::time::Duration;

use serde::Deserialize;

/// How long a send may take when `timeout_secs` is not configured.
pub const DEFAULT_TIMEOUT_SECS: u64 = 10;

/// The most attempts one send makes (the first one and one retry).
pub const MAX_ATTEMPTS: u32 = 2;

/// The longest a single TCP/TLS connect may take, whatever the total budget.
const MAX_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);

/// Settings for [`crate::SnsSender`].
///
/// Every field is optional: an empty `[sms.sns]` section sends through the
/// region and credentials of the standard AWS chain (environment, profile,
/// web identity, ECS or EC2 instance role).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SnsConfig {
    /// AWS region, e.g. `eu-west-1`; when absent, the AWS chain decides
    /// (`AWS_REGION`, the profile, the instance metadata).
    pub region: Option<String>,
    /// Endpoint URL override, for emulators such as moto
    /// (`http://127.0.0.1:5005`) or VPC endpoints.
    pub endpoint: Option<String>,
    /// Alphanumeric sender id (`AWS.SNS.SMS.SenderID`), where the
    /// destination country allows one.
    pub sender_id: Option<String>,
    /// Origination number in E.164 form (`AWS.MM.SMS.OriginationNumber`).
    pub origination_number: Option<String>,
    /// The most one send may take, retries included, in seconds (at least 1).
    pub timeout_secs: u64,
}

impl Default for SnsConfig {
    fn default() -> Self {
        Self {
            region: None,
            endpoint: None,
            sender_id: None,
            origination_number: None,
            timeout_secs: DEFAULT_TIMEOUT_SECS,
        }
    }
}

impl SnsConfig {
    /// The whole budget of one send, every attempt and backoff included.
    #[must_use]
    pub const fn operation_timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// The budget of one attempt: an equal share of the operation's, so
    /// that every attempt fits in it.
    #[must_use]
    pub fn attempt_timeout(&self) -> Duration {
        self.operation_timeout() / MAX_ATTEMPTS
    }

    /// How long opening a connection may take.
    #[must_use]
    pub fn connect_timeout(&self) -> Duration {
        self.attempt_timeout().min(MAX_CONNECT_TIMEOUT)
    }

    /// Checks what serde cannot.
    ///
    /// # Errors
    /// [`SnsConfigError::ZeroTimeout`] or [`SnsConfigError::Empty`].
    pub fn validate(&self) -> Result<(), SnsConfigError> {
        if self.timeout_secs == 0 {
            return Err(SnsConfigError::ZeroTimeout);
        }
        let fields = [
            ("region", &self.region),
            ("endpoint", &self.endpoint),
            ("sender_id", &self.sender_id),
            ("origination_number", &self.origination_number),
        ];
        for (name, value) in fields {
            if value.as_deref().is_some_and(|v| v.trim().is_empty()) {
                return Err(SnsConfigError::Empty(name));
            }
        }
        Ok(())
    }
}

/// The SNS sender could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SnsConfigError {
    /// `timeout_secs` was 0.
    #[error("sms.sns.timeout_secs must be at least 1")]
    ZeroTimeout,
    /// A key was present but blank.
    #[error("sms.sns.{0} must not be empty; leave it out instead")]
    Empty(&'static str),
    /// Neither the configuration nor the AWS chain named a region.
    #[error("no AWS region: set sms.sns.region or AWS_REGION")]
    NoRegion,
    /// The SDK refused to build a request part.
    #[error("invalid SNS setting: {0}")]
    Invalid(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_attempt_fits_in_the_operation_budget() {
        let c = SnsConfig {
            timeout_secs: 5,
            ..SnsConfig::default()
        };
        assert!(c.attempt_timeout() * MAX_ATTEMPTS <= c.operation_timeout());
        assert!(c.connect_timeout() <= c.attempt_timeout());
    }

    #[test]
    fn the_server_keys_deserialize_and_unknown_ones_are_refused() {
        let c: SnsConfig = serde_json::from_str(
            r#"{"region": "eu-west-1", "endpoint": "http://127.0.0.1:5005",
                "sender_id": "Sesame", "origination_number": "+15555550100",
                "timeout_secs": 4}"#,
        )
        .unwrap();
        assert_eq!(c.region.as_deref(), Some("eu-west-1"));
        assert_eq!(c.endpoint.as_deref(), Some("http://127.0.0.1:5005"));
        assert_eq!(c.sender_id.as_deref(), Some("Sesame"));
        assert_eq!(c.origination_number.as_deref(), Some("+15555550100"));
        assert_eq!(c.timeout_secs, 4);
        let empty: SnsConfig = serde_json::from_str("{}").unwrap();
        assert_eq!(empty, SnsConfig::default());
        assert!(serde_json::from_str::<SnsConfig>(r#"{"regoin": "x"}"#).is_err());
    }

    #[test]
    fn a_zero_timeout_or_a_blank_key_is_refused() {
        let zero = SnsConfig {
            timeout_secs: 0,
            ..SnsConfig::default()
        };
        assert!(matches!(zero.validate(), Err(SnsConfigError::ZeroTimeout)));
        let blank = SnsConfig {
            sender_id: Some(" ".into()),
            ..SnsConfig::default()
        };
        assert!(matches!(
            blank.validate(),
            Err(SnsConfigError::Empty("sender_id"))
        ));
        assert!(SnsConfig::default().validate().is_ok());
    }
}
