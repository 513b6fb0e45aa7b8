//! The built-in English message texts, used when no template adapter is
//! plugged in. Deliberately plain: no tracking, no remote images.

use crate::challenge::SendMode;
use crate::message::{EmailMessage, MessageContext, MessageMeta, SmsMessage};
use crate::ports::{MessageRenderer, RenderError};
use crate::recipient::Recipient;

/// Renders short English messages with the code first.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainRenderer;

impl MessageRenderer for PlainRenderer {
    fn render_email(&self, ctx: &MessageContext) -> Result<EmailMessage, RenderError> {
        let Recipient::Email(to) = &ctx.recipient else {
            return Err(RenderError::WrongConnection);
        };
        let code = ctx.code.expose();
        let app = &ctx.application_name;
        let minutes = ctx.expires_in_minutes;
        let subject = match ctx.send {
            SendMode::Code => format!("{code} is your {app} verification code"),
            SendMode::Link => format!("Your {app} sign-in link"),
        };
        let mut text = format!(
            "Your {app} verification code is {code}.\n\nIt expires in {minutes} minutes.\n"
        );
        if let Some(link) = &ctx.link {
            text.push_str(&format!("\nOr sign in with this link:\n{link}\n"));
        }
        text.push_str("\nIf you did not ask for this, you can ignore this email.\n");
        Ok(EmailMessage {
            to: to.clone(),
            subject,
            text,
            html: None,
            locale: "en".to_owned(),
            meta: MessageMeta::of(ctx),
        })
    }

    fn render_sms(&self, ctx: &MessageContext) -> Result<SmsMessage, RenderError> {
        let Recipient::Sms(to) = &ctx.recipient else {
            return Err(RenderError::WrongConnection);
        };
        let body = format!(
            "{} is your {} verification code. It expires in {} minutes.",
            ctx.code.expose(),
            ctx.application_name,
            ctx.expires_in_minutes
        );
        Ok(SmsMessage {
            to: to.clone(),
            body,
            locale: "en".to_owned(),
            meta: MessageMeta::of(ctx),
        })
    }
}
