//! `http://auth0.com/oauth/grant-type/mfa-oob`: an `mfa_token`, the
//! `oob_code` of a challenge and the code it sent (`binding_code`).

use secrecy::{ExposeSecret, SecretString};

use super::pipeline::{Caller, Proof, ProveUser};
use super::{Refusal, TokenError};
use crate::client::{Client, GrantType};
use crate::mfa::MfaTicket;
use crate::service::Passwordless;
use crate::service::mfa::{Credential, MfaGrantError};

/// `grant_type=http://auth0.com/oauth/grant-type/mfa-oob`.
#[derive(Debug, Clone)]
pub struct MfaOobGrant {
    /// The `mfa_token` (or an MFA API access token that enrolled the
    /// authenticator).
    pub mfa_token: SecretString,
    /// The challenge's handle.
    pub oob_code: SecretString,
    /// The code the user received.
    pub binding_code: Option<SecretString>,
}

/// Why an `mfa-oob` grant was refused.
#[derive(Debug, thiserror::Error)]
#[error(transparent)]
pub struct MfaOobError(#[from] pub MfaGrantError);

impl MfaOobError {
    /// How the token endpoint classes it.
    #[must_use]
    pub const fn refusal(&self) -> Refusal {
        self.0.refusal()
    }
}

const WRONG: MfaGrantError = MfaGrantError::WrongFactor("Invalid binding_code.");

impl ProveUser for MfaOobGrant {
    const GRANT: GrantType = GrantType::MfaOob;

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
            .begin_mfa_grant::<MfaOobError>(client, self.mfa_token.expose_secret())
            .await?;
        let oob_code = self.oob_code.expose_secret();
        let key = svc.macs.mfa_oob(oob_code);
        let binding = self
            .binding_code
            .as_ref()
            .map_or("", |b| b.expose_secret().trim());
        // The code's MAC is computed whether or not the challenge exists.
        let presented = svc.macs.mfa_binding(oob_code, binding);
        let Some(MfaTicket::Oob(challenge)) = svc.ports.mfa_transactions.get(&key, ctx.now).await?
        else {
            return Err(MfaOobError(WRONG).into());
        };
        let same_transaction = match &ctx.cred {
            Credential::Transaction { key, .. } => challenge.transaction.as_ref() == Some(key),
            Credential::Access { .. } => challenge.transaction.is_none(),
        };
        let ok = same_transaction
            && challenge.user_id == ctx.user.id
            && challenge.client_id == client.id
            && !binding.is_empty()
            && challenge.binding_mac.matches(&presented);
        if !ok {
            return Err(MfaOobError(WRONG).into());
        }
        // Single use: exactly one concurrent grant takes it.
        if svc
            .ports
            .mfa_transactions
            .take(&key, ctx.now)
            .await?
            .is_none()
        {
            return Err(MfaOobError(WRONG).into());
        }
        if !svc
            .ports
            .authenticators
            .record_use(&ctx.user.id, &challenge.authenticator_id, None, ctx.now)
            .await?
        {
            // Deleted since the code was sent.
            return Err(MfaOobError(WRONG).into());
        }
        svc.finish_mfa_grant::<MfaOobError>(ctx).await
    }
}
