//! Client authentication: a confidential client proves itself with its
//! secret (compared as SHA-256 digests in constant time); a public client is
//! identified by its id alone.

use std::sync::Arc;

use secrecy::ExposeSecret;

use super::Passwordless;
use super::requests::ClientCredentials;
use crate::client::Client;
use crate::ports::StoreError;

/// The outcome of checking a client's credentials.
pub(crate) enum ClientAuth {
    /// The client exists and its credentials hold. `with_secret` says
    /// whether it proved itself with a secret (only confidential clients do).
    Ok {
        client: Arc<Client>,
        with_secret: bool,
    },
    /// Unknown client.
    Unknown,
    /// Known client, missing or wrong secret.
    Invalid,
}

impl Passwordless {
    /// Checks `creds` against the registry.
    pub(crate) async fn authenticate(
        &self,
        creds: &ClientCredentials,
    ) -> Result<ClientAuth, StoreError> {
        let Some(client) = self.ports.clients.get(&creds.client_id).await? else {
            return Ok(ClientAuth::Unknown);
        };
        Ok(match (&client.secret, &creds.client_secret) {
            (Some(hash), Some(presented)) if hash.verify(presented.expose_secret()) => {
                ClientAuth::Ok {
                    client,
                    with_secret: true,
                }
            }
            (Some(_), _) => ClientAuth::Invalid,
            (None, _) => ClientAuth::Ok {
                client,
                with_secret: false,
            },
        })
    }
}
