//! Out-of-band codes (SMS, email) for MFA: sent under the same abuse rules
//! as `/passwordless/start` (allowed countries, the per-IP, per-recipient
//! and SMS pumping limits), stored only as a MAC bound to their `oob_code`.

use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::SecretString;

use super::MfaApiError;
use crate::challenge::SendMode;
use crate::client::Client;
use crate::code::CodeMac;
use crate::message::{MessageContext, Operation};
use crate::mfa::{AuthenticatorId, MfaTicket, OobChallenge};
use crate::ports::random_array;
use crate::recipient::Recipient;
use crate::service::Passwordless;
use crate::time::{Timestamp, minutes_ceil};
use crate::user::UserId;

/// Where an out-of-band code goes, and for what.
pub(crate) struct Oob<'a> {
    pub(crate) client: &'a Client,
    pub(crate) user_id: &'a UserId,
    pub(crate) authenticator_id: &'a AuthenticatorId,
    pub(crate) to: &'a Recipient,
    /// The `mfa_token` it is sent under, if any.
    pub(crate) transaction: Option<CodeMac>,
    pub(crate) ip: Option<IpAddr>,
    pub(crate) now: Timestamp,
}

impl Passwordless {
    /// Sends a code to `oob.to` and stores its challenge; returns the
    /// `oob_code` the `mfa-oob` grant presents with it.
    ///
    /// # Errors
    /// [`MfaApiError::Send`] for a refused country, an exhausted limit or a
    /// failed delivery (the challenge is then removed); storage.
    pub(crate) async fn send_oob(&self, oob: Oob<'_>) -> Result<SecretString, MfaApiError> {
        if let Recipient::Sms(phone) = oob.to {
            self.sms_country_allowed(phone).map_err(MfaApiError::Send)?;
        }
        self.start_limits(oob.to, oob.ip, oob.now)
            .await
            .map_err(MfaApiError::Send)?;
        if let Recipient::Sms(phone) = oob.to {
            self.sms_quota(phone, oob.now)
                .await
                .map_err(MfaApiError::Send)?;
        }
        let oob_code = URL_SAFE_NO_PAD.encode(random_array::<32>(self.ports.rng.as_ref()));
        let code = self.ports.rng.numeric_code(self.config.code_length);
        let ttl = self.config.mfa.oob_code_ttl;
        let key = self.macs.mfa_oob(&oob_code);
        let ticket = MfaTicket::Oob(OobChallenge {
            client_id: oob.client.id.clone(),
            user_id: oob.user_id.clone(),
            authenticator_id: oob.authenticator_id.clone(),
            binding_mac: self.macs.mfa_binding(&oob_code, code.expose()),
            transaction: oob.transaction,
            expires_at: oob.now.plus(ttl),
        });
        self.ports.mfa_transactions.put(&key, &ticket).await?;
        let ctx = MessageContext {
            recipient: oob.to.clone(),
            client_id: oob.client.id.clone(),
            send: SendMode::Code,
            code,
            link: None,
            application_name: oob.client.name.clone(),
            locale: None,
            operation: Operation::Login,
            expires_in_minutes: minutes_ceil(ttl),
        };
        if let Err(e) = self.deliver(&ctx).await {
            let _ = self.ports.mfa_transactions.take(&key, oob.now).await;
            return Err(MfaApiError::Send(e));
        }
        if let Recipient::Sms(phone) = oob.to {
            self.sms_delivered(phone, oob.now).await;
        }
        Ok(SecretString::from(oob_code))
    }
}
