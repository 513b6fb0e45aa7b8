//! The bodies of `POST /oauth/token`: the request (every grant's
//! parameters), the tokens, and the 403 answers.

use secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};
use sesame_domain::TokenSet;
use utoipa::ToSchema;

use crate::error::{ErrorBody, MfaRequiredBody};
use crate::param::Param;

/// The body of a token request: every parameter any grant takes; which
/// ones a grant needs is said by each. Unknown parameters are ignored, as
/// OAuth servers do, and an empty one counts as absent.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[schema(as = TokenRequest)]
pub(crate) struct TokenParams {
    /// Required: `http://auth0.com/oauth/grant-type/passwordless/otp`,
    /// `authorization_code`, `refresh_token`, `client_credentials`,
    /// `http://auth0.com/oauth/grant-type/mfa-otp`, `…/mfa-oob` or
    /// `…/mfa-recovery-code`.
    #[schema(value_type = String, example = "authorization_code")]
    #[serde(default)]
    pub(crate) grant_type: Param,
    /// The application, here or as the `Basic` user name.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) client_id: Param,
    /// A confidential application's secret (or `Basic` credentials).
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) client_secret: Param,
    // passwordless/otp
    /// Passwordless OTP: `email` or `sms`.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) realm: Param,
    /// Passwordless OTP: the address or number the code went to.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) username: Param,
    /// Passwordless OTP: the code; MFA OTP: the authenticator's code.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) otp: Param,
    /// Passwordless OTP and client credentials: the API the token is for.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) audience: Param,
    /// RFC 8707's name for `audience`; both only when they agree.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) resource: Param,
    /// Passwordless OTP, refresh (narrowing only) and client credentials.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) scope: Param,
    /// Passwordless OTP and authorization code: the callback used.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) redirect_uri: Param,
    // authorization_code
    /// Authorization code: the code from the callback.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) code: Param,
    /// Authorization code: the PKCE verifier.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) code_verifier: Param,
    // refresh_token
    /// Refresh token: the refresh token.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) refresh_token: Param,
    // the MFA grants
    /// The MFA grants: the `mfa_token` of the `mfa_required` answer.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) mfa_token: Param,
    /// MFA OOB: the `oob_code` of the challenge.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) oob_code: Param,
    /// MFA OOB: the code the user received.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) binding_code: Param,
    /// MFA recovery code: the recovery code.
    #[schema(value_type = String)]
    #[serde(default)]
    pub(crate) recovery_code: Param,
}

/// A 403 of the token endpoint: `mfa_required` or another refusal.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[expect(dead_code, reason = "documents the 403 answer; never built")]
pub(crate) enum TokenForbidden {
    /// A second factor is needed.
    MfaRequired(MfaRequiredBody),
    /// `invalid_grant`, `unauthorized_client`, `access_denied`, …
    Refused(ErrorBody),
}

/// The tokens; absent ones are left out.
#[derive(Serialize, ToSchema)]
#[schema(as = TokenResponse)]
pub(crate) struct TokenBody<'a> {
    /// The access token (a JWT).
    access_token: &'a str,
    /// With the `openid` scope.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    id_token: Option<&'a str>,
    /// With the `offline_access` scope, when the client may refresh.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    refresh_token: Option<&'a str>,
    /// `Bearer`, or `DPoP` for a token bound to a DPoP key.
    #[schema(example = "Bearer")]
    token_type: &'a str,
    /// Seconds until the access token expires.
    expires_in: u64,
    /// The granted scopes, space-separated; left out when none.
    #[serde(skip_serializing_if = "str::is_empty")]
    scope: &'a str,
    /// The recovery grant's new recovery code.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    recovery_code: Option<&'a str>,
}

impl<'a> From<&'a TokenSet> for TokenBody<'a> {
    fn from(t: &'a TokenSet) -> Self {
        Self {
            access_token: t.access_token(),
            id_token: t.id_token(),
            refresh_token: t.refresh_token(),
            token_type: t.token_type,
            expires_in: t.expires_in,
            scope: &t.scope,
            recovery_code: t.recovery_code.as_ref().map(ExposeSecret::expose_secret),
        }
    }
}
