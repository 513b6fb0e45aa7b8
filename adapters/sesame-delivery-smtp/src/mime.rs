//! Turning a rendered [`EmailMessage`] into a MIME message: text and HTML
//! as `multipart/alternative`, UTF-8, with `Message-ID`, `Date`,
//! `Content-Language` and `Auto-Submitted`. No tracking headers, no
//! `List-Unsubscribe`: these are transactional, one-off messages.

use lettre::Message;
use lettre::address::{Address, Envelope};
use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart, SinglePart};
use sesame_domain::message::EmailMessage;
use sesame_domain::ports::DeliveryError;

const CONTENT_LANGUAGE: HeaderName = HeaderName::new_from_ascii_str("Content-Language");
const AUTO_SUBMITTED: HeaderName = HeaderName::new_from_ascii_str("Auto-Submitted");

/// A message ready for the wire, and its `Message-ID` (without `<>`).
pub(crate) struct Outgoing {
    pub(crate) message: Message,
    pub(crate) message_id: String,
}

/// A fresh `Message-ID` in the From address's domain.
fn message_id(from: &Mailbox) -> String {
    format!("{}@{}", uuid::Uuid::new_v4().simple(), from.email.domain())
}

/// A tag made only of letters, digits and `-`, or nothing: the locale
/// goes into a header, so nothing else may reach it.
fn language_tag(locale: &str) -> Option<&str> {
    let ok = (1..=35).contains(&locale.len())
        && locale.starts_with(|c: char| c.is_ascii_alphabetic())
        && locale
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-');
    ok.then_some(locale)
}

/// Builds the MIME message for `email` from `from`.
///
/// # Errors
/// [`DeliveryError::Rejected`] when the recipient cannot be written as an
/// SMTP address; [`DeliveryError::Unknown`] if the message cannot be built.
pub(crate) fn build(from: &Mailbox, email: &EmailMessage) -> Result<Outgoing, DeliveryError> {
    let to: Address = email.to.as_str().parse().map_err(|_| {
        DeliveryError::Rejected("the recipient address cannot be used over SMTP".into())
    })?;
    let message_id = message_id(from);
    let mut builder = Message::builder()
        .from(from.clone())
        .to(Mailbox::new(None, to.clone()))
        .subject(email.subject.clone())
        .message_id(Some(format!("<{message_id}>")))
        .date_now()
        .raw_header(HeaderValue::new(AUTO_SUBMITTED, "auto-generated".into()));
    if let Some(tag) = language_tag(&email.locale) {
        builder = builder.raw_header(HeaderValue::new(CONTENT_LANGUAGE, tag.to_owned()));
    }
    let envelope = Envelope::new(Some(from.email.clone()), vec![to])
        .map_err(|e| DeliveryError::Unknown(anyhow::Error::new(e)))?;
    let builder = builder.envelope(envelope);
    let built = match &email.html {
        Some(html) => builder.multipart(MultiPart::alternative_plain_html(
            email.text.clone(),
            html.clone(),
        )),
        None => builder.singlepart(SinglePart::plain(email.text.clone())),
    };
    let message = built.map_err(|e| DeliveryError::Unknown(anyhow::Error::new(e)))?;
    Ok(Outgoing {
        message,
        message_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_language_tags_reach_the_header() {
        assert_eq!(language_tag("pt-BR"), Some("pt-BR"));
        assert_eq!(language_tag("es-419"), Some("es-419"));
        for bad in ["", "en\r\nBcc: x@y.z", "de;q=1", "-en", "日本"] {
            assert_eq!(language_tag(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn message_ids_are_unique_and_in_the_from_domain() {
        let from: Mailbox = "Sesame <no-reply@mail.example.test>".parse().unwrap();
        let a = message_id(&from);
        assert!(a.ends_with("@mail.example.test"), "{a}");
        assert_ne!(a, message_id(&from));
    }
}
