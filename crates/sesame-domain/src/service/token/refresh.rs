//! The refresh-token grant, with rotation and reuse detection.
//!
//! The presented token is spent and replaced; presenting it again revokes
//! the whole family, as does presenting it from another client. A family
//! bound to a DPoP key is refreshed only with a proof of that key, checked
//! before the token is spent: a refusal is not reuse, and the family lives.

use secrecy::{ExposeSecret, SecretString};

use super::pipeline::{Binding, Caller, Proof, ProveUser};
use super::{Refusal, TokenError};
use crate::client::{Client, GrantType};
use crate::refresh::Rotation;
use crate::scope::Scope;
use crate::service::Passwordless;
use crate::service::mint::RefreshPlan;
use crate::service::sign_in::Subject;

/// `grant_type=refresh_token`.
#[derive(Debug, Clone)]
pub struct RefreshGrant {
    /// The refresh token.
    pub refresh_token: SecretString,
    /// A narrower scope, when asked for.
    pub scope: Option<String>,
}

/// Why a refresh token was refused.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Unknown, spent, revoked or expired token, another client's, or its
    /// user is gone.
    #[error("Unknown or invalid refresh token.")]
    InvalidToken,
    /// The requested scope is wider than the one granted at login.
    #[error("scope '{0}' was not granted to this refresh token")]
    ScopeNotGranted(String),
    /// The family is bound to a DPoP key and the request did not prove it.
    #[error("DPoP proof does not match the key the refresh token is bound to")]
    DpopKeyMismatch,
}

impl RefreshError {
    /// How the token endpoint classes it.
    #[must_use]
    pub const fn refusal(&self) -> Refusal {
        match self {
            Self::InvalidToken => Refusal::InvalidGrant,
            Self::ScopeNotGranted(_) => Refusal::InvalidScope,
            Self::DpopKeyMismatch => Refusal::InvalidDpopProof,
        }
    }
}

impl ProveUser for RefreshGrant {
    const GRANT: GrantType = GrantType::RefreshToken;

    type Checked = ();

    fn precheck(&self, _: &Client) -> Result<(), TokenError> {
        Ok(())
    }

    async fn prove(
        &self,
        svc: &Passwordless,
        client: &Client,
        (): (),
        caller: &Caller<'_>,
    ) -> Result<Proof, TokenError> {
        let now = svc.ports.clock.now();
        let presented = svc.macs.refresh_token(self.refresh_token.expose_secret());
        // A narrower scope and the DPoP key are checked before the token is
        // spent: a refused request must leave the token usable, or the
        // client's retry would look like reuse and revoke the whole session.
        let requested = match self.scope.as_deref().map(Scope::parse) {
            Some(Ok(s)) if !s.is_empty() => Some(s),
            Some(Err(e)) => return Err(TokenError::InvalidScope(e)),
            _ => None,
        };
        match svc.ports.refresh_tokens.find(&presented).await? {
            Some(record) => {
                caller.trace.user(&record.user_id);
                if let Some(s) = requested
                    .as_ref()
                    .filter(|s| !s.is_subset_of(&record.scope))
                {
                    return Err(RefreshError::ScopeNotGranted(s.to_string()).into());
                }
                if record.jkt.is_some() && record.jkt.as_ref() != caller.jkt.as_ref() {
                    return Err(RefreshError::DpopKeyMismatch.into());
                }
            }
            None => return Err(RefreshError::InvalidToken.into()),
        }
        let (replacement, replacement_mac) = svc.new_refresh_token();
        let rotation = svc
            .ports
            .refresh_tokens
            .rotate(
                &presented,
                &replacement_mac,
                now,
                svc.config.refresh_idle_lifetime,
            )
            .await?;
        let old = match rotation {
            Rotation::Rotated(old) => old,
            Rotation::Reused { family_id } => {
                caller.trace.reuse();
                tracing::warn!(%family_id, "refresh token reused: family revoked");
                return Err(RefreshError::InvalidToken.into());
            }
            Rotation::Invalid => return Err(RefreshError::InvalidToken.into()),
        };
        if old.client_id != client.id {
            // Another client holding this token means it leaked.
            svc.ports
                .refresh_tokens
                .revoke_family(&old.family_id)
                .await?;
            tracing::warn!(family_id = %old.family_id, "refresh token presented by another client: family revoked");
            return Err(RefreshError::InvalidToken.into());
        }
        // Re-checked against the spent record: the scope cannot have changed
        // since `find`, but the record is the authority.
        let granted = match requested {
            Some(s) if s.is_subset_of(&old.scope) => s,
            Some(s) => return Err(RefreshError::ScopeNotGranted(s.to_string()).into()),
            None => old.scope.clone(),
        };
        let user = svc
            .ports
            .users
            .get(&old.user_id)
            .await?
            .ok_or(RefreshError::InvalidToken)?;
        Ok(Proof {
            subject: Subject::Known(user).into(),
            scope: Some(granted),
            audience: old.audience,
            nonce: None,
            refresh: RefreshPlan::Rotated(replacement),
            binding: Binding::Family(old.jkt),
            mfa: old.mfa,
            recovery_code: None,
        })
    }
}
