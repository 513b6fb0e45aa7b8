//! `http://auth0.com/oauth/grant-type/mfa-recovery-code`: an `mfa_token`
//! and a recovery code. The code dies and a new one is answered.

use secrecy::{ExposeSecret, SecretString};

use super::pipeline::{Caller, Proof, ProveUser};
use super::{Refusal, TokenError};
use crate::client::{Client, GrantType};
use crate::code::CodeMac;
use crate::mfa::{AuthenticatorSecret, Factor};
use crate::service::Passwordless;
use crate::service::mfa::MfaGrantError;

/// `grant_type=http://auth0.com/oauth/grant-type/mfa-recovery-code`.
#[derive(Debug, Clone)]
pub struct MfaRecoveryGrant {
    /// The `mfa_token`.
    pub mfa_token: SecretString,
    /// The recovery code.
    pub recovery_code: SecretString,
}

/// Why an `mfa-recovery-code` grant was refused.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct MfaRecoveryError(#[from] pub MfaGrantError);

impl MfaRecoveryError {
    /// How the token endpoint classes it.
    #[must_use]
    pub const fn refusal(&self) -> Refusal {
        self.0.refusal()
    }
}

/// A recovery code as typed: letters uppercased, spaces and dashes dropped.
fn normalise(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl ProveUser for MfaRecoveryGrant {
    const GRANT: GrantType = GrantType::MfaRecoveryCode;

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
            .begin_mfa_grant::<MfaRecoveryError>(client, self.mfa_token.expose_secret())
            .await?;
        let user = ctx.user.id.as_str().to_owned();
        let presented = svc
            .macs
            .recovery_code(&user, &normalise(self.recovery_code.expose_secret()));
        let found = svc
            .mfa_candidates(&ctx, |f| f == Factor::RecoveryCode)
            .await?
            .into_iter()
            // Only a confirmed enrollment's code: one handed out with an
            // enrollment still waiting proves nothing beyond the first factor.
            .filter(|a| a.active)
            .find(|a| CodeMac::try_from_slice(&a.secret.0).is_ok_and(|m| m.matches(&presented)));
        let Some(authenticator) = found else {
            return Err(MfaRecoveryError(MfaGrantError::WrongFactor(
                "MFA Authorization rejected.",
            ))
            .into());
        };
        let next = svc.recovery_code_text();
        let next_mac = svc.macs.recovery_code(&user, &next);
        // The used code dies as the new one is stored, in one step: two
        // grants with the same code cannot both pass.
        if !svc
            .ports
            .authenticators
            .replace_secret(
                &ctx.user.id,
                &authenticator.id,
                &authenticator.secret,
                &AuthenticatorSecret(next_mac.as_bytes().to_vec()),
                ctx.now,
            )
            .await?
        {
            return Err(MfaRecoveryError(MfaGrantError::WrongFactor(
                "MFA Authorization rejected.",
            ))
            .into());
        }
        let mut proof = svc.finish_mfa_grant::<MfaRecoveryError>(ctx).await?;
        proof.recovery_code = Some(SecretString::from(next));
        Ok(proof)
    }
}
