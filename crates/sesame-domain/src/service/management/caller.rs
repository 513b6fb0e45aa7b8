//! Who calls the Management API: the access token, checked once per call,
//! and the client's request budget.

use crate::client::ClientId;
use crate::event::EventType;
use crate::scope::Scope;
use crate::service::Passwordless;
use crate::service::events::Origin;

use super::ManagementError;

/// A verified Management API token.
#[derive(Debug, Clone)]
pub struct ManagementCaller {
    /// The client it was issued to.
    pub client_id: ClientId,
    /// `{client_id}@clients` for a client's own token, else the user's id.
    pub sub: String,
    /// Its scope.
    pub scope: Scope,
}

impl ManagementCaller {
    /// Passes when the token has `scope`.
    ///
    /// # Errors
    /// [`ManagementError::InsufficientScope`].
    pub fn needs(&self, scope: &'static str) -> Result<(), ManagementError> {
        if self.scope.contains(scope) {
            Ok(())
        } else {
            Err(ManagementError::InsufficientScope(scope))
        }
    }
}

impl Passwordless {
    /// Checks `bearer` for the Management API and counts the call against
    /// its client's budget per minute.
    ///
    /// # Errors
    /// [`ManagementError::InvalidToken`] for a token that does not verify,
    /// has expired, is for another API or is DPoP-bound;
    /// [`ManagementError::RateLimited`] past the budget; storage.
    pub async fn management_caller(
        &self,
        bearer: &str,
    ) -> Result<ManagementCaller, ManagementError> {
        let keys = self.active_keys().await?;
        let claims = self
            .ports
            .minter
            .verify_access(bearer, &keys, self.config.issuer.as_str())
            .map_err(|_| ManagementError::InvalidToken)?;
        let now = self.ports.clock.now();
        if claims.exp <= now.unix_seconds()
            || !claims.aud.contains(&self.management_audience())
            || claims.cnf.is_some()
        {
            return Err(ManagementError::InvalidToken);
        }
        let (Ok(client_id), Ok(scope)) =
            (ClientId::parse(&claims.azp), Scope::parse(&claims.scope))
        else {
            return Err(ManagementError::InvalidToken);
        };
        // Only a client's own token carries management scopes; a user's is
        // held to reading that user, whatever it says (defence in depth
        // beside the scope policy that mints it).
        let scope = if claims.gty.as_deref() == Some("client-credentials") {
            scope
        } else {
            scope.retain(|s| s == "read:current_user")
        };
        let key = self.macs.rate_key("mgmt:client", client_id.as_str());
        let decision = self
            .ports
            .rate_limiter
            .reserve(&key, self.config.management_requests_per_client, now)
            .await?;
        if !decision.allowed {
            // Only a client holding a valid token gets here, and only its
            // first refusal of each window is logged.
            let origin = Origin {
                client_id: Some(client_id.as_str()),
                ..Origin::default()
            };
            if self.first_limit_event(EventType::ApiLimit, origin, Some(decision.reset_at)) {
                self.emit(self.event(
                    EventType::ApiLimit,
                    "The Management API rate limit for this client has been reached",
                    origin,
                ));
            }
            return Err(ManagementError::RateLimited(decision));
        }
        Ok(ManagementCaller {
            client_id,
            sub: claims.sub,
            scope,
        })
    }
}
