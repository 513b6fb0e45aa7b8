//! [`LiquidRenderer`]: the domain's `MessageRenderer` on Liquid templates.

use std::fmt;
use std::path::Path;

use liquid::model::Value;
use liquid::{Object, Template};
use sesame_domain::challenge::SendMode;
use sesame_domain::message::{EmailMessage, MessageContext, MessageMeta, SmsMessage};
use sesame_domain::ports::{MessageRenderer, RenderError};
use sesame_domain::recipient::Recipient;

use crate::catalog::{Catalog, Compiled, Entry};
use crate::error::LoadError;
use crate::kind::TemplateKind;
use crate::{builtin, escape, locale};

/// Renders messages from Liquid templates, parsed once at construction.
///
/// The language is negotiated per message: the request's locale (`fr-CA`),
/// then its shorter forms (`fr`), then the default locale, then English.
pub struct LiquidRenderer {
    catalog: Catalog,
    /// Normalized (lower-case) default locale.
    default_locale: String,
}

impl LiquidRenderer {
    /// The locales every built-in template is written in.
    pub const BUILTIN_LOCALES: [&'static str; 4] = builtin::LOCALES;

    /// The built-in templates only, with `default_locale` (e.g. `"en"`) for
    /// requests that name no language the templates have.
    ///
    /// # Errors
    /// [`LoadError::BadLocale`] when `default_locale` is not a language tag.
    pub fn new(default_locale: &str) -> Result<Self, LoadError> {
        let default_locale = locale::normalize(default_locale)
            .ok_or_else(|| LoadError::BadLocale(default_locale.to_owned()))?;
        Ok(Self {
            catalog: Catalog::builtin()?,
            default_locale,
        })
    }

    /// The built-in templates with English as the default.
    ///
    /// # Errors
    /// None in practice: the built-ins are tested to parse.
    pub fn builtin() -> Result<Self, LoadError> {
        Self::new(locale::LAST_RESORT)
    }

    /// The built-ins, overridden and extended by the `email_code.<locale>.liquid`,
    /// `email_link.<locale>.liquid` and `sms_code.<locale>.liquid` files in
    /// `dir` (format in the crate README). Anything the directory lacks
    /// falls back to the built-ins.
    ///
    /// # Errors
    /// [`LoadError`] naming the file when the directory or a file cannot be
    /// read, a `.liquid` file is misnamed, lacks a section or does not
    /// parse; [`LoadError::BadLocale`] for a bad `default_locale`.
    pub fn from_dir(dir: impl AsRef<Path>, default_locale: &str) -> Result<Self, LoadError> {
        let mut renderer = Self::new(default_locale)?;
        renderer.catalog.load_dir(dir.as_ref())?;
        Ok(renderer)
    }

    /// The locales a template exists in (built-in or overridden), sorted.
    #[must_use]
    pub fn locales(&self, kind: TemplateKind) -> Vec<String> {
        self.catalog.locales(kind)
    }

    fn pick(&self, kind: TemplateKind, ctx: &MessageContext) -> Result<&Entry, RenderError> {
        let candidates = locale::candidates(ctx.locale.as_deref(), &self.default_locale);
        self.catalog
            .pick(kind, &candidates)
            .ok_or_else(|| RenderError::Template(format!("no {kind} template")))
    }
}

impl fmt::Debug for LiquidRenderer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiquidRenderer")
            .field("default_locale", &self.default_locale)
            .finish_non_exhaustive()
    }
}

impl MessageRenderer for LiquidRenderer {
    fn render_email(&self, ctx: &MessageContext) -> Result<EmailMessage, RenderError> {
        let Recipient::Email(to) = &ctx.recipient else {
            return Err(RenderError::WrongConnection);
        };
        let kind = match ctx.send {
            SendMode::Code => TemplateKind::EmailCode,
            SendMode::Link => TemplateKind::EmailLink,
        };
        let entry = self.pick(kind, ctx)?;
        let Compiled::Email {
            subject,
            text,
            html,
        } = &entry.template
        else {
            return Err(RenderError::Template(format!("{kind} is not an email")));
        };
        let plain = globals(ctx, &entry.locale, false);
        let subject = one_line(&render(subject, &plain, ctx)?);
        if subject.is_empty() {
            return Err(RenderError::Template(format!("{kind}: empty subject")));
        }
        let html = match html {
            Some(t) => {
                let escaped = globals(ctx, &entry.locale, true);
                Some(format!("{}\n", render(t, &escaped, ctx)?.trim()))
            }
            None => None,
        };
        Ok(EmailMessage {
            to: to.clone(),
            subject,
            text: tidy_text(&render(text, &plain, ctx)?),
            html,
            locale: entry.locale.clone(),
            meta: MessageMeta::of(ctx),
        })
    }

    fn render_sms(&self, ctx: &MessageContext) -> Result<SmsMessage, RenderError> {
        let Recipient::Sms(to) = &ctx.recipient else {
            return Err(RenderError::WrongConnection);
        };
        let kind = TemplateKind::SmsCode;
        let entry = self.pick(kind, ctx)?;
        let Compiled::Sms(body) = &entry.template else {
            return Err(RenderError::Template(format!(
                "{kind} is not a text message"
            )));
        };
        let body = render(body, &globals(ctx, &entry.locale, false), ctx)?;
        Ok(SmsMessage {
            to: to.clone(),
            body: body.trim().to_owned(),
            locale: entry.locale.clone(),
            meta: MessageMeta::of(ctx),
        })
    }
}

/// The template variables; for the HTML part every string is pre-escaped.
fn globals(ctx: &MessageContext, locale: &str, html: bool) -> Object {
    let s = |v: &str| Value::scalar(if html { escape::html(v) } else { v.to_owned() });
    let mut application = Object::new();
    application.insert("name".into(), s(&ctx.application_name));
    let minutes = i64::try_from(ctx.expires_in_minutes).unwrap_or(i64::MAX);
    let mut g = Object::new();
    g.insert("code".into(), s(ctx.code.expose()));
    g.insert("link".into(), ctx.link.as_deref().map_or(Value::Nil, s));
    g.insert("application".into(), Value::Object(application));
    // A string even when absent, so `request_language contains "fr"` works.
    g.insert(
        "request_language".into(),
        s(ctx.locale.as_deref().unwrap_or_default()),
    );
    g.insert("operation".into(), s(ctx.operation.as_str()));
    g.insert("expires_in_minutes".into(), Value::scalar(minutes));
    g.insert("send".into(), s(ctx.send.as_str()));
    g.insert("locale".into(), s(locale));
    g
}

/// Renders `t`, keeping the code and the link out of any error text.
fn render(t: &Template, globals: &Object, ctx: &MessageContext) -> Result<String, RenderError> {
    t.render(globals).map_err(|e| {
        let mut msg = e.to_string();
        let secrets = [Some(ctx.code.expose()), ctx.link.as_deref()];
        for secret in secrets.into_iter().flatten().filter(|s| !s.is_empty()) {
            msg = msg.replace(secret, "<redacted>");
        }
        RenderError::Template(msg)
    })
}

/// A header-safe subject: white space and control characters collapse to
/// single spaces.
fn one_line(s: &str) -> String {
    s.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The plain-text part without the blank-line runs Liquid tags leave:
/// at most one blank line in a row, none at either end, one final newline.
fn tidy_text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank_run = false;
    for line in s.lines() {
        if line.trim().is_empty() {
            blank_run = !out.is_empty();
            continue;
        }
        if blank_run {
            out.push('\n');
            blank_run = false;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_become_one_header_safe_line() {
        assert_eq!(one_line("  a\r\n b\tc\u{0}d  "), "a b c d");
    }

    #[test]
    fn text_keeps_single_blank_lines_and_ends_with_a_newline() {
        assert_eq!(tidy_text("\n\n a\n  \n\n\nb  \n\n"), " a\n\nb\n");
    }
}
