//! Choosing the email and SMS providers and the message templates.

use std::sync::Arc;

use anyhow::{Context as _, bail};
use sesame_delivery_console::ConsoleSender;
use sesame_delivery_smtp::SmtpSender;
use sesame_delivery_sns::SnsSender;
use sesame_delivery_webhook::{WebhookConfig, WebhookSender};
use sesame_domain::ports::{EmailSender, MessageRenderer, PageRenderer, SmsSender};
use sesame_templates::LiquidRenderer;

use crate::config::Settings;

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
/// An unknown provider, or one whose section is missing or invalid.
pub async fn build(settings: &Settings) -> anyhow::Result<Delivery> {
    let console = Arc::new(ConsoleSender::stderr());
    let mut on_console = Vec::new();
    let email: Arc<dyn EmailSender> = match settings.email.provider.as_str() {
        "console" => {
            on_console.push("email");
            console.clone()
        }
        "webhook" => webhook("email", settings.email.webhook.as_ref())?,
        "smtp" => {
            let config = settings
                .email
                .smtp
                .as_ref()
                .context("email.provider = \"smtp\" needs an [email.smtp] section")?;
            Arc::new(SmtpSender::new(config, &settings.email.from).context("email.smtp")?)
        }
        other => bail!("email.provider: unknown provider {other:?} (console, smtp or webhook)"),
    };
    let sms: Arc<dyn SmsSender> = match settings.sms.provider.as_str() {
        "console" => {
            on_console.push("sms");
            console
        }
        "webhook" => webhook("sms", settings.sms.webhook.as_ref())?,
        "sns" => {
            let config = settings.sms.sns.clone().unwrap_or_default();
            Arc::new(SnsSender::from_config(&config).await.context("sms.sns")?)
        }
        other => bail!("sms.provider: unknown provider {other:?} (console, sns or webhook)"),
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
            settings.email.provider, settings.sms.provider
        ),
    })
}

/// A webhook sender from `[<section>.webhook]`.
fn webhook(section: &str, config: Option<&WebhookConfig>) -> anyhow::Result<Arc<WebhookSender>> {
    let config = config.with_context(|| {
        format!("{section}.provider = \"webhook\" needs a [{section}.webhook] section")
    })?;
    Ok(Arc::new(
        WebhookSender::new(config).with_context(|| format!("{section}.webhook"))?,
    ))
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
