//! What the router serves: the domain's roles, each behind its own trait
//! object, and the page renderer for the magic link's HTML.
//!
//! Production builds it from one service with [`Services::of`]; a handler
//! test replaces only the role it exercises with a mock.

use std::sync::Arc;

use sesame_domain::ports::PageRenderer;
use sesame_domain::service::{
    AllRoles, Discovery, IssueTokens, MagicLinks, ManageUsers, MultiFactor, Readiness, Revocation,
    StartLogin, UserInfo,
};

/// One implementation per role the HTTP edge calls.
#[derive(Clone)]
pub struct Services {
    /// `POST /passwordless/start`.
    pub start: Arc<dyn StartLogin>,
    /// `POST /oauth/token`.
    pub tokens: Arc<dyn IssueTokens>,
    /// `/passwordless/verify_redirect`.
    pub links: Arc<dyn MagicLinks>,
    /// `POST /oauth/revoke`.
    pub revocation: Arc<dyn Revocation>,
    /// `/userinfo`.
    pub userinfo: Arc<dyn UserInfo>,
    /// Discovery, the JWKS and the issuer.
    pub discovery: Arc<dyn Discovery>,
    /// `/readyz`.
    pub readiness: Arc<dyn Readiness>,
    /// The MFA API, `/mfa/…`.
    pub mfa: Arc<dyn MultiFactor>,
    /// The Management API subset, `/api/v2/…`.
    pub management: Arc<dyn ManageUsers>,
    /// The magic link's confirm and error pages.
    pub pages: Arc<dyn PageRenderer>,
}

impl Services {
    /// Every role served by `service`, pages rendered by `pages`.
    #[must_use]
    pub fn of<S: AllRoles>(service: &Arc<S>, pages: Arc<dyn PageRenderer>) -> Self {
        Self {
            start: Arc::clone(service) as Arc<dyn StartLogin>,
            tokens: Arc::clone(service) as Arc<dyn IssueTokens>,
            links: Arc::clone(service) as Arc<dyn MagicLinks>,
            revocation: Arc::clone(service) as Arc<dyn Revocation>,
            userinfo: Arc::clone(service) as Arc<dyn UserInfo>,
            discovery: Arc::clone(service) as Arc<dyn Discovery>,
            readiness: Arc::clone(service) as Arc<dyn Readiness>,
            mfa: Arc::clone(service) as Arc<dyn MultiFactor>,
            management: Arc::clone(service) as Arc<dyn ManageUsers>,
            pages,
        }
    }
}
