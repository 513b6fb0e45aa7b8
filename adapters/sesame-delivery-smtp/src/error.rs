//! What can go wrong: building the sender, and sending.

use lettre::transport::smtp::Error as SmtpError;
use lettre::transport::smtp::response::Code;
use sesame_domain::ports::DeliveryError;

/// The settings cannot make a working sender.
#[derive(Debug, thiserror::Error)]
pub enum SmtpConfigError {
    /// `[email] from` is not a mailbox like `Sesame <no-reply@example.com>`.
    #[error(
        "email.from {from:?} is not a mailbox like \"Sesame <no-reply@example.com>\": {reason}"
    )]
    BadFrom {
        /// The configured value.
        from: String,
        /// What the parser said.
        reason: String,
    },
    /// `host` is empty or `timeout_secs` is 0.
    #[error("email.smtp: {0}")]
    Invalid(&'static str),
    /// A password would cross the network unencrypted.
    #[error(
        "email.smtp: refusing to send the AUTH password without TLS to a host other than \
         localhost; set tls = \"starttls\" or \"tls\""
    )]
    PlaintextAuth,
    /// `root_certificate_pem` or the TLS settings are unusable.
    #[error("email.smtp: TLS setup failed: {0}")]
    Tls(String),
}

/// AUTH replies: the server refuses *us*, not the message.
fn is_auth_failure(code: Code) -> bool {
    matches!(
        code.to_string().as_str(),
        "530" | "534" | "535" | "538" | "454"
    )
}

/// Maps a lettre error to the domain's, keeping the server's reply text
/// (which may quote the recipient) out of it: only the status code stays.
pub(crate) fn delivery_error(err: SmtpError) -> DeliveryError {
    if let Some(code) = err.status() {
        if is_auth_failure(code) {
            return DeliveryError::Unavailable(anyhow::anyhow!(
                "the mail server refused our AUTH or requires it (SMTP {code})"
            ));
        }
        if err.is_permanent() {
            return DeliveryError::Rejected(format!("SMTP {code}"));
        }
        return DeliveryError::Unavailable(anyhow::anyhow!(
            "the mail server deferred the message (SMTP {code})"
        ));
    }
    if err.is_response() {
        return DeliveryError::Unavailable(anyhow::anyhow!(
            "the mail server sent an unreadable reply"
        ));
    }
    // Client errors are lettre's own fixed texts about what the server
    // lacks (STARTTLS, a common AUTH mechanism, SMTPUTF8); network,
    // connection and TLS errors carry OS or TLS messages. None quotes the
    // server's reply, and all mean this server cannot take mail from us.
    DeliveryError::Unavailable(anyhow::Error::new(err))
}
