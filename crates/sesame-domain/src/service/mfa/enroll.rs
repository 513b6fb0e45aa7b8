//! `POST /mfa/associate`: enrolling a factor. A new authenticator waits
//! for its first pass; the user's first enrollment also gets a recovery
//! code. TOTP secrets and out-of-band addresses are sealed before they
//! reach the store.

use secrecy::{ExposeSecret, SecretString};

use super::credential::Credential;
use super::oob::Oob;
use super::{AssociateRequest, Enrollment, MfaApiError};
use crate::mfa::{
    Authenticator, AuthenticatorId, AuthenticatorSecret, Factor, TOTP_SECRET_LEN, Totp,
    mask_address,
};
use crate::ports::random_array;
use crate::recipient::{EmailAddress, PhoneNumber, Recipient};
use crate::service::Passwordless;
use crate::time::Timestamp;
use crate::user::User;

impl Passwordless {
    /// `POST /mfa/associate`: a new authenticator, waiting for its first
    /// pass; the user's first also gets a recovery code.
    ///
    /// # Errors
    /// [`MfaApiError`].
    pub async fn associate(&self, req: AssociateRequest) -> Result<Enrollment, MfaApiError> {
        let caller = self.mfa_caller(req.bearer.expose_secret()).await?;
        if req
            .client_id
            .as_deref()
            .is_some_and(|id| id != caller.client.id.as_str())
        {
            return Err(MfaApiError::InvalidToken("Malformed mfa_token"));
        }
        let user_id = caller.user.id.clone();
        let existing = self.ports.authenticators.list(&user_id).await?;
        Self::may(&caller, "enroll", existing.iter().any(|a| a.active))?;
        if req.factor == Factor::RecoveryCode || !self.config.mfa.allows(req.factor) {
            return Err(MfaApiError::Forbidden(
                "This authenticator type is not enabled.",
            ));
        }
        // Starting over drops what an earlier attempt left waiting.
        self.ports.authenticators.delete_inactive(&user_id).await?;
        let has_recovery = existing
            .iter()
            .any(|a| a.active && a.factor == Factor::RecoveryCode);
        let recovery_code = if has_recovery || !self.config.mfa.allows(Factor::RecoveryCode) {
            None
        } else {
            Some(self.new_recovery_code(&caller.user, caller.now).await?)
        };
        let id = AuthenticatorId::new(req.factor, random_array(self.ports.rng.as_ref()));
        let mut authenticator = Authenticator {
            id: id.clone(),
            user_id: user_id.clone(),
            factor: req.factor,
            name: None,
            secret: AuthenticatorSecret(Vec::new()),
            active: false,
            created_at: caller.now,
            last_used: None,
            last_step: None,
        };
        if req.factor == Factor::Otp {
            let totp = Totp::new(random_array::<TOTP_SECRET_LEN>(self.ports.rng.as_ref()).to_vec());
            authenticator.secret =
                AuthenticatorSecret(self.ports.sealer.seal_secret(id.as_str(), totp.bytes())?);
            self.ports.authenticators.insert(&authenticator).await?;
            let issuer = self.totp_issuer();
            return Ok(Enrollment::Otp {
                id,
                secret: SecretString::from(totp.base32()),
                barcode_uri: SecretString::from(totp.uri(&issuer, caller.user.recipient.as_str())),
                recovery_code,
            });
        }
        let to = self.oob_destination(&req, &caller.user)?;
        authenticator.name = Some(mask_address(&to));
        authenticator.secret = AuthenticatorSecret(
            self.ports
                .sealer
                .seal_secret(id.as_str(), to.as_str().as_bytes())?,
        );
        self.ports.authenticators.insert(&authenticator).await?;
        let transaction = match &caller.cred {
            Credential::Transaction { key, .. } => Some(key.clone()),
            Credential::Access { .. } => None,
        };
        let sent = self
            .send_oob(Oob {
                client: &caller.client,
                user_id: &user_id,
                authenticator_id: &id,
                to: &to,
                transaction,
                ip: req.ip,
                now: caller.now,
            })
            .await;
        let oob_code = match sent {
            Ok(code) => code,
            Err(e) => {
                // Nothing was sent: nothing is left waiting.
                let _ = self.ports.authenticators.delete_inactive(&user_id).await;
                return Err(e);
            }
        };
        Ok(Enrollment::Oob {
            id,
            channel: req.factor,
            oob_code,
            recovery_code,
        })
    }

    /// The `issuer=` label of TOTP URIs.
    fn totp_issuer(&self) -> String {
        self.config.mfa.issuer_name.clone().unwrap_or_else(|| {
            url::Url::parse(self.config.issuer.as_str())
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default()
        })
    }

    /// Where an SMS or email enrollment sends its codes.
    fn oob_destination(
        &self,
        req: &AssociateRequest,
        user: &User,
    ) -> Result<Recipient, MfaApiError> {
        match req.factor {
            Factor::Sms => {
                let raw = req.phone_number.as_deref().ok_or_else(|| {
                    MfaApiError::InvalidRequest("phone_number is required for sms.".into())
                })?;
                PhoneNumber::parse(raw).map(Recipient::Sms).map_err(|_| {
                    MfaApiError::InvalidRequest("phone_number must be in E.164 format.".into())
                })
            }
            _ => match (&req.email, &user.recipient) {
                (Some(raw), _) => EmailAddress::parse(raw)
                    .map(Recipient::Email)
                    .map_err(|_| MfaApiError::InvalidRequest("email is invalid.".into())),
                (None, r @ Recipient::Email(_)) => Ok(r.clone()),
                (None, Recipient::Sms(_)) => Err(MfaApiError::InvalidRequest(
                    "email is required for this user.".into(),
                )),
            },
        }
    }

    /// A new recovery-code authenticator for `user`, waiting for the
    /// enrollment it came with; returns the code.
    async fn new_recovery_code(
        &self,
        user: &User,
        now: Timestamp,
    ) -> Result<SecretString, MfaApiError> {
        let code = self.recovery_code_text();
        let id = AuthenticatorId::new(Factor::RecoveryCode, random_array(self.ports.rng.as_ref()));
        let mac = self.macs.recovery_code(user.id.as_str(), &code);
        self.ports
            .authenticators
            .insert(&Authenticator {
                id,
                user_id: user.id.clone(),
                factor: Factor::RecoveryCode,
                name: None,
                secret: AuthenticatorSecret(mac.as_bytes().to_vec()),
                active: false,
                created_at: now,
                last_used: None,
                last_step: None,
            })
            .await?;
        Ok(SecretString::from(code))
    }

    /// A recovery code: 120 random bits as 24 base32 letters and digits.
    pub(crate) fn recovery_code_text(&self) -> String {
        crate::mfa::base32(&random_array::<15>(self.ports.rng.as_ref()))
    }
}
