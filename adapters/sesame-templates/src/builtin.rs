//! The built-in templates, compiled into the binary. They use the same file
//! names and format as overrides, so any of them is a starting point.

/// The locales every built-in template exists in.
pub(crate) const LOCALES: [&str; 4] = ["en", "de", "fr", "es"];

macro_rules! builtin {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name)))),*]
    };
}

/// `(file name, source)` of every built-in template.
pub(crate) const FILES: &[(&str, &str)] = builtin![
    "email_code.en.liquid",
    "email_link.en.liquid",
    "sms_code.en.liquid",
    "email_code.de.liquid",
    "email_link.de.liquid",
    "sms_code.de.liquid",
    "email_code.fr.liquid",
    "email_link.fr.liquid",
    "sms_code.fr.liquid",
    "email_code.es.liquid",
    "email_link.es.liquid",
    "sms_code.es.liquid",
];
