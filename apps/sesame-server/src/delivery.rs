//! Choosing the email and SMS providers and the message templates.

use std::sync::Arc;

use anyhow::bail;
use sesame_delivery_console::ConsoleSender;
use sesame_domain::ports::{EmailSender, MessageRenderer, SmsSender};
use sesame_domain::render::PlainRenderer;

use crate::config::Settings;

/// The chosen providers.
pub struct Delivery {
    /// Email provider.
    pub email: Arc<dyn EmailSender>,
    /// SMS provider.
    pub sms: Arc<dyn SmsSender>,
    /// Templates.
    pub renderer: Arc<dyn MessageRenderer>,
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
        other => bail!("email.provider: unknown provider {other:?} (console, smtp or webhook)"),
    };
    let sms: Arc<dyn SmsSender> = match settings.sms.provider.as_str() {
        "console" => {
            on_console.push("sms");
            console
        }
        other => bail!("sms.provider: unknown provider {other:?} (console, sns or webhook)"),
    };
    Ok(Delivery {
        email,
        sms,
        renderer: Arc::new(PlainRenderer),
        console: on_console,
        description: format!(
            "email: {}, sms: {}",
            settings.email.provider, settings.sms.provider
        ),
    })
}
