//! Decorators that count and time what an adapter does, for the metrics
//! (`metrics.rs`): messages handed to a provider, and token signing. They
//! forward every call unchanged.

use std::sync::Arc;
use std::time::Instant;

use async_trait::async_trait;
use sesame_domain::ports::{DeliveryError, EmailSender, SigningError, SmsSender, TokenMinter};
use sesame_domain::{
    AccessClaims, DeliveryReceipt, EmailMessage, IdClaims, SigningAlg, SigningKey, SmsMessage,
    Timestamp,
};

/// What a send came to, as a label.
const fn result(r: &Result<DeliveryReceipt, DeliveryError>) -> &'static str {
    match r {
        Ok(_) => "sent",
        Err(DeliveryError::Rejected(_)) => "rejected",
        Err(DeliveryError::Unavailable(_)) => "unavailable",
        Err(DeliveryError::Unknown(_)) => "error",
    }
}

fn count(channel: &'static str, r: &Result<DeliveryReceipt, DeliveryError>) {
    metrics::counter!("sesame_messages_sent_total", "channel" => channel, "result" => result(r))
        .increment(1);
}

/// An email provider whose sends are counted.
pub struct MeteredEmail(pub Arc<dyn EmailSender>);

#[async_trait]
impl EmailSender for MeteredEmail {
    async fn send_email(&self, message: &EmailMessage) -> Result<DeliveryReceipt, DeliveryError> {
        let r = self.0.send_email(message).await;
        count("email", &r);
        r
    }
}

/// An SMS provider whose sends are counted.
pub struct MeteredSms(pub Arc<dyn SmsSender>);

#[async_trait]
impl SmsSender for MeteredSms {
    async fn send_sms(&self, message: &SmsMessage) -> Result<DeliveryReceipt, DeliveryError> {
        let r = self.0.send_sms(message).await;
        count("sms", &r);
        r
    }
}

/// A minter whose signatures are timed, by algorithm.
pub struct MeteredMinter<M>(pub M);

fn timed(alg: SigningAlg, since: Instant) {
    metrics::histogram!("sesame_signing_duration_seconds", "alg" => alg.as_str())
        .record(since.elapsed().as_secs_f64());
}

#[async_trait]
impl<M: TokenMinter> TokenMinter for MeteredMinter<M> {
    fn generate_key(&self, alg: SigningAlg, now: Timestamp) -> Result<SigningKey, SigningError> {
        self.0.generate_key(alg, now)
    }

    async fn sign_access(
        &self,
        key: &SigningKey,
        claims: &AccessClaims,
    ) -> Result<String, SigningError> {
        let start = Instant::now();
        let signed = self.0.sign_access(key, claims).await;
        timed(key.alg, start);
        signed
    }

    async fn sign_id(&self, key: &SigningKey, claims: &IdClaims) -> Result<String, SigningError> {
        let start = Instant::now();
        let signed = self.0.sign_id(key, claims).await;
        timed(key.alg, start);
        signed
    }

    fn verify_access(
        &self,
        token: &str,
        keys: &[SigningKey],
        issuer: &str,
    ) -> Result<AccessClaims, SigningError> {
        self.0.verify_access(token, keys, issuer)
    }
}
