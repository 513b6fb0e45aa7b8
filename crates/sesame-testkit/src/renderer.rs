//! [`BareRenderer`]: messages that carry the facts and no prose, for tests
//! that read the code or the link out of what was sent. Real texts, in every
//! language, are `sesame-templates`' business.

use sesame_domain::message::{EmailMessage, MessageContext, MessageMeta, SmsMessage};
use sesame_domain::ports::{MessageRenderer, RenderError};
use sesame_domain::recipient::Recipient;

/// Renders each message as its code first, then the facts a test may look
/// for, one `name: value` line each. Text only: emails have no HTML part.
/// Tagged `en`, the language of the labels.
///
/// The code leads the subject and the SMS body, so
/// [`SentMessage::code`](crate::SentMessage::code) finds it whatever the
/// application is called; the link is on a line of its own, so
/// [`SentMessage::link`](crate::SentMessage::link) finds it too.
#[derive(Debug, Clone, Copy, Default)]
pub struct BareRenderer;

impl BareRenderer {
    /// The `name: value` lines of `ctx`.
    fn facts(ctx: &MessageContext) -> String {
        let mut text = format!(
            "code: {}\napplication: {}\nsend: {}\noperation: {}\nexpires_in_minutes: {}\n",
            ctx.code.expose(),
            ctx.application_name,
            ctx.send.as_str(),
            ctx.operation.as_str(),
            ctx.expires_in_minutes
        );
        if let Some(link) = &ctx.link {
            text.push_str("link: ");
            text.push_str(link);
            text.push('\n');
        }
        text
    }
}

impl MessageRenderer for BareRenderer {
    fn render_email(&self, ctx: &MessageContext) -> Result<EmailMessage, RenderError> {
        let Recipient::Email(to) = &ctx.recipient else {
            return Err(RenderError::WrongConnection);
        };
        Ok(EmailMessage {
            to: to.clone(),
            subject: format!("{} {}", ctx.code.expose(), ctx.application_name),
            text: Self::facts(ctx),
            html: None,
            locale: "en".to_owned(),
            meta: MessageMeta::of(ctx),
        })
    }

    fn render_sms(&self, ctx: &MessageContext) -> Result<SmsMessage, RenderError> {
        let Recipient::Sms(to) = &ctx.recipient else {
            return Err(RenderError::WrongConnection);
        };
        Ok(SmsMessage {
            to: to.clone(),
            body: format!("{} {}", ctx.code.expose(), ctx.application_name),
            locale: "en".to_owned(),
            meta: MessageMeta::of(ctx),
        })
    }
}
