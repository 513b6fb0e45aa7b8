//! The pipeline's MFA step: whether this login needs a second factor, and
//! if so the `mfa_required` answer with a fresh `mfa_token`.

use crate::client::{Api, Client};
use crate::mfa::{Authenticator, Factor, MfaPolicy, MfaTransaction, Requirements};
use crate::ports::StoreError;
use crate::scope::Scope;
use crate::service::Passwordless;
use crate::service::token::TokenError;
use crate::user::User;

use super::MfaRequired;

/// What the first grant asked for, to be minted once the second factor
/// passes.
pub(crate) struct Asked<'a> {
    /// The API it named.
    pub(crate) api: Option<&'a Api>,
    /// The scope it asked for.
    pub(crate) scope: Option<&'a Scope>,
    /// The nonce for the id token.
    pub(crate) nonce: Option<&'a str>,
}

impl Passwordless {
    /// The policy in force for `client`.
    fn mfa_policy(&self, client: &Client) -> MfaPolicy {
        client.mfa.unwrap_or(self.config.mfa.require)
    }

    /// Passes when `user` needs no second factor for this login; otherwise
    /// answers [`TokenError::MfaRequired`].
    ///
    /// Managing factors is itself protected: a token for the built-in MFA
    /// API needs the second factor whenever the user has one, whatever the
    /// policy, or a first factor alone could enroll an attacker's TOTP.
    ///
    /// # Errors
    /// [`TokenError::MfaRequired`], or storage.
    pub(crate) async fn second_factor(
        &self,
        client: &Client,
        user: &User,
        asked: &Asked<'_>,
    ) -> Result<(), TokenError> {
        let Some(requirements) = self.mfa_requirements(client, user, asked.api).await? else {
            return Ok(());
        };
        let now = self.ports.clock.now();
        let mfa_token = self
            .issue_mfa_token(MfaTransaction {
                client_id: client.id.clone(),
                user_id: user.id.clone(),
                audience: asked.api.map(|a| a.identifier.clone()),
                scope: asked.scope.cloned(),
                nonce: asked.nonce.map(str::to_owned),
                auth_time: now,
                expires_at: now.plus(self.config.mfa.token_ttl),
            })
            .await?;
        Err(TokenError::MfaRequired(MfaRequired {
            mfa_token,
            requirements,
        }))
    }

    /// What a login of `user` by `client` for `api` must pass or enroll,
    /// or `None` when it needs no second factor.
    ///
    /// # Errors
    /// Storage.
    pub(crate) async fn mfa_requirements(
        &self,
        client: &Client,
        user: &User,
        api: Option<&Api>,
    ) -> Result<Option<Requirements>, StoreError> {
        let for_mfa_api = api.is_some_and(|a| a.identifier == self.mfa_audience());
        let policy = self.mfa_policy(client);
        if policy == MfaPolicy::Never && !for_mfa_api {
            return Ok(None);
        }
        let active: Vec<Authenticator> = self
            .ports
            .authenticators
            .list(&user.id)
            .await?
            .into_iter()
            .filter(|a| a.active)
            .collect();
        let required = match (for_mfa_api, policy) {
            (true, _) | (false, MfaPolicy::Enrolled) => !active.is_empty(),
            (false, MfaPolicy::Always) => true,
            (false, MfaPolicy::Never) => false,
        };
        if !required {
            return Ok(None);
        }
        Ok(Some(if active.is_empty() {
            Requirements::Enroll(self.enrollable())
        } else {
            Requirements::Challenge(
                Factor::ALL
                    .into_iter()
                    .filter(|f| active.iter().any(|a| a.factor == *f))
                    .collect(),
            )
        }))
    }

    /// The factors a user may enroll: the configured ones but recovery
    /// codes, which come with the first enrollment.
    pub(crate) fn enrollable(&self) -> Vec<Factor> {
        self.config
            .mfa
            .factors
            .iter()
            .copied()
            .filter(|f| *f != Factor::RecoveryCode)
            .collect()
    }
}
