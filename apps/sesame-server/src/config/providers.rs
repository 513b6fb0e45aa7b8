//! `[email]` and `[sms]`: which provider delivers, and the providers' own
//! sections. Those are the adapters' config types, so their keys, defaults
//! and checks live with the adapters; a section for a provider that is not
//! chosen is still parsed and checked, but not used.

use serde::Deserialize;
pub use sesame_delivery_smtp::SmtpConfig;
pub use sesame_delivery_sns::SnsConfig;
pub use sesame_delivery_webhook::WebhookConfig;

use super::ConfigError;

/// `[email]`
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EmailSettings {
    /// Which provider sends email.
    pub provider: EmailProvider,
    /// The From header.
    pub from: String,
    /// `[email.smtp]`
    pub smtp: Option<SmtpConfig>,
    /// `[email.webhook]`
    pub webhook: Option<WebhookConfig>,
}

impl Default for EmailSettings {
    fn default() -> Self {
        Self {
            provider: EmailProvider::default(),
            from: "Sesame <no-reply@localhost>".into(),
            smtp: None,
            webhook: None,
        }
    }
}

/// `[email] provider`
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EmailProvider {
    /// Printed to standard error: development only.
    #[default]
    Console,
    /// `[email.smtp]`
    Smtp,
    /// `[email.webhook]`
    Webhook,
}

/// The email provider `[email]` chose, with its section.
#[derive(Debug, Clone)]
pub enum ChosenEmail {
    /// Printed to standard error.
    Console,
    /// Sent over SMTP.
    Smtp(SmtpConfig),
    /// Posted to a webhook.
    Webhook(WebhookConfig),
}

impl EmailSettings {
    /// The chosen provider with its section.
    ///
    /// # Errors
    /// [`ConfigError::Value`] naming the chosen provider's missing section.
    pub fn chosen(&self) -> Result<ChosenEmail, ConfigError> {
        Ok(match self.provider {
            EmailProvider::Console => ChosenEmail::Console,
            EmailProvider::Smtp => {
                ChosenEmail::Smtp(required("email", "smtp", self.smtp.as_ref())?)
            }
            EmailProvider::Webhook => {
                ChosenEmail::Webhook(required("email", "webhook", self.webhook.as_ref())?)
            }
        })
    }
}

/// `[sms]`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmsSettings {
    /// Which provider sends text messages.
    pub provider: SmsProvider,
    /// `[sms.sns]`; optional even when chosen, as every key has a default.
    pub sns: Option<SnsConfig>,
    /// `[sms.webhook]`
    pub webhook: Option<WebhookConfig>,
}

/// `[sms] provider`
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmsProvider {
    /// Printed to standard error: development only.
    #[default]
    Console,
    /// `[sms.sns]`
    Sns,
    /// `[sms.webhook]`
    Webhook,
}

/// The SMS provider `[sms]` chose, with its section.
#[derive(Debug, Clone)]
pub enum ChosenSms {
    /// Printed to standard error.
    Console,
    /// Published through Amazon SNS.
    Sns(SnsConfig),
    /// Posted to a webhook.
    Webhook(WebhookConfig),
}

impl SmsSettings {
    /// The chosen provider with its section.
    ///
    /// # Errors
    /// [`ConfigError::Value`] naming the chosen provider's missing section.
    pub fn chosen(&self) -> Result<ChosenSms, ConfigError> {
        Ok(match self.provider {
            SmsProvider::Console => ChosenSms::Console,
            SmsProvider::Sns => ChosenSms::Sns(self.sns.clone().unwrap_or_default()),
            SmsProvider::Webhook => {
                ChosenSms::Webhook(required("sms", "webhook", self.webhook.as_ref())?)
            }
        })
    }
}

impl EmailProvider {
    /// The name `[email] provider` gives it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Console => "console",
            Self::Smtp => "smtp",
            Self::Webhook => "webhook",
        }
    }
}

impl SmsProvider {
    /// The name `[sms] provider` gives it.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Console => "console",
            Self::Sns => "sns",
            Self::Webhook => "webhook",
        }
    }
}

/// The chosen provider's section `[<channel>.<key>]`, which must be there.
fn required<T: Clone>(channel: &str, key: &str, section: Option<&T>) -> Result<T, ConfigError> {
    section.cloned().ok_or_else(|| {
        ConfigError::value(
            format!("{channel}.{key}"),
            format!("this section is required by {channel}.provider"),
        )
    })
}
