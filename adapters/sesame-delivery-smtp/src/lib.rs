//! # sesame-delivery-smtp
//!
//! Sesame's [`EmailSender`](sesame_domain::ports::EmailSender) over SMTP.
//! [`SmtpSender`] hands each rendered email to a mail server through
//! lettre's pooled async transport: plain, STARTTLS or implicit TLS
//! (rustls with the aws-lc-rs provider and the webpki roots, plus any
//! roots you configure), with optional AUTH.
//!
//! Every send is bounded by `timeout_secs`, from connecting to the final
//! reply. Errors never carry the recipient, the body or the server's reply
//! text, only the SMTP status code.

mod config;
mod error;
mod mime;
mod sender;

pub use config::{SmtpConfig, TlsMode};
pub use error::SmtpConfigError;
pub use sender::SmtpSender;
