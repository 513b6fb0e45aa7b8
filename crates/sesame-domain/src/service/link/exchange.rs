//! `POST /oauth/token` with `grant_type=authorization_code`: the one
//! exchange of the code a spent magic link handed the app's callback.

use secrecy::ExposeSecret;

use super::CodeRequest;
use super::errors::CodeGrantError;
use crate::authorization::{Redemption, is_pkce_value, pkce_s256_matches};
use crate::client::GrantType;
use crate::code::MacPurpose;
use crate::service::mint::{Mint, MintError, RefreshPlan};
use crate::service::{ClientAuth, Passwordless};
use crate::token::TokenSet;

impl Passwordless {
    /// Exchanges an authorization code for tokens.
    ///
    /// A code is good once, for a minute, for the client it was issued to,
    /// at the `redirect_uri` it went to, and with the PKCE verifier of the
    /// start request's `code_challenge`. Presenting a spent code again
    /// revokes the refresh token its first exchange produced (RFC 6749
    /// §4.1.2); access and id tokens are self-contained JWTs and live out
    /// their (short) lifetime.
    ///
    /// # Errors
    /// [`CodeGrantError`].
    pub async fn exchange_code(&self, req: CodeRequest) -> Result<TokenSet, CodeGrantError> {
        let client = match self.authenticate(&req.client).await? {
            ClientAuth::Ok { client, .. } => client,
            ClientAuth::Unknown | ClientAuth::Invalid => return Err(CodeGrantError::InvalidClient),
        };
        if !client.allows_grant(GrantType::AuthorizationCode) {
            return Err(CodeGrantError::GrantNotAllowed(
                GrantType::AuthorizationCode,
            ));
        }
        let now = self.ports.clock.now();
        let mac = self
            .mac_key
            .mac(MacPurpose::AuthorizationCode, "", req.code.expose_secret());
        let record = match self.ports.authorization_codes.redeem(&mac, now).await? {
            Redemption::Redeemed(r) => r,
            Redemption::Invalid => return Err(CodeGrantError::InvalidGrant),
            Redemption::Reused { family_id } => {
                if let Some(f) = family_id {
                    self.ports.refresh_tokens.revoke_family(&f).await?;
                }
                tracing::warn!(client_id = %client.id.as_str(), "authorization code replayed: the tokens of its first exchange are revoked");
                return Err(CodeGrantError::InvalidGrant);
            }
        };
        // Checked after spending on purpose: a code presented by the wrong
        // client or at the wrong URI has leaked, and must not be tried again.
        if record.client_id != client.id {
            return Err(CodeGrantError::InvalidGrant);
        }
        if let Some(uri) = &req.redirect_uri
            && *uri != record.redirect_uri
        {
            return Err(CodeGrantError::InvalidGrant);
        }
        match (&record.code_challenge, &req.code_verifier) {
            (Some(challenge), Some(v))
                if is_pkce_value(v.expose_secret())
                    && pkce_s256_matches(v.expose_secret(), challenge) => {}
            // A verifier without a challenge is a downgrade attempt.
            (Some(_), _) | (None, Some(_)) => return Err(CodeGrantError::InvalidVerifier),
            // Only confidential clients get codes without PKCE (start
            // refuses a public client's link without a code_challenge).
            (None, None) if !client.is_confidential() => {
                return Err(CodeGrantError::InvalidVerifier);
            }
            (None, None) => {}
        }

        let user = self
            .ports
            .users
            .get(&record.user_id)
            .await?
            .ok_or(CodeGrantError::InvalidGrant)?;
        if user.blocked {
            return Err(CodeGrantError::Blocked);
        }
        let api = match &record.audience {
            Some(aud) => Some(self.ports.apis.get(aud).await?.ok_or_else(|| {
                CodeGrantError::Unknown(anyhow::anyhow!("the code's API is no longer registered"))
            })?),
            None => None,
        };
        let refresh = if client.magic_link.refresh_tokens {
            RefreshPlan::NewFamilyIfAllowed
        } else {
            RefreshPlan::None
        };
        let minted = self
            .mint(Mint {
                client: &client,
                user: &user,
                scope: record.scope.clone(),
                api: api.as_ref(),
                nonce: record.nonce.as_deref(),
                refresh,
            })
            .await?;
        if let Some(family) = &minted.family_id
            && !self
                .ports
                .authorization_codes
                .record_family(&mac, family)
                .await?
        {
            // Replayed while we were minting: the replay could not see the
            // family, so it is revoked here and this exchange fails too.
            self.ports.refresh_tokens.revoke_family(family).await?;
            return Err(CodeGrantError::InvalidGrant);
        }
        Ok(minted.tokens)
    }
}

impl From<MintError> for CodeGrantError {
    fn from(e: MintError) -> Self {
        match e {
            MintError::Store(s) => s.into(),
            MintError::Key(k) => Self::Unknown(k.into()),
            MintError::Token(t) => t.into(),
        }
    }
}
