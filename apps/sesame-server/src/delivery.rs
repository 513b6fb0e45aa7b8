//! Choosing the email and SMS providers and the message templates.

use std::sync::Arc;

use anyhow::Context as _;
use sesame_delivery_console::ConsoleSender;
use sesame_delivery_smtp::SmtpSender;
use sesame_delivery_sns::SnsSender;
use sesame_delivery_webhook::WebhookSender;
use sesame_domain::ports::{EmailSender, MessageRenderer, PageRenderer, SmsSender};
use sesame_templates::LiquidRenderer;

use crate::config::{ChosenEmail, ChosenSms, Settings};

/// The chosen providers.
pub struct Delivery {
    /// Email provider.
    pub email: Arc<dyn EmailSender>,
    /// SMS provider.
    pub sms: Arc<dyn SmsSender>,
    /// Templates.
    pub renderer: Arc<dyn MessageRenderer>,
    /// The magic-link confirm and error pages.
    pub pages: Arc<dyn PageRenderer>,
    /// Which providers print to the console (development only).
    pub console: Vec<&'static str>,
    /// For the banner.
    pub description: String,
}

/// Builds the providers `settings` names.
///
/// # Errors
/// The chosen provider's section is missing or invalid.
pub async fn build(settings: &Settings) -> anyhow::Result<Delivery> {
    let console = Arc::new(ConsoleSender::stderr());
    let mut on_console = Vec::new();
    let email: Arc<dyn EmailSender> = match settings.email.chosen()? {
        ChosenEmail::Console => {
            on_console.push("email");
            console.clone()
        }
        ChosenEmail::Smtp(config) => {
            Arc::new(SmtpSender::new(&config, &settings.email.from).context("email.smtp")?)
        }
        ChosenEmail::Webhook(config) => {
            Arc::new(WebhookSender::new(&config).context("email.webhook")?)
        }
    };
    let sms: Arc<dyn SmsSender> = match settings.sms.chosen()? {
        ChosenSms::Console => {
            on_console.push("sms");
            console
        }
        ChosenSms::Sns(config) => {
            Arc::new(SnsSender::from_config(&config).await.context("sms.sns")?)
        }
        ChosenSms::Webhook(config) => Arc::new(WebhookSender::new(&config).context("sms.webhook")?),
    };
    Ok(Delivery {
        email,
        sms,
        renderer: renderer(settings)?,
        pages: Arc::new(
            sesame_templates::HtmlPages::new(
                settings
                    .templates
                    .as_ref()
                    .and_then(|t| t.default_locale.as_deref())
                    .unwrap_or("en"),
            )
            .context("templates.default_locale")?,
        ),
        console: on_console,
        description: format!(
            "email: {}, sms: {}",
            settings.email.provider.name(),
            settings.sms.provider.name()
        ),
    })
}

/// The built-in templates (en, de, fr, es), with `[templates] dir`
/// overrides when configured.
fn renderer(settings: &Settings) -> anyhow::Result<Arc<dyn MessageRenderer>> {
    let t = settings.templates.as_ref();
    let locale = t.and_then(|t| t.default_locale.as_deref()).unwrap_or("en");
    let r = match t {
        Some(t) => LiquidRenderer::from_dir(&t.dir, locale).context("templates.dir")?,
        None => LiquidRenderer::new(locale).context("templates.default_locale")?,
    };
    Ok(Arc::new(r))
}
