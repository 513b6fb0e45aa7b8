//! The use cases: start a passwordless login, redeem its code, refresh and
//! revoke tokens, answer `/userinfo`, publish the JWKS.

mod api;
mod config;
mod deps;
mod errors;
mod keyring;
pub mod link;
mod mint;
mod otp;
mod refresh;
mod requests;
pub mod scope;
mod start;
mod userinfo;

use std::sync::Arc;

use secrecy::ExposeSecret;

pub use api::{AuthService, BackendStatus};
pub use config::{InvalidIssuer, Issuer, PasswordlessConfig};
pub use deps::Ports;
pub use errors::{OtpError, RefreshError, RevokeError, StartError, UserinfoError};
pub use link::{
    CodeGrantError, CodeRequest, LinkApp, LinkError, LinkPreview, LinkRedirect, LinkRequest,
};
pub use requests::{
    ClientCredentials, OtpRequest, Profile, RefreshRequest, RevokeRequest, StartRequest, Started,
};

use crate::client::Client;
use crate::code::{MacKey, MacPurpose};
use crate::ports::{HealthCheck, StoreError};
use crate::recipient::Recipient;
use keyring::KeyRing;

/// The passwordless service: every use case, over one set of [`Ports`].
///
/// Share it behind an `Arc`; all methods take `&self`.
pub struct Passwordless {
    ports: Ports,
    config: PasswordlessConfig,
    mac_key: MacKey,
    keyring: KeyRing,
    health: Vec<Arc<dyn HealthCheck>>,
}

/// The outcome of checking a client's credentials.
#[expect(
    clippy::large_enum_variant,
    reason = "lives on the stack for one request; boxing would allocate on every request"
)]
enum ClientAuth {
    /// The client exists and its credentials hold. `with_secret` says
    /// whether it proved itself with a secret (only confidential clients do).
    Ok { client: Client, with_secret: bool },
    /// Unknown client.
    Unknown,
    /// Known client, missing or wrong secret.
    Invalid,
}

impl Passwordless {
    /// A service over `ports` with `config`, keying code MACs with `mac_key`.
    #[must_use]
    pub fn new(ports: Ports, config: PasswordlessConfig, mac_key: MacKey) -> Self {
        Self {
            ports,
            config,
            mac_key,
            keyring: KeyRing::default(),
            health: Vec::new(),
        }
    }

    /// The rules in force.
    #[must_use]
    pub const fn config(&self) -> &PasswordlessConfig {
        &self.config
    }

    /// The adapters in use.
    #[must_use]
    pub const fn ports(&self) -> &Ports {
        &self.ports
    }

    /// Checks `creds`: a confidential client must present its secret; a
    /// public client is identified by its id alone.
    async fn authenticate(&self, creds: &ClientCredentials) -> Result<ClientAuth, StoreError> {
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

    /// A rate-limit key for `recipient` that does not reveal it: counters
    /// live in shared caches that operators can list.
    fn recipient_key(&self, prefix: &str, recipient: &Recipient) -> String {
        self.private_key(
            &format!("{prefix}:{}", recipient.connection()),
            recipient.as_str(),
        )
    }

    /// `{prefix}:{MAC of value}`: a counter key that does not reveal the
    /// address or IP it counts.
    fn private_key(&self, prefix: &str, value: &str) -> String {
        let mac = self.mac_key.mac(MacPurpose::RateLimitKey, prefix, value);
        format!("{prefix}:{}", &mac.to_hex()[..32])
    }
}
