//! Message contexts and HTML helpers shared by the tests.
#![expect(clippy::unwrap_used, reason = "test fixtures fail loudly")]

use std::fs;
use std::path::Path;

use sesame_domain::challenge::SendMode;
use sesame_domain::client::ClientId;
use sesame_domain::code::Otp;
use sesame_domain::message::{MessageContext, Operation};
use sesame_domain::ports::MessageRenderer;
use sesame_domain::recipient::{EmailAddress, PhoneNumber, Recipient};
use sesame_templates::{LiquidRenderer, LoadError};

/// A ten-digit code, longer than any configured length.
pub const CODE: &str = "4096813257";
/// A 30-character application name with every HTML special in it.
pub const APP: &str = "Tom & Jerry's <Shop> \"Cheeses\"";
/// A magic link shaped like the domain's, with `&`, `%` and `+` in it.
pub const LINK: &str = "https://auth.example.test/passwordless/verify_redirect?verification_code=Zm9v_YmFy-OQ&connection=email&client_id=app1&email=ann%2Btest%40example.test&state=a%3Cb%3E&redirect_uri=https%3A%2F%2Fapp.example.test%2Fcb";

/// An email context; `link` is [`LINK`].
pub fn email(send: SendMode, locale: Option<&str>) -> MessageContext {
    ctx(
        Recipient::Email(EmailAddress::parse("ann+test@example.test").unwrap()),
        send,
        Some(LINK),
        locale,
    )
}

/// A text message context.
pub fn sms(locale: Option<&str>) -> MessageContext {
    ctx(
        Recipient::Sms(PhoneNumber::parse("+15555550100").unwrap()),
        SendMode::Code,
        None,
        locale,
    )
}

/// A context with the test code, app name and a 10-minute lifetime.
pub fn ctx(
    recipient: Recipient,
    send: SendMode,
    link: Option<&str>,
    locale: Option<&str>,
) -> MessageContext {
    MessageContext {
        recipient,
        client_id: ClientId::parse("app1").unwrap(),
        send,
        code: Otp::new(CODE),
        link: link.map(str::to_owned),
        application_name: APP.to_owned(),
        locale: locale.map(str::to_owned),
        operation: Operation::Login,
        expires_in_minutes: 10,
    }
}

/// Undoes the five escapes the renderer makes.
pub fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// The values of every `href="…"` attribute, still escaped.
pub fn hrefs(html: &str) -> Vec<&str> {
    html.split("href=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap())
        .collect()
}

/// `s` with the five HTML specials escaped, as the renderer does.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// The locales the email and the text for `requested` are written in.
pub fn used(r: &LiquidRenderer, requested: Option<&str>) -> (String, String) {
    let email = r.render_email(&email(SendMode::Code, requested)).unwrap();
    let sms = r.render_sms(&sms(requested)).unwrap();
    (email.locale, sms.locale)
}

/// Writes `body` to `dir/name`.
pub fn write(dir: &Path, name: &str, body: &str) {
    fs::write(dir.join(name), body).unwrap();
}

/// The error text of loading a directory holding only `name`.
pub fn load_error(name: &str, body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), name, body);
    let err = LiquidRenderer::from_dir(dir.path(), "en").unwrap_err();
    assert!(matches!(err, LoadError::Invalid { .. }), "{err:?}");
    err.to_string()
}
