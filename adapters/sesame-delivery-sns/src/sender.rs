//! [`SnsSender`]: one `Publish` straight to the phone number per message.

use std::collections::HashMap;
use std::fmt;

use async_trait::async_trait;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, ConfigLoader, Region};
use aws_sdk_sns::Client;
use aws_sdk_sns::types::MessageAttributeValue;
use sesame_domain::message::{DeliveryReceipt, SmsMessage};
use sesame_domain::ports::{DeliveryError, SmsSender};

use crate::config::{MAX_ATTEMPTS, SnsConfig, SnsConfigError};
use crate::errors::map_publish_error;

/// The message attribute that makes SNS route a message as a one-time
/// code (highest reliability) rather than marketing.
pub const SMS_TYPE_ATTRIBUTE: &str = "AWS.SNS.SMS.SMSType";
/// The message attribute carrying [`SnsConfig::sender_id`].
pub const SENDER_ID_ATTRIBUTE: &str = "AWS.SNS.SMS.SenderID";
/// The message attribute carrying [`SnsConfig::origination_number`].
pub const ORIGINATION_NUMBER_ATTRIBUTE: &str = "AWS.MM.SMS.OriginationNumber";

/// Sends text messages with Amazon SNS `Publish(PhoneNumber=…)`.
///
/// Cheap to share: it holds one SDK client with its connection pool.
/// Neither the number nor the body is ever logged or put in an error.
#[derive(Clone)]
pub struct SnsSender {
    client: Client,
    attributes: HashMap<String, MessageAttributeValue>,
}

impl fmt::Debug for SnsSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let region = self.client.config().region().map(Region::as_ref);
        f.debug_struct("SnsSender")
            .field("region", &region)
            .finish_non_exhaustive()
    }
}

impl SnsSender {
    /// A sender with the standard AWS chain for the region and credentials,
    /// `config` applied on top.
    ///
    /// # Errors
    /// [`SnsConfigError`] when `config` is invalid or no region is known.
    pub async fn from_config(config: &SnsConfig) -> Result<Self, SnsConfigError> {
        Self::from_loader(aws_config::defaults(BehaviorVersion::latest()), config).await
    }

    /// Like [`SnsSender::from_config`], starting from the caller's
    /// `loader` (say, with explicit credentials). `config`'s region,
    /// endpoint, timeouts and retry limit override the loader's.
    ///
    /// # Errors
    /// [`SnsConfigError`] when `config` is invalid or no region is known.
    pub async fn from_loader(
        loader: ConfigLoader,
        config: &SnsConfig,
    ) -> Result<Self, SnsConfigError> {
        config.validate()?;
        let loader = match &config.region {
            // Set before loading, so the chain does not go looking for one.
            Some(region) => loader.region(Region::new(region.clone())),
            None => loader,
        };
        let sdk = loader.load().await;
        let timeouts = TimeoutConfig::builder()
            .operation_timeout(config.operation_timeout())
            .operation_attempt_timeout(config.attempt_timeout())
            .connect_timeout(config.connect_timeout())
            .build();
        let mut builder = aws_sdk_sns::config::Builder::from(&sdk)
            .timeout_config(timeouts)
            .retry_config(RetryConfig::standard().with_max_attempts(MAX_ATTEMPTS));
        if let Some(endpoint) = &config.endpoint {
            check_endpoint(endpoint)?;
            builder = builder.endpoint_url(endpoint);
        }
        let conf = builder.build();
        if conf.region().is_none() {
            return Err(SnsConfigError::NoRegion);
        }
        Ok(Self {
            client: Client::from_conf(conf),
            attributes: attributes(config)?,
        })
    }
}

#[async_trait]
impl SmsSender for SnsSender {
    async fn send_sms(&self, message: &SmsMessage) -> Result<DeliveryReceipt, DeliveryError> {
        let out = self
            .client
            .publish()
            .phone_number(message.to.as_str())
            .message(&message.body)
            .set_message_attributes(Some(self.attributes.clone()))
            .send()
            .await
            .map_err(|e| {
                let secrets = [
                    message.to.as_str(),
                    message.body.as_str(),
                    message.meta.code.expose(),
                ];
                map_publish_error(e, &secrets)
            })?;
        Ok(DeliveryReceipt {
            provider_message_id: out.message_id,
        })
    }
}

/// The attributes every message carries.
fn attributes(
    config: &SnsConfig,
) -> Result<HashMap<String, MessageAttributeValue>, SnsConfigError> {
    let mut map = HashMap::new();
    let pairs = [
        (SMS_TYPE_ATTRIBUTE, Some("Transactional")),
        (SENDER_ID_ATTRIBUTE, config.sender_id.as_deref()),
        (
            ORIGINATION_NUMBER_ATTRIBUTE,
            config.origination_number.as_deref(),
        ),
    ];
    for (name, value) in pairs {
        if let Some(value) = value {
            let attr = MessageAttributeValue::builder()
                .data_type("String")
                .string_value(value.trim())
                .build()
                .map_err(|e| SnsConfigError::Invalid(e.to_string()))?;
            map.insert(name.to_owned(), attr);
        }
    }
    Ok(map)
}

/// Refuses an endpoint that is not an absolute `http(s)` URL now, rather
/// than failing every send later.
fn check_endpoint(endpoint: &str) -> Result<(), SnsConfigError> {
    let url =
        url::Url::parse(endpoint).map_err(|e| SnsConfigError::Invalid(format!("endpoint: {e}")))?;
    if matches!(url.scheme(), "http" | "https") && url.has_host() {
        Ok(())
    } else {
        Err(SnsConfigError::Invalid(
            "endpoint must be an http:// or https:// URL".to_owned(),
        ))
    }
}
