//! `http://auth0.com/oauth/grant-type/mfa-otp`: an `mfa_token` and a TOTP
//! code from the user's authenticator app.

use secrecy::{ExposeSecret, SecretString};

use super::pipeline::{Caller, Proof, ProveUser};
use super::{Refusal, TokenError};
use crate::client::{Client, GrantType};
use crate::mfa::{Factor, Totp};
use crate::service::Passwordless;
use crate::service::mfa::MfaGrantError;

/// `grant_type=http://auth0.com/oauth/grant-type/mfa-otp`.
#[derive(Debug, Clone)]
pub struct MfaOtpGrant {
    /// The `mfa_token` (or an MFA API access token that enrolled a TOTP).
    pub mfa_token: SecretString,
    /// The code.
    pub otp: SecretString,
}

/// Why an `mfa-otp` grant was refused.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct MfaOtpError(#[from] pub MfaGrantError);

impl MfaOtpError {
    /// How the token endpoint classes it.
    #[must_use]
    pub const fn refusal(&self) -> Refusal {
        self.0.refusal()
    }
}

impl ProveUser for MfaOtpGrant {
    const GRANT: GrantType = GrantType::MfaOtp;

    type Checked = ();

    fn precheck(&self, _: &Client) -> Result<(), TokenError> {
        Ok(())
    }

    async fn prove(
        &self,
        svc: &Passwordless,
        client: &Client,
        (): (),
        _: &Caller<'_>,
    ) -> Result<Proof, TokenError> {
        let ctx = svc
            .begin_mfa_grant::<MfaOtpError>(client, self.mfa_token.expose_secret())
            .await?;
        let code = self.otp.expose_secret().trim();
        for a in svc.mfa_candidates(&ctx, |f| f == Factor::Otp).await? {
            let Ok(secret) = svc.ports.sealer.open_secret(a.id.as_str(), &a.secret.0) else {
                tracing::warn!(authenticator = %a.id, "a TOTP secret does not open: skipped");
                continue;
            };
            let Some(step) =
                Totp::new(secret.expose_secret().to_vec()).matching_step(code, ctx.now)
            else {
                continue;
            };
            // A step already used (a replayed code) is as wrong as any.
            if svc
                .ports
                .authenticators
                .record_use(&ctx.user.id, &a.id, Some(step), ctx.now)
                .await?
            {
                return svc.finish_mfa_grant::<MfaOtpError>(ctx).await;
            }
        }
        Err(MfaOtpError(MfaGrantError::WrongFactor("Invalid otp_code.")).into())
    }
}
