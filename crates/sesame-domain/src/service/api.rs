//! The service as the transport sees it: one object-safe trait, so the HTTP
//! layer is generic over it and its handlers can be tested against a mock.

use std::sync::Arc;

use async_trait::async_trait;

use super::{
    CodeGrantError, CodeRequest, Issuer, LinkApp, LinkError, LinkPreview, LinkRedirect,
    LinkRequest, OtpError, OtpRequest, Passwordless, Profile, RefreshError, RefreshRequest,
    RevokeError, RevokeRequest, StartError, StartRequest, Started, UserinfoError,
};
use crate::client::ClientId;
use crate::ports::{HealthCheck, StoreError};
use crate::token::TokenSet;

/// One backend's readiness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendStatus {
    /// The backend's short name.
    pub name: &'static str,
    /// Whether it answered.
    pub ready: bool,
}

/// Everything the HTTP edge asks of the domain.
#[async_trait]
pub trait AuthService: Send + Sync + 'static {
    /// The issuer, for discovery and links.
    fn issuer(&self) -> &Issuer;
    /// See [`Passwordless::start`].
    async fn start(&self, req: StartRequest) -> Result<Started, StartError>;
    /// See [`Passwordless::exchange_otp`].
    async fn exchange_otp(&self, req: OtpRequest) -> Result<TokenSet, OtpError>;
    /// See [`Passwordless::exchange_refresh`].
    async fn exchange_refresh(&self, req: RefreshRequest) -> Result<TokenSet, RefreshError>;
    /// See [`Passwordless::exchange_code`].
    async fn exchange_code(&self, req: CodeRequest) -> Result<TokenSet, CodeGrantError>;
    /// See [`Passwordless::inspect_link`].
    async fn inspect_link(&self, req: LinkRequest) -> Result<LinkPreview, LinkError>;
    /// See [`Passwordless::redeem_link`].
    async fn redeem_link(&self, req: LinkRequest) -> Result<LinkRedirect, LinkError>;
    /// See [`Passwordless::link_app`].
    async fn link_app(&self, client_id: &ClientId) -> Result<Option<LinkApp>, LinkError>;
    /// See [`Passwordless::revoke`].
    async fn revoke(&self, req: RevokeRequest) -> Result<(), RevokeError>;
    /// See [`Passwordless::userinfo`].
    async fn userinfo(&self, access_token: &str) -> Result<Profile, UserinfoError>;
    /// See [`Passwordless::jwks`].
    async fn jwks(&self) -> Result<serde_json::Value, StoreError>;
    /// Asks every backend whether it can serve.
    async fn readiness(&self) -> Vec<BackendStatus>;
}

impl Passwordless {
    /// Adds backends for [`AuthService::readiness`] to ask.
    #[must_use]
    pub fn with_health_checks(mut self, checks: Vec<Arc<dyn HealthCheck>>) -> Self {
        self.health.extend(checks);
        self
    }
}

#[async_trait]
impl AuthService for Passwordless {
    fn issuer(&self) -> &Issuer {
        &self.config.issuer
    }

    async fn start(&self, req: StartRequest) -> Result<Started, StartError> {
        Self::start(self, req).await
    }

    async fn exchange_otp(&self, req: OtpRequest) -> Result<TokenSet, OtpError> {
        Self::exchange_otp(self, req).await
    }

    async fn exchange_refresh(&self, req: RefreshRequest) -> Result<TokenSet, RefreshError> {
        Self::exchange_refresh(self, req).await
    }

    async fn revoke(&self, req: RevokeRequest) -> Result<(), RevokeError> {
        Self::revoke(self, req).await
    }

    async fn exchange_code(&self, req: CodeRequest) -> Result<TokenSet, CodeGrantError> {
        Self::exchange_code(self, req).await
    }

    async fn inspect_link(&self, req: LinkRequest) -> Result<LinkPreview, LinkError> {
        Self::inspect_link(self, req).await
    }

    async fn redeem_link(&self, req: LinkRequest) -> Result<LinkRedirect, LinkError> {
        Self::redeem_link(self, req).await
    }

    async fn link_app(&self, client_id: &ClientId) -> Result<Option<LinkApp>, LinkError> {
        Self::link_app(self, client_id).await
    }

    async fn userinfo(&self, access_token: &str) -> Result<Profile, UserinfoError> {
        Self::userinfo(self, access_token).await
    }

    async fn jwks(&self) -> Result<serde_json::Value, StoreError> {
        Self::jwks(self).await
    }

    async fn readiness(&self) -> Vec<BackendStatus> {
        let checks = self.health.iter().map(|h| async move {
            BackendStatus {
                name: h.name(),
                ready: h.check().await.is_ok(),
            }
        });
        let mut out = Vec::with_capacity(self.health.len());
        // Sequential on purpose: a handful of backends, and no executor here.
        for c in checks {
            out.push(c.await);
        }
        out
    }
}
