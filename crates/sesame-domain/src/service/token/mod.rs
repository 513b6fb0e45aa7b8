//! `POST /oauth/token`: one request type, one entry point, one pipeline.
//!
//! Every grant goes through [`Passwordless::token`]: the client is
//! authenticated, the grant must be allowed, the API and scope are
//! resolved, the user policy is applied (exists, not blocked) and tokens are
//! minted, in that order and in one place (`pipeline.rs`). A grant
//! contributes only how the user proves who they are: a one-time code
//! (`otp.rs`), an authorization code from a magic link (`code.rs`) or a
//! refresh token (`refresh.rs`).
//!
//! Adding a grant is one new file here, implementing the pipeline's
//! `ProveUser`, plus its line in the `grants!` list below (and its name in
//! [`GrantType`], which clients are configured with), and one arm at the
//! HTTP edge that builds its request. `docs/ARCHITECTURE.md` walks through it.

mod client_credentials;
mod code;
mod errors;
mod failure_budget;
mod ip_failures;
mod mfa_oob;
mod mfa_otp;
mod mfa_recovery;
mod otp;
pub(crate) mod pipeline;
mod refresh;

use std::net::IpAddr;

use crate::client::GrantType;
use crate::dpop::DpopProof;
use crate::token::TokenSet;

pub use client_credentials::{ClientCredentialsError, ClientCredentialsGrant};
pub use code::{CodeGrant, CodeGrantError};
pub use errors::{Refusal, TokenError};
pub use ip_failures::SUSPICIOUS_IP_MESSAGE;
pub use mfa_oob::{MfaOobError, MfaOobGrant};
pub use mfa_otp::{MfaOtpError, MfaOtpGrant};
pub use mfa_recovery::{MfaRecoveryError, MfaRecoveryGrant};
pub use otp::{OtpError, OtpGrant};
pub use refresh::{RefreshError, RefreshGrant};

use super::Passwordless;
use super::events::{Origin, Trace};
use super::requests::ClientCredentials;

/// Declares the grants: the [`Grant`] request enum, the [`GrantError`] enum
/// of their own refusals, and the dispatch from one to the pipeline.
macro_rules! grants {
    ($($(#[$doc:meta])* $variant:ident($grant:ty, $error:ty) = $grant_type:expr;)+) => {
        /// What a token request presents to prove the user, one arm per grant.
        #[derive(Debug, Clone)]
        pub enum Grant {
            $($(#[$doc])* $variant($grant),)+
        }

        impl Grant {
            /// The grant type this is.
            #[must_use]
            pub const fn grant_type(&self) -> GrantType {
                match self {
                    $(Self::$variant(_) => $grant_type,)+
                }
            }
        }

        /// A grant's own reason for refusing, beyond the [`TokenError`] core.
        #[derive(Debug, thiserror::Error)]
        pub enum GrantError {
            $($(#[$doc])* #[error(transparent)] $variant(#[from] $error),)+
        }

        impl GrantError {
            /// How the token endpoint classes this refusal.
            #[must_use]
            pub const fn refusal(&self) -> Refusal {
                match self {
                    $(Self::$variant(e) => e.refusal(),)+
                }
            }
        }

        $(impl From<$grant> for Grant {
            fn from(g: $grant) -> Self {
                Self::$variant(g)
            }
        })+

        $(impl From<$error> for TokenError {
            fn from(e: $error) -> Self {
                Self::Grant(GrantError::$variant(e))
            }
        })+

        impl Passwordless {
            /// Answers a token request: the one way from "the user proved who
            /// they are" to tokens.
            ///
            /// # Errors
            /// [`TokenError`]: the core refusals (client, grant, API, scope,
            /// user policy, infrastructure) or the grant's own in
            /// [`TokenError::Grant`].
            pub async fn token(&self, req: TokenRequest) -> Result<TokenSet, TokenError> {
                // Who sent it, resolved once: the failure budgets count
                // against this IP.
                let ip = self.token_ip(&req).await;
                let budget = self.ip_budget(ip);
                let trace = Trace::default();
                let grant_type = req.grant.grant_type();
                let result = match req.grant {
                    $(Grant::$variant(g) => self.sign_in_with(&req.client, ip, budget.as_ref(), req.dpop.as_ref(), &trace, g).await,)+
                };
                self.spend_ip_budget(budget, &result).await;
                let origin = Origin {
                    client_id: Some(req.client.client_id.as_str()),
                    ip,
                    user_agent: req.user_agent.as_deref(),
                };
                self.token_event(grant_type, result.as_ref().map(|_| ()), trace.read(), origin).await;
                result
            }
        }
    };
}

grants! {
    /// `http://auth0.com/oauth/grant-type/passwordless/otp`: a one-time code.
    PasswordlessOtp(OtpGrant, OtpError) = GrantType::PasswordlessOtp;
    /// `authorization_code`: the code a spent magic link handed the callback.
    AuthorizationCode(CodeGrant, CodeGrantError) = GrantType::AuthorizationCode;
    /// `refresh_token`: a rotating refresh token.
    RefreshToken(RefreshGrant, RefreshError) = GrantType::RefreshToken;
    /// `client_credentials`: the client's own token for an API.
    ClientCredentials(ClientCredentialsGrant, ClientCredentialsError) = GrantType::ClientCredentials;
    /// `http://auth0.com/oauth/grant-type/mfa-otp`: a TOTP code.
    MfaOtp(MfaOtpGrant, MfaOtpError) = GrantType::MfaOtp;
    /// `http://auth0.com/oauth/grant-type/mfa-oob`: a code sent by SMS or email.
    MfaOob(MfaOobGrant, MfaOobError) = GrantType::MfaOob;
    /// `http://auth0.com/oauth/grant-type/mfa-recovery-code`: a recovery code.
    MfaRecoveryCode(MfaRecoveryGrant, MfaRecoveryError) = GrantType::MfaRecoveryCode;
}

/// `POST /oauth/token`: who asks, and with which grant.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    /// The client's credentials.
    pub client: ClientCredentials,
    /// The grant and what it presents.
    pub grant: Grant,
    /// The caller's IP as the transport saw it.
    pub ip: Option<IpAddr>,
    /// The end user's IP from `auth0-forwarded-for`; honoured only for a
    /// confidential client that authenticated and is trusted to send it.
    pub forwarded_for: Option<IpAddr>,
    /// The DPoP proof sent with the request, if any (RFC 9449).
    pub dpop: Option<DpopProof>,
    /// The caller's `User-Agent`, for the log event.
    pub user_agent: Option<String>,
}

impl TokenRequest {
    /// A request by `client` with `grant`.
    #[must_use]
    pub fn new(client: ClientCredentials, grant: impl Into<Grant>) -> Self {
        Self {
            client,
            grant: grant.into(),
            ip: None,
            forwarded_for: None,
            dpop: None,
            user_agent: None,
        }
    }

    /// The same request, with DPoP proof `proof`.
    #[must_use]
    pub fn with_dpop(mut self, proof: DpopProof) -> Self {
        self.dpop = Some(proof);
        self
    }
}
