//! The three messages a template can define.

use std::fmt;

/// Which message a template renders; also the stem of its file name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TemplateKind {
    /// The email for `send=code` (`email_code.<locale>.liquid`).
    EmailCode,
    /// The email for `send=link` (`email_link.<locale>.liquid`).
    EmailLink,
    /// The text message (`sms_code.<locale>.liquid`).
    SmsCode,
}

impl TemplateKind {
    /// Every kind, in file-name order.
    pub const ALL: [Self; 3] = [Self::EmailCode, Self::EmailLink, Self::SmsCode];

    /// The file-name stem: `email_code`, `email_link` or `sms_code`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::EmailCode => "email_code",
            Self::EmailLink => "email_link",
            Self::SmsCode => "sms_code",
        }
    }

    /// Whether the file has `subject`/`text`/`html` sections (emails) or
    /// is one plain body (SMS).
    #[must_use]
    pub const fn is_email(self) -> bool {
        matches!(self, Self::EmailCode | Self::EmailLink)
    }

    /// The kind whose stem is `stem`.
    #[must_use]
    pub fn from_stem(stem: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == stem)
    }
}

impl fmt::Display for TemplateKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
