//! What the three MFA grants share: the `mfa_token` resolved for the
//! client, the user's budget of wrong second factors, and the finish (the
//! budget unit back, the token spent, the first grant's tokens).

use crate::client::Client;
use crate::mfa::{Authenticator, Factor};
use crate::rate_limit::RateDecision;
use crate::service::Passwordless;
use crate::service::mint::RefreshPlan;
use crate::service::sign_in::Subject;
use crate::service::token::TokenError;
use crate::service::token::pipeline::{Binding, Proof};
use crate::time::Timestamp;
use crate::user::User;

use super::MfaGrantError;
use super::credential::Credential;

/// An MFA grant under way: who, with what, and the budget unit it holds.
pub(crate) struct MfaContext {
    /// The user the token speaks for (not blocked).
    pub(crate) user: User,
    /// The `mfa_token` (or MFA API access token) presented.
    pub(crate) cred: Credential,
    /// The user's wrong-factor counter, one unit of it taken.
    budget: String,
    /// The time of the request.
    pub(crate) now: Timestamp,
}

/// A grant's refusal, in its own error type `E`.
fn refused<E>(e: MfaGrantError) -> TokenError
where
    E: From<MfaGrantError>,
    TokenError: From<E>,
{
    TokenError::from(E::from(e))
}

impl Passwordless {
    /// Resolves `token` for `client` and takes one unit of the user's
    /// wrong-factor budget (5 per 15 minutes by default): past it every
    /// attempt is refused, right or wrong.
    ///
    /// # Errors
    /// `E` for a malformed, expired, spent or other client's token and for
    /// a spent budget; [`TokenError::Blocked`]; storage.
    pub(crate) async fn begin_mfa_grant<E>(
        &self,
        client: &Client,
        token: &str,
    ) -> Result<MfaContext, TokenError>
    where
        E: From<MfaGrantError>,
        TokenError: From<E>,
    {
        let now = self.ports.clock.now();
        let cred = self
            .mfa_credential(token, now)
            .await?
            .map_err(refused::<E>)?;
        if cred.client_id() != &client.id {
            return Err(refused::<E>(MfaGrantError::MalformedToken));
        }
        let user = self
            .mfa_user(&cred)
            .await?
            .ok_or_else(|| refused::<E>(MfaGrantError::MalformedToken))?;
        if user.blocked {
            return Err(TokenError::Blocked);
        }
        let budget = self.macs.rate_key("mfa:fail", user.id.as_str());
        let rule = self.config.mfa.failures_per_user;
        let d: RateDecision = self.ports.rate_limiter.reserve(&budget, rule, now).await?;
        if !d.allowed {
            return Err(refused::<E>(MfaGrantError::TooManyAttempts(d)));
        }
        Ok(MfaContext {
            user,
            cred,
            budget,
            now,
        })
    }

    /// The user's authenticators of `factor` that this grant may check:
    /// with an `mfa_token`, the active ones (or, before the first
    /// enrollment is confirmed, the waiting ones); with an access token,
    /// the waiting ones it enrolled.
    pub(crate) async fn mfa_candidates(
        &self,
        ctx: &MfaContext,
        factor: impl Fn(Factor) -> bool,
    ) -> Result<Vec<Authenticator>, TokenError> {
        let all = self.ports.authenticators.list(&ctx.user.id).await?;
        let any_active = all.iter().any(|a| a.active);
        let want_active = matches!(ctx.cred, Credential::Transaction { .. }) && any_active;
        Ok(all
            .into_iter()
            .filter(|a| factor(a.factor) && a.active == want_active)
            .collect())
    }

    /// After the right second factor: the budget unit back, the first
    /// enrollment's recovery code confirmed with it, the `mfa_token` spent
    /// (exactly one concurrent grant wins it), and the first grant's
    /// request to mint, marked as passed with MFA.
    ///
    /// # Errors
    /// `E` when the token was spent meanwhile; storage.
    pub(crate) async fn finish_mfa_grant<E>(&self, ctx: MfaContext) -> Result<Proof, TokenError>
    where
        E: From<MfaGrantError>,
        TokenError: From<E>,
    {
        let rule = self.config.mfa.failures_per_user;
        self.ports
            .rate_limiter
            .release(&ctx.budget, rule, ctx.now)
            .await?;
        for a in self.ports.authenticators.list(&ctx.user.id).await? {
            if a.factor == Factor::RecoveryCode && !a.active {
                self.ports
                    .authenticators
                    .activate(&ctx.user.id, &a.id)
                    .await?;
            }
        }
        let (scope, audience, nonce) = match ctx.cred {
            Credential::Transaction { key, .. } => {
                let Some(crate::mfa::MfaTicket::Transaction(txn)) =
                    self.ports.mfa_transactions.take(&key, ctx.now).await?
                else {
                    return Err(refused::<E>(MfaGrantError::MalformedToken));
                };
                (txn.scope, txn.audience, txn.nonce)
            }
            Credential::Access { .. } => (None, None, None),
        };
        Ok(Proof {
            subject: Subject::Known(ctx.user).into(),
            scope,
            audience,
            nonce,
            refresh: RefreshPlan::NewFamilyIfAllowed,
            binding: Binding::Presented,
            mfa: true,
            recovery_code: None,
        })
    }
}
