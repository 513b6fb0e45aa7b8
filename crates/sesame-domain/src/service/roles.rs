//! The service as the transport sees it: one small trait per role, so each
//! handler depends on what it calls and its tests mock only that.
//!
//! [`Passwordless`] implements every role. With the `mocks` feature each
//! trait also gets a mockall mock (`MockStartLogin`, `MockIssueTokens`, …)
//! for the transport's handler tests.

use async_trait::async_trait;

use super::management::{ListLogs, ListUsers, ManagementCaller, ManagementError, UserPatch};
use super::mfa::{
    AssociateRequest, AuthenticatorView, ChallengeAnswer, ChallengeRequest, Enrollment, MfaApiError,
};
use super::{
    Issuer, LinkApp, LinkError, LinkPreview, LinkRedirect, LinkRequest, Passwordless, RevokeError,
    RevokeRequest, StartError, StartRequest, Started, TokenError, TokenRequest, UserinfoError,
};
use crate::client::ClientId;
use crate::dpop::DpopProof;
use crate::event::{EventPage, EventQuery};
use crate::ports::StoreError;
use crate::profile::Profile;
use crate::token::TokenSet;
use crate::user::User;
use crate::user_query::{UserPage, UserQuery};

/// One backend's readiness.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackendStatus {
    /// The backend's short name.
    pub name: &'static str,
    /// Whether it answered.
    pub ready: bool,
}

/// `POST /passwordless/start`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait StartLogin: Send + Sync + 'static {
    /// See [`Passwordless::start`].
    async fn start(&self, req: StartRequest) -> Result<Started, StartError>;
}

/// `POST /oauth/token`, every grant.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait IssueTokens: Send + Sync + 'static {
    /// See [`Passwordless::token`].
    async fn token(&self, req: TokenRequest) -> Result<TokenSet, TokenError>;
    /// See [`Passwordless::dpop_nonce`].
    fn dpop_nonce(&self) -> String;
}

/// `/passwordless/verify_redirect`: the magic link's confirm page and POST.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait MagicLinks: Send + Sync + 'static {
    /// See [`Passwordless::inspect_link`].
    async fn inspect_link(&self, req: LinkRequest) -> Result<LinkPreview, LinkError>;
    /// See [`Passwordless::redeem_link`].
    async fn redeem_link(&self, req: LinkRequest) -> Result<LinkRedirect, LinkError>;
    /// See [`Passwordless::link_app`].
    async fn link_app(&self, client_id: &ClientId) -> Result<Option<LinkApp>, LinkError>;
    /// See [`Passwordless::link_confirmation`].
    fn link_confirmation(&self, verification_code: &str) -> String;
    /// See [`Passwordless::confirms_link`].
    fn confirms_link(&self, verification_code: &str, presented: &str) -> bool;
}

/// `POST /oauth/revoke`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Revocation: Send + Sync + 'static {
    /// See [`Passwordless::revoke`].
    async fn revoke(&self, req: RevokeRequest) -> Result<(), RevokeError>;
}

/// `GET|POST /userinfo`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait UserInfo: Send + Sync + 'static {
    /// See [`Passwordless::userinfo`].
    async fn userinfo(&self, access_token: &str) -> Result<Profile, UserinfoError>;
    /// See [`Passwordless::userinfo_dpop`].
    async fn userinfo_dpop(
        &self,
        access_token: &str,
        proof: &DpopProof,
    ) -> Result<Profile, UserinfoError>;
}

/// OIDC discovery and the JWKS.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Discovery: Send + Sync + 'static {
    /// The issuer, for discovery and links.
    fn issuer(&self) -> &Issuer;
    /// See [`Passwordless::jwks`].
    async fn jwks(&self) -> Result<serde_json::Value, StoreError>;
}

/// `GET /readyz`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait Readiness: Send + Sync + 'static {
    /// Asks every backend whether it can serve.
    async fn readiness(&self) -> Vec<BackendStatus>;
}

#[async_trait]
impl StartLogin for Passwordless {
    async fn start(&self, req: StartRequest) -> Result<Started, StartError> {
        Self::start(self, req).await
    }
}

#[async_trait]
impl IssueTokens for Passwordless {
    async fn token(&self, req: TokenRequest) -> Result<TokenSet, TokenError> {
        Self::token(self, req).await
    }

    fn dpop_nonce(&self) -> String {
        Self::dpop_nonce(self)
    }
}

#[async_trait]
impl MagicLinks for Passwordless {
    async fn inspect_link(&self, req: LinkRequest) -> Result<LinkPreview, LinkError> {
        Self::inspect_link(self, req).await
    }

    async fn redeem_link(&self, req: LinkRequest) -> Result<LinkRedirect, LinkError> {
        Self::redeem_link(self, req).await
    }

    async fn link_app(&self, client_id: &ClientId) -> Result<Option<LinkApp>, LinkError> {
        Self::link_app(self, client_id).await
    }

    fn link_confirmation(&self, verification_code: &str) -> String {
        Self::link_confirmation(self, verification_code)
    }

    fn confirms_link(&self, verification_code: &str, presented: &str) -> bool {
        Self::confirms_link(self, verification_code, presented)
    }
}

#[async_trait]
impl Revocation for Passwordless {
    async fn revoke(&self, req: RevokeRequest) -> Result<(), RevokeError> {
        Self::revoke(self, req).await
    }
}

#[async_trait]
impl UserInfo for Passwordless {
    async fn userinfo(&self, access_token: &str) -> Result<Profile, UserinfoError> {
        Self::userinfo(self, access_token).await
    }

    async fn userinfo_dpop(
        &self,
        access_token: &str,
        proof: &DpopProof,
    ) -> Result<Profile, UserinfoError> {
        Self::userinfo_dpop(self, access_token, proof).await
    }
}

#[async_trait]
impl Discovery for Passwordless {
    fn issuer(&self) -> &Issuer {
        &self.config.issuer
    }

    async fn jwks(&self) -> Result<serde_json::Value, StoreError> {
        Self::jwks(self).await
    }
}

#[async_trait]
impl Readiness for Passwordless {
    async fn readiness(&self) -> Vec<BackendStatus> {
        let mut out = Vec::with_capacity(self.health.len());
        // Sequential on purpose: a handful of backends, and no executor here.
        for h in &self.health {
            out.push(BackendStatus {
                name: h.name(),
                ready: h.check().await.is_ok(),
            });
        }
        out
    }
}

/// Every role: what the transport needs of a whole service.
pub trait AllRoles:
    StartLogin
    + IssueTokens
    + MagicLinks
    + Revocation
    + UserInfo
    + Discovery
    + Readiness
    + MultiFactor
    + ManageUsers
{
}

impl<T> AllRoles for T where
    T: StartLogin
        + IssueTokens
        + MagicLinks
        + Revocation
        + UserInfo
        + Discovery
        + Readiness
        + MultiFactor
        + ManageUsers
{
}

/// The Management API subset, `/api/v2/…`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait ManageUsers: Send + Sync + 'static {
    /// See [`Passwordless::management_caller`].
    async fn management_caller(&self, bearer: &str) -> Result<ManagementCaller, ManagementError>;
    /// See [`Passwordless::management_user`].
    async fn management_user(
        &self,
        caller: &ManagementCaller,
        id: &str,
    ) -> Result<User, ManagementError>;
    /// See [`Passwordless::management_users_by_email`].
    async fn management_users_by_email(
        &self,
        caller: &ManagementCaller,
        email: &str,
    ) -> Result<Vec<User>, ManagementError>;
    /// See [`Passwordless::management_update_user`].
    async fn management_update_user(
        &self,
        caller: &ManagementCaller,
        id: &str,
        patch: &UserPatch,
    ) -> Result<User, ManagementError>;
    /// See [`Passwordless::management_revoke_refresh_tokens`].
    async fn management_revoke_refresh_tokens(
        &self,
        caller: &ManagementCaller,
        id: &str,
    ) -> Result<(), ManagementError>;
    /// See [`Passwordless::management_list_users`].
    async fn management_list_users(
        &self,
        caller: &ManagementCaller,
        params: &ListUsers,
    ) -> Result<(UserQuery, UserPage), ManagementError>;
    /// See [`Passwordless::management_delete_user`].
    async fn management_delete_user(
        &self,
        caller: &ManagementCaller,
        id: &str,
    ) -> Result<(), ManagementError>;
    /// See [`Passwordless::management_active_users`].
    async fn management_active_users(
        &self,
        caller: &ManagementCaller,
    ) -> Result<u64, ManagementError>;
    /// See [`Passwordless::management_logs`].
    async fn management_logs<'a>(
        &self,
        caller: &ManagementCaller,
        params: &ListLogs,
        user: Option<&'a str>,
    ) -> Result<(EventQuery, EventPage), ManagementError>;
}

#[async_trait]
impl ManageUsers for Passwordless {
    async fn management_caller(&self, bearer: &str) -> Result<ManagementCaller, ManagementError> {
        Self::management_caller(self, bearer).await
    }
    async fn management_user(
        &self,
        caller: &ManagementCaller,
        id: &str,
    ) -> Result<User, ManagementError> {
        Self::management_user(self, caller, id).await
    }
    async fn management_users_by_email(
        &self,
        caller: &ManagementCaller,
        email: &str,
    ) -> Result<Vec<User>, ManagementError> {
        Self::management_users_by_email(self, caller, email).await
    }
    async fn management_update_user(
        &self,
        caller: &ManagementCaller,
        id: &str,
        patch: &UserPatch,
    ) -> Result<User, ManagementError> {
        Self::management_update_user(self, caller, id, patch).await
    }
    async fn management_revoke_refresh_tokens(
        &self,
        caller: &ManagementCaller,
        id: &str,
    ) -> Result<(), ManagementError> {
        Self::management_revoke_refresh_tokens(self, caller, id).await
    }
    async fn management_list_users(
        &self,
        caller: &ManagementCaller,
        params: &ListUsers,
    ) -> Result<(UserQuery, UserPage), ManagementError> {
        Self::management_list_users(self, caller, params).await
    }
    async fn management_logs<'a>(
        &self,
        caller: &ManagementCaller,
        params: &ListLogs,
        user: Option<&'a str>,
    ) -> Result<(EventQuery, EventPage), ManagementError> {
        Self::management_logs(self, caller, params, user).await
    }
    async fn management_active_users(
        &self,
        caller: &ManagementCaller,
    ) -> Result<u64, ManagementError> {
        Self::management_active_users(self, caller).await
    }
    async fn management_delete_user(
        &self,
        caller: &ManagementCaller,
        id: &str,
    ) -> Result<(), ManagementError> {
        Self::management_delete_user(self, caller, id).await
    }
}

/// The MFA API: `/mfa/authenticators`, `/mfa/associate`, `/mfa/challenge`.
#[cfg_attr(feature = "mocks", mockall::automock)]
#[async_trait]
pub trait MultiFactor: Send + Sync + 'static {
    /// See [`Passwordless::list_authenticators`].
    async fn list_authenticators(
        &self,
        bearer: &str,
    ) -> Result<Vec<AuthenticatorView>, MfaApiError>;
    /// See [`Passwordless::delete_authenticator`].
    async fn delete_authenticator(&self, bearer: &str, id: &str) -> Result<(), MfaApiError>;
    /// See [`Passwordless::associate`].
    async fn associate(&self, req: AssociateRequest) -> Result<Enrollment, MfaApiError>;
    /// See [`Passwordless::challenge`].
    async fn challenge(&self, req: ChallengeRequest) -> Result<ChallengeAnswer, MfaApiError>;
}

#[async_trait]
impl MultiFactor for Passwordless {
    async fn list_authenticators(
        &self,
        bearer: &str,
    ) -> Result<Vec<AuthenticatorView>, MfaApiError> {
        Self::list_authenticators(self, bearer).await
    }
    async fn delete_authenticator(&self, bearer: &str, id: &str) -> Result<(), MfaApiError> {
        Self::delete_authenticator(self, bearer, id).await
    }
    async fn associate(&self, req: AssociateRequest) -> Result<Enrollment, MfaApiError> {
        Self::associate(self, req).await
    }
    async fn challenge(&self, req: ChallengeRequest) -> Result<ChallengeAnswer, MfaApiError> {
        Self::challenge(self, req).await
    }
}
