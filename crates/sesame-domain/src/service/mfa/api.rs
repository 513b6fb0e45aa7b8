//! The MFA API: list, challenge and delete authenticators (enrolling is
//! `enroll.rs`), with an `mfa_token` or an access token for the built-in
//! MFA API (`{issuer}mfa/`).
//!
//! With an `mfa_token` a user may enroll and delete only until their first
//! factor is confirmed; afterwards it takes an access token with scope
//! `enroll` or `remove:authenticators`, which itself needs the second
//! factor (`policy.rs`). A blocked user gets nothing.

use secrecy::ExposeSecret;

use super::credential::Credential;
use super::oob::Oob;
use super::{AuthenticatorView, ChallengeAnswer, ChallengeRequest, MfaApiError, MfaGrantError};
use crate::client::Client;
use crate::mfa::{Authenticator, AuthenticatorId, Factor};
use crate::recipient::{EmailAddress, PhoneNumber, Recipient};
use crate::service::Passwordless;
use crate::service::client_auth::ClientAuth;
use crate::time::Timestamp;
use crate::user::User;

/// A bearer resolved to its user and client.
pub(super) struct Caller {
    pub(super) cred: Credential,
    pub(super) user: User,
    pub(super) client: std::sync::Arc<Client>,
    pub(super) now: Timestamp,
}

fn token_error(e: MfaGrantError) -> MfaApiError {
    match e {
        MfaGrantError::ExpiredToken => MfaApiError::InvalidToken("mfa_token is expired"),
        _ => MfaApiError::InvalidToken("Malformed mfa_token"),
    }
}

impl Passwordless {
    pub(super) async fn mfa_caller(&self, bearer: &str) -> Result<Caller, MfaApiError> {
        let now = self.ports.clock.now();
        let cred = self
            .mfa_credential(bearer, now)
            .await?
            .map_err(token_error)?;
        let user = self
            .mfa_user(&cred)
            .await?
            .ok_or(MfaApiError::InvalidToken("Malformed mfa_token"))?;
        if user.blocked {
            return Err(MfaApiError::Blocked);
        }
        let client = self
            .ports
            .clients
            .get(cred.client_id())
            .await?
            .ok_or(MfaApiError::InvalidToken("Malformed mfa_token"))?;
        Ok(Caller {
            cred,
            user,
            client,
            now,
        })
    }

    /// Whether the caller may do what `scope` allows: an access token
    /// with it, or an `mfa_token` while no factor is confirmed.
    pub(super) fn may(
        caller: &Caller,
        scope: &'static str,
        any_active: bool,
    ) -> Result<(), MfaApiError> {
        match &caller.cred {
            Credential::Access { scope: s, .. } if s.contains(scope) => Ok(()),
            Credential::Access { .. } => Err(MfaApiError::InsufficientScope(scope)),
            Credential::Transaction { .. } if !any_active => Ok(()),
            Credential::Transaction { .. } => Err(MfaApiError::Forbidden(
                "User is already enrolled. Use an access token for the MFA API.",
            )),
        }
    }

    /// `GET /mfa/authenticators`.
    ///
    /// # Errors
    /// [`MfaApiError`].
    pub async fn list_authenticators(
        &self,
        bearer: &str,
    ) -> Result<Vec<AuthenticatorView>, MfaApiError> {
        let caller = self.mfa_caller(bearer).await?;
        if let Credential::Access { scope, .. } = &caller.cred
            && !scope.contains("read:authenticators")
        {
            return Err(MfaApiError::InsufficientScope("read:authenticators"));
        }
        Ok(self
            .ports
            .authenticators
            .list(&caller.user.id)
            .await?
            .into_iter()
            .map(|a| AuthenticatorView {
                id: a.id,
                factor: a.factor,
                name: a.name,
                active: a.active,
            })
            .collect())
    }

    /// `DELETE /mfa/authenticators/{id}`.
    ///
    /// # Errors
    /// [`MfaApiError::NotFound`] when the user has no such authenticator.
    pub async fn delete_authenticator(&self, bearer: &str, id: &str) -> Result<(), MfaApiError> {
        let caller = self.mfa_caller(bearer).await?;
        let all = self.ports.authenticators.list(&caller.user.id).await?;
        Self::may(
            &caller,
            "remove:authenticators",
            all.iter().any(|a| a.active),
        )?;
        let id = AuthenticatorId::parse(id).map_err(|_| MfaApiError::NotFound)?;
        if self
            .ports
            .authenticators
            .delete(&caller.user.id, &id)
            .await?
        {
            Ok(())
        } else {
            Err(MfaApiError::NotFound)
        }
    }

    /// `POST /mfa/challenge`: `otp` needs nothing sent; `oob` sends a code
    /// to the chosen (or first) SMS or email authenticator.
    ///
    /// # Errors
    /// [`MfaApiError`].
    pub async fn challenge(&self, req: ChallengeRequest) -> Result<ChallengeAnswer, MfaApiError> {
        let client = match self.authenticate(&req.client).await? {
            ClientAuth::Ok { client, .. } => client,
            ClientAuth::Unknown | ClientAuth::Invalid => return Err(MfaApiError::InvalidClient),
        };
        let now = self.ports.clock.now();
        let (key, txn) = self
            .mfa_transaction(req.mfa_token.expose_secret(), now)
            .await?
            .map_err(token_error)?;
        if txn.client_id != client.id {
            return Err(MfaApiError::InvalidToken("Malformed mfa_token"));
        }
        let user = self
            .ports
            .users
            .get(&txn.user_id)
            .await?
            .ok_or(MfaApiError::InvalidToken("Malformed mfa_token"))?;
        if user.blocked {
            return Err(MfaApiError::Blocked);
        }
        let (otp, oob) = match req.challenge_type.as_deref() {
            None => (true, true),
            Some("otp") => (true, false),
            Some("oob") => (false, true),
            Some("oob otp" | "otp oob") => (true, true),
            Some(_) => {
                return Err(MfaApiError::UnsupportedChallengeType(
                    "Unsupported challenge type.",
                ));
            }
        };
        let wanted = match req.authenticator_id.as_deref() {
            Some(id) => Some(
                AuthenticatorId::parse(id)
                    .map_err(|_| MfaApiError::InvalidRequest("Invalid authenticator_id.".into()))?,
            ),
            None => None,
        };
        let all = self.ports.authenticators.list(&user.id).await?;
        let any_active = all.iter().any(|a| a.active);
        let fits = |a: &Authenticator| {
            a.active == any_active
                && wanted.as_ref().is_none_or(|w| *w == a.id)
                && match a.factor {
                    Factor::Otp => otp,
                    Factor::Sms | Factor::Email => oob,
                    Factor::RecoveryCode => false,
                }
        };
        let Some(chosen) = all.iter().find(|a| fits(a)) else {
            return Err(if wanted.is_some() {
                MfaApiError::InvalidRequest(
                    "Authenticator does not exist or cannot be challenged with this type.".into(),
                )
            } else {
                MfaApiError::UnsupportedChallengeType(
                    "User does not have an authenticator for this challenge type.",
                )
            });
        };
        if chosen.factor == Factor::Otp {
            return Ok(ChallengeAnswer::Otp);
        }
        let to = self.oob_recipient(chosen)?;
        let oob_code = self
            .send_oob(Oob {
                client: &client,
                user_id: &user.id,
                authenticator_id: &chosen.id,
                to: &to,
                transaction: Some(key),
                ip: req.ip,
                now,
            })
            .await?;
        Ok(ChallengeAnswer::Oob { oob_code })
    }

    /// The number or address an SMS or email authenticator sends to.
    pub(crate) fn oob_recipient(&self, a: &Authenticator) -> Result<Recipient, MfaApiError> {
        let clear = self.ports.sealer.open_secret(a.id.as_str(), &a.secret.0)?;
        let raw = std::str::from_utf8(clear.expose_secret()).map_err(|_| {
            MfaApiError::Unknown(anyhow::anyhow!("a sealed MFA address is not text"))
        })?;
        let parsed = match a.factor {
            Factor::Sms => PhoneNumber::parse(raw).map(Recipient::Sms).ok(),
            _ => EmailAddress::parse(raw).map(Recipient::Email).ok(),
        };
        parsed.ok_or_else(|| {
            MfaApiError::Unknown(anyhow::anyhow!("a sealed MFA address does not parse"))
        })
    }
}
