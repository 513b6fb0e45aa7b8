//! The authorization-code grant: the one exchange of the code a spent magic
//! link handed the app's callback.
//!
//! A code is good once, for a minute, for the client it was issued to, at
//! the `redirect_uri` it went to (which the exchange must name when the
//! start named it, or when a public client's code has no PKCE), and with
//! the PKCE verifier of the start request's `code_challenge`. Presenting a spent code again revokes the
//! refresh token its first exchange produced (RFC 6749 §4.1.2); access and
//! id tokens are self-contained JWTs and live out their (short) lifetime.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use super::pipeline::{Binding, Caller, Proof, ProveUser};
use super::{Refusal, TokenError};
use crate::authorization::Redemption;
use crate::client::{Client, GrantType};
use crate::service::Passwordless;
use crate::service::mint::RefreshPlan;
use crate::service::sign_in::Subject;

/// `grant_type=authorization_code`.
#[derive(Clone)]
pub struct CodeGrant {
    /// `code`.
    pub code: SecretString,
    /// `redirect_uri`; when given it must be the one the code went to, and
    /// it must be given when the code says so.
    pub redirect_uri: Option<String>,
    /// `code_verifier` (PKCE).
    pub code_verifier: Option<SecretString>,
}

impl fmt::Debug for CodeGrant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeGrant")
            .field("code_verifier", &self.code_verifier.is_some())
            .finish_non_exhaustive()
    }
}

/// Why an authorization code was refused.
#[derive(Debug, thiserror::Error)]
pub enum CodeGrantError {
    /// Unknown, expired or used code, another client's code, or another
    /// `redirect_uri`: one answer (RFC 6749 §5.2 `invalid_grant`).
    #[error("Invalid authorization code")]
    InvalidGrant,
    /// The PKCE `code_verifier` is missing, malformed or does not match.
    #[error("Failed to verify code verifier")]
    InvalidVerifier,
}

impl CodeGrantError {
    /// How the token endpoint classes it: Auth0 answers both with 403
    /// `invalid_grant`.
    #[must_use]
    pub const fn refusal(&self) -> Refusal {
        Refusal::InvalidGrant
    }
}

impl ProveUser for CodeGrant {
    const GRANT: GrantType = GrantType::AuthorizationCode;

    type Checked = ();

    fn precheck(&self, _: &Client) -> Result<(), TokenError> {
        Ok(())
    }

    async fn prove(
        &self,
        svc: &Passwordless,
        client: &Client,
        (): (),
        _caller: &Caller<'_>,
    ) -> Result<Proof, TokenError> {
        let now = svc.ports.clock.now();
        let mac = svc.macs.authorization_code(self.code.expose_secret());
        let record = match svc.ports.authorization_codes.redeem(&mac, now).await? {
            Redemption::Redeemed(r) => r,
            Redemption::Invalid => return Err(CodeGrantError::InvalidGrant.into()),
            Redemption::Reused { family_id } => {
                if let Some(f) = family_id {
                    svc.ports.refresh_tokens.revoke_family(&f).await?;
                }
                tracing::warn!(client_id = %client.id.as_str(), "authorization code replayed: the tokens of its first exchange are revoked");
                return Err(CodeGrantError::InvalidGrant.into());
            }
        };
        // Checked after spending on purpose: a code presented by the wrong
        // client or at the wrong URI has leaked, and must not be tried again.
        if record.client_id != client.id {
            return Err(CodeGrantError::InvalidGrant.into());
        }
        match self.redirect_uri.as_deref() {
            Some(uri) if uri != record.redirect_uri.as_str() => {
                return Err(CodeGrantError::InvalidGrant.into());
            }
            None if record.redirect_uri_required => {
                return Err(CodeGrantError::InvalidGrant.into());
            }
            _ => {}
        }
        match (&record.code_challenge, &self.code_verifier) {
            (Some(challenge), Some(v)) if challenge.is_verified_by(v.expose_secret()) => {}
            // A verifier without a challenge is a downgrade attempt.
            (Some(_), _) | (None, Some(_)) => return Err(CodeGrantError::InvalidVerifier.into()),
            // A client that now demands PKCE gets no code without it.
            (None, None) if !client.is_confidential() && client.magic_link.require_pkce => {
                return Err(CodeGrantError::InvalidVerifier.into());
            }
            (None, None) => {}
        }
        let user = svc
            .ports
            .users
            .get(&record.user_id)
            .await?
            .ok_or(CodeGrantError::InvalidGrant)?;
        Ok(Proof {
            subject: Subject::Known(user).into(),
            scope: Some(record.scope),
            audience: record.audience,
            nonce: record.nonce,
            refresh: if client.magic_link.refresh_tokens {
                RefreshPlan::NewFamilyIfAllowed
            } else {
                RefreshPlan::None
            },
            binding: Binding::Presented,
            mfa: false,
            recovery_code: None,
        })
    }

    async fn minted(&self, svc: &Passwordless, family_id: Option<&str>) -> Result<(), TokenError> {
        let Some(family) = family_id else {
            return Ok(());
        };
        let mac = svc.macs.authorization_code(self.code.expose_secret());
        if svc
            .ports
            .authorization_codes
            .record_family(&mac, family)
            .await?
        {
            return Ok(());
        }
        // Replayed while we were minting: the replay could not see the
        // family, so it is revoked here and this exchange fails too.
        svc.ports.refresh_tokens.revoke_family(family).await?;
        Err(CodeGrantError::InvalidGrant.into())
    }
}
