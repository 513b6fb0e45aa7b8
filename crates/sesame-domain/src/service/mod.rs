//! The use cases: start a passwordless login, answer token requests (one
//! pipeline for every grant), check and spend magic links, revoke refresh
//! tokens, answer `/userinfo`, publish the JWKS.

mod client_auth;
mod config;
mod deps;
mod dpop;
mod errors;
mod keyring;
pub mod link;
mod macs;
mod mint;
mod requests;
mod revoke;
mod roles;
mod sign_in;
mod start;
pub mod token;
mod userinfo;

use std::sync::Arc;

pub use config::{InvalidIssuer, Issuer, PasswordlessConfig};
pub use deps::Ports;
pub use errors::{RevokeError, StartError, UserinfoError};
pub use keyring::{KeyError, KeyInfo, KeyState};
pub use link::{LinkApp, LinkError, LinkPreview, LinkRedirect, LinkRequest};
pub use requests::{ClientCredentials, RevokeRequest, StartRequest, Started};
pub use roles::{
    AllRoles, BackendStatus, Discovery, IssueTokens, MagicLinks, Readiness, Revocation, StartLogin,
    UserInfo,
};
#[cfg(feature = "mocks")]
pub use roles::{
    MockDiscovery, MockIssueTokens, MockMagicLinks, MockReadiness, MockRevocation, MockStartLogin,
    MockUserInfo,
};
pub use token::{
    CodeGrant, CodeGrantError, Grant, GrantError, OtpError, OtpGrant, RefreshError, RefreshGrant,
    Refusal, TokenError, TokenRequest,
};

use crate::code::MacKey;
use crate::ports::HealthCheck;
pub use crate::profile::Profile;
use keyring::KeyRing;
use macs::Macs;

/// The passwordless service: every use case, over one set of [`Ports`].
///
/// Share it behind an `Arc`; all methods take `&self`. The transport sees it
/// through the role traits ([`StartLogin`], [`IssueTokens`], …), one per
/// endpoint family.
pub struct Passwordless {
    ports: Ports,
    config: PasswordlessConfig,
    macs: Macs,
    keyring: KeyRing,
    health: Vec<Arc<dyn HealthCheck>>,
}

impl Passwordless {
    /// A service over `ports` with `config`, keying every MAC with `mac_key`.
    #[must_use]
    pub fn new(ports: Ports, config: PasswordlessConfig, mac_key: MacKey) -> Self {
        Self {
            ports,
            config,
            macs: Macs::new(mac_key),
            keyring: KeyRing::default(),
            health: Vec::new(),
        }
    }

    /// Adds backends for [`Readiness::readiness`] to ask.
    #[must_use]
    pub fn with_health_checks(mut self, checks: Vec<Arc<dyn HealthCheck>>) -> Self {
        self.health.extend(checks);
        self
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
}
