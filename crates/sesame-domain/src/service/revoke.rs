//! `POST /oauth/revoke`: revoking a refresh token and its family (RFC 7009).

use secrecy::ExposeSecret;

use super::Passwordless;
use super::client_auth::ClientAuth;
use super::errors::RevokeError;
use super::requests::RevokeRequest;

impl Passwordless {
    /// Revokes a refresh token and its whole family. Unknown tokens, and
    /// tokens of other clients, succeed without effect, so the answer
    /// reveals nothing about them.
    ///
    /// # Errors
    /// [`RevokeError::InvalidClient`] when the client's credentials fail.
    pub async fn revoke(&self, req: RevokeRequest) -> Result<(), RevokeError> {
        let client = match self.authenticate(&req.client).await? {
            ClientAuth::Ok { client, .. } => client,
            ClientAuth::Unknown | ClientAuth::Invalid => return Err(RevokeError::InvalidClient),
        };
        let mac = self.macs.refresh_token(req.token.expose_secret());
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
