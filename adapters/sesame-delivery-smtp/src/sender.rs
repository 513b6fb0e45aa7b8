//! [`SmtpSender`]: hands rendered emails to an SMTP server.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::{AsyncSmtpTransport, AsyncSmtpTransportBuilder, PoolConfig};
use lettre::{AsyncTransport as _, Tokio1Executor};
use secrecy::ExposeSecret as _;
use sesame_domain::message::{DeliveryReceipt, EmailMessage};
use sesame_domain::ports::{DeliveryError, EmailSender};

use crate::config::{SmtpConfig, TlsMode};
use crate::error::{SmtpConfigError, delivery_error};
use crate::mime;

type Transport = AsyncSmtpTransport<Tokio1Executor>;

/// Sends email over SMTP through a pool of reused connections.
///
/// The pool is created on the first send (lettre starts a Tokio task for
/// it), so the sender can be built outside a runtime. A send that runs
/// out of time discards the whole pool: a connection abandoned mid-command
/// must never carry the next message.
pub struct SmtpSender {
    from: Mailbox,
    timeout: Duration,
    /// Everything needed to build a transport; cheap to clone.
    builder: AsyncSmtpTransportBuilder,
    transport: Mutex<Option<Arc<Transport>>>,
}

impl SmtpSender {
    /// A sender for `config`, writing `From: <from>` (the `[email] from`
    /// value, e.g. `Sesame <no-reply@example.com>`). Nothing connects yet.
    ///
    /// # Errors
    /// [`SmtpConfigError`] when `from` is not a mailbox, the host is empty,
    /// the timeout is 0, a username lacks its password (or the reverse),
    /// AUTH would go unencrypted to another machine, or
    /// `root_certificate_pem` holds no usable certificate.
    pub fn new(config: &SmtpConfig, from: &str) -> Result<Self, SmtpConfigError> {
        let from: Mailbox = from.parse().map_err(|e| SmtpConfigError::BadFrom {
            from: from.to_owned(),
            reason: format!("{e}"),
        })?;
        if config.host.trim().is_empty() {
            return Err(SmtpConfigError::Invalid("host is empty"));
        }
        if config.timeout_secs == 0 {
            return Err(SmtpConfigError::Invalid("timeout_secs must be at least 1"));
        }
        let timeout = config.timeout();
        let mut builder = Transport::builder_dangerous(config.host.trim())
            .port(config.effective_port())
            .timeout(Some(timeout))
            .tls(tls(config)?)
            .pool_config(
                PoolConfig::new()
                    .max_size(10)
                    .idle_timeout(Duration::from_secs(60)),
            );
        match (&config.username, &config.password) {
            (Some(user), Some(password)) => {
                if config.tls == TlsMode::None && !config.is_loopback() {
                    return Err(SmtpConfigError::PlaintextAuth);
                }
                let secret = password.expose_secret().to_owned();
                builder = builder.credentials(Credentials::new(user.clone(), secret));
            }
            (None, None) => {}
            (Some(_), None) => return Err(SmtpConfigError::Invalid("username needs a password")),
            (None, Some(_)) => return Err(SmtpConfigError::Invalid("password needs a username")),
        }
        Ok(Self {
            from,
            timeout,
            builder,
            transport: Mutex::new(None),
        })
    }

    /// The pooled transport, created on first use.
    fn transport(&self) -> Arc<Transport> {
        let mut slot = self
            .transport
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        Arc::clone(slot.get_or_insert_with(|| Arc::new(self.builder.clone().build())))
    }

    /// Drops `stale` (and its connections) unless it was replaced already.
    fn discard(&self, stale: &Arc<Transport>) {
        let mut slot = self
            .transport
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if slot.as_ref().is_some_and(|t| Arc::ptr_eq(t, stale)) {
            *slot = None;
        }
    }
}

/// lettre's TLS settings for `config`, with any extra roots.
fn tls(config: &SmtpConfig) -> Result<Tls, SmtpConfigError> {
    if config.tls == TlsMode::None {
        return Ok(Tls::None);
    }
    let mut params = TlsParameters::builder(config.host.trim().to_owned());
    if let Some(pem) = &config.root_certificate_pem {
        if !pem.contains("-----BEGIN CERTIFICATE-----") {
            return Err(SmtpConfigError::Tls(
                "root_certificate_pem holds no PEM certificate".into(),
            ));
        }
        let cert = Certificate::from_pem(pem.as_bytes())
            .map_err(|e| SmtpConfigError::Tls(format!("root_certificate_pem: {e}")))?;
        params = params.add_root_certificate(cert);
    }
    let params = params
        .build_rustls()
        .map_err(|e| SmtpConfigError::Tls(e.to_string()))?;
    Ok(match config.tls {
        TlsMode::Tls => Tls::Wrapper(params),
        TlsMode::Starttls | TlsMode::None => Tls::Required(params),
    })
}

#[async_trait]
impl EmailSender for SmtpSender {
    async fn send_email(&self, message: &EmailMessage) -> Result<DeliveryReceipt, DeliveryError> {
        let out = mime::build(&self.from, message)?;
        let transport = self.transport();
        // lettre bounds only the TCP connect; the greeting, TLS, AUTH and
        // every command could wait forever, so the whole send is bounded.
        match tokio::time::timeout(self.timeout, transport.send(out.message)).await {
            Ok(Ok(_response)) => Ok(DeliveryReceipt {
                provider_message_id: Some(out.message_id),
            }),
            Ok(Err(e)) => Err(delivery_error(e)),
            Err(_elapsed) => {
                self.discard(&transport);
                Err(DeliveryError::Unavailable(anyhow::anyhow!(
                    "the mail server did not finish within {} s",
                    self.timeout.as_secs()
                )))
            }
        }
    }
}

impl fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SmtpSender")
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Drop for SmtpSender {
    fn drop(&mut self) {
        // Dropping lettre's pool spawns a Tokio task; outside a runtime that
        // would panic, so a pool still alive then is leaked instead.
        if tokio::runtime::Handle::try_current().is_err() {
            let slot = self
                .transport
                .get_mut()
                .unwrap_or_else(PoisonError::into_inner);
            if let Some(transport) = slot.take() {
                std::mem::forget(transport);
            }
        }
    }
}
