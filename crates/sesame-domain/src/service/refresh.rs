//! The refresh-token grant, with rotation and reuse detection, and revocation.

use secrecy::ExposeSecret;

use super::errors::{RefreshError, RevokeError};
use super::mint::{Mint, MintError, RefreshPlan};
use super::requests::{RefreshRequest, RevokeRequest};
use super::{ClientAuth, Passwordless, scope};
use crate::client::GrantType;
use crate::code::MacPurpose;
use crate::refresh::Rotation;
use crate::token::TokenSet;

impl Passwordless {
    /// Trades a refresh token for a new token set and a replacement refresh
    /// token. The presented token is spent; presenting it again revokes the
    /// whole family, as does presenting it from another client.
    ///
    /// # Errors
    /// [`RefreshError`].
    pub async fn exchange_refresh(&self, req: RefreshRequest) -> Result<TokenSet, RefreshError> {
        let client = match self.authenticate(&req.client).await? {
            ClientAuth::Ok { client, .. } => client,
            ClientAuth::Unknown | ClientAuth::Invalid => return Err(RefreshError::InvalidClient),
        };
        if !client.allows_grant(GrantType::RefreshToken) {
            return Err(RefreshError::GrantNotAllowed(GrantType::RefreshToken));
        }
        let now = self.ports.clock.now();
        let presented = self.mac_key.mac(
            MacPurpose::RefreshToken,
            "",
            req.refresh_token.expose_secret(),
        );
        // A narrower scope is checked before the token is spent: a refused
        // request must leave the token usable, or the client's retry would
        // look like reuse and revoke the whole session. Only then is the
        // extra read paid for.
        let requested = match req.scope.as_deref().map(scope::parse) {
            Some(Ok(s)) if !s.is_empty() => Some(s),
            Some(Err(e)) => return Err(RefreshError::InvalidScope(e.to_string())),
            _ => None,
        };
        if let Some(s) = &requested {
            match self.ports.refresh_tokens.find(&presented).await? {
                Some(record) if !scope::is_subset(s, &record.scope) => {
                    return Err(not_granted(s));
                }
                Some(_) => {}
                None => return Err(RefreshError::InvalidToken),
            }
        }
        let (replacement, replacement_mac) = self.new_refresh_token();
        let rotation = self
            .ports
            .refresh_tokens
            .rotate(
                &presented,
                &replacement_mac,
                now,
                self.config.refresh_idle_lifetime,
            )
            .await?;
        let old = match rotation {
            Rotation::Rotated(old) => old,
            Rotation::Reused { family_id } => {
                tracing::warn!(%family_id, "refresh token reused: family revoked");
                return Err(RefreshError::InvalidToken);
            }
            Rotation::Invalid => return Err(RefreshError::InvalidToken),
        };
        if old.client_id != client.id {
            // Another client holding this token means it leaked.
            self.ports
                .refresh_tokens
                .revoke_family(&old.family_id)
                .await?;
            tracing::warn!(family_id = %old.family_id, "refresh token presented by another client: family revoked");
            return Err(RefreshError::InvalidToken);
        }
        // Re-checked against the spent record: the scope cannot have changed
        // since `find`, but the record is the authority.
        let granted = match requested {
            Some(s) if scope::is_subset(&s, &old.scope) => s,
            Some(s) => return Err(not_granted(&s)),
            None => old.scope.clone(),
        };
        let user = match self.ports.users.get(&old.user_id).await? {
            Some(u) if u.blocked => return Err(RefreshError::Blocked),
            Some(u) => u,
            None => return Err(RefreshError::InvalidToken),
        };
        let api = match &old.audience {
            Some(aud) => Some(
                self.ports
                    .apis
                    .get(aud)
                    .await?
                    .ok_or(RefreshError::InvalidToken)?,
            ),
            None => None,
        };
        self.mint(Mint {
            client: &client,
            user: &user,
            scope: granted,
            api: api.as_ref(),
            nonce: None,
            refresh: RefreshPlan::Rotated(replacement),
        })
        .await
        .map(|m| m.tokens)
        .map_err(|e| match e {
            MintError::Store(s) => s.into(),
            MintError::Key(k) => RefreshError::Unknown(k.into()),
            MintError::Token(t) => t.into(),
        })
    }

    /// Revokes a refresh token and its whole family (RFC 7009). Unknown
    /// tokens, and tokens of other clients, succeed without effect, so the
    /// answer reveals nothing about them.
    ///
    /// # Errors
    /// [`RevokeError::InvalidClient`] when the client's credentials fail.
    pub async fn revoke(&self, req: RevokeRequest) -> Result<(), RevokeError> {
        let client = match self.authenticate(&req.client).await? {
            ClientAuth::Ok { client, .. } => client,
            ClientAuth::Unknown | ClientAuth::Invalid => return Err(RevokeError::InvalidClient),
        };
        let mac = self
            .mac_key
            .mac(MacPurpose::RefreshToken, "", req.token.expose_secret());
        if let Some(record) = self.ports.refresh_tokens.find(&mac).await?
            && record.client_id == client.id
        {
            self.ports
                .refresh_tokens
                .revoke_family(&record.family_id)
                .await?;
        }
        Ok(())
    }
}

fn not_granted(scope: &str) -> RefreshError {
    RefreshError::InvalidScope(format!(
        "scope '{scope}' was not granted to this refresh token"
    ))
}
