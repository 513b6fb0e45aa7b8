//! The APIs every deployment has without configuring them: the MFA API
//! (`{issuer}mfa/`) and the Management API (`{issuer}api/v2/`). They are
//! resolved next to the configured ones (`Passwordless::api`).

use std::time::Duration;

use super::Passwordless;
use crate::client::Api;

/// The scopes of the built-in MFA API.
const MFA_API_SCOPES: [&str; 3] = ["enroll", "read:authenticators", "remove:authenticators"];

/// How long the built-in MFA API's access tokens live.
const MFA_API_TOKEN_LIFETIME: Duration = Duration::from_secs(600);

/// The scopes of the Management API, as Auth0 names them.
pub const MANAGEMENT_API_SCOPES: [&str; 7] = [
    "read:users",
    "update:users",
    "delete:users",
    "delete:refresh_tokens",
    "read:logs",
    "read:stats",
    "read:current_user",
];

/// How long Management API tokens live (Auth0's default for an API: a day).
const MANAGEMENT_API_TOKEN_LIFETIME: Duration = Duration::from_secs(86_400);

impl Passwordless {
    /// `{issuer}mfa/`: the built-in MFA API's identifier.
    pub(crate) fn mfa_audience(&self) -> String {
        self.config.issuer.endpoint("mfa/")
    }

    /// `{issuer}api/v2/`: the Management API's identifier.
    #[must_use]
    pub fn management_audience(&self) -> String {
        self.config.issuer.endpoint("api/v2/")
    }

    /// The built-in API `identifier` names, if it names one.
    pub(crate) fn builtin_api(&self, identifier: &str) -> Option<Api> {
        let (scopes, token_lifetime): (&[&str], Duration) = if identifier == self.mfa_audience() {
            (&MFA_API_SCOPES, MFA_API_TOKEN_LIFETIME)
        } else if identifier == self.management_audience() {
            (&MANAGEMENT_API_SCOPES, MANAGEMENT_API_TOKEN_LIFETIME)
        } else {
            return None;
        };
        Some(Api {
            identifier: identifier.to_owned(),
            token_lifetime,
            signing_alg: self.config.default_signing_alg,
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
        })
    }
}
