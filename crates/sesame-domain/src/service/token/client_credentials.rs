//! `client_credentials`: a confidential client's own access token for an
//! API, carrying only the scopes of its client grant for that API
//! (`[[clients.api_grants]]`). No user, no id token, no refresh token, no
//! MFA: the pipeline mints these in `client_tokens`.

use super::pipeline::{Binding, Caller, Principal, Proof, ProveUser};
use super::{Refusal, TokenError};
use crate::client::{Api, Client, GrantType};
use crate::dpop::Jkt;
use crate::scope::Scope;
use crate::service::Passwordless;
use crate::service::mint::{AccessFor, RefreshPlan};
use crate::token::TokenSet;

/// `grant_type=client_credentials`.
#[derive(Debug, Clone)]
pub struct ClientCredentialsGrant {
    /// The API (`audience`, or `resource`).
    pub audience: Option<String>,
    /// A narrower scope than the client grant, when asked for.
    pub scope: Option<String>,
}

/// Why a `client_credentials` request was refused.
#[derive(Debug, thiserror::Error)]
pub enum ClientCredentialsError {
    /// No `audience`, and there is no default to fall back on.
    #[error("No audience parameter was provided, and no default audience has been configured")]
    NoAudience,
    /// The client has no client grant for the API.
    #[error(
        "Client is not authorized to access \"{0}\". You need to create a client-grant associated to this API."
    )]
    NoClientGrant(String),
    /// A public client cannot keep a secret, so it has no credentials.
    #[error("Grant type 'client_credentials' not allowed for the client.")]
    PublicClient,
}

impl ClientCredentialsError {
    /// How the token endpoint classes it.
    #[must_use]
    pub const fn refusal(&self) -> Refusal {
        match self {
            Self::NoAudience | Self::NoClientGrant(_) => Refusal::AccessDenied,
            Self::PublicClient => Refusal::UnauthorizedClient,
        }
    }
}

impl ProveUser for ClientCredentialsGrant {
    const GRANT: GrantType = GrantType::ClientCredentials;

    fn requested_audience(&self) -> Option<&str> {
        self.audience.as_deref()
    }

    type Checked = Option<Scope>;

    fn precheck(&self, client: &Client) -> Result<Option<Scope>, TokenError> {
        if !client.is_confidential() {
            return Err(ClientCredentialsError::PublicClient.into());
        }
        // The client grant is checked once the API is known to exist: an
        // unknown audience is "Service not found", as for every grant.
        if self.audience.is_none() {
            return Err(ClientCredentialsError::NoAudience.into());
        }
        match self.scope.as_deref().map(Scope::parse) {
            Some(Ok(s)) if !s.is_empty() => Ok(Some(s)),
            Some(Err(e)) => Err(TokenError::InvalidScope(e)),
            _ => Ok(None),
        }
    }

    async fn prove(
        &self,
        _: &Passwordless,
        _: &Client,
        scope: Option<Scope>,
        _: &Caller<'_>,
    ) -> Result<Proof, TokenError> {
        Ok(Proof {
            subject: Principal::Client,
            scope,
            audience: None,
            nonce: None,
            refresh: RefreshPlan::None,
            binding: Binding::Presented,
            mfa: false,
            recovery_code: None,
        })
    }
}

impl Passwordless {
    /// The client's own token for `api`: the scopes of its client grant
    /// that the API defines, narrowed to `requested` when given (anything
    /// else is dropped, as Auth0 does).
    pub(crate) async fn client_tokens(
        &self,
        client: &Client,
        api: Option<&Api>,
        requested: Option<&Scope>,
        jkt: Option<&Jkt>,
    ) -> Result<TokenSet, TokenError> {
        let api = api.ok_or(ClientCredentialsError::NoAudience)?;
        let grant = client
            .api_grant(&api.identifier)
            .ok_or_else(|| ClientCredentialsError::NoClientGrant(api.identifier.clone()))?;
        let granted = |s: &str| grant.scopes.iter().any(|g| g == s) && api.defines(s);
        let scope = match requested {
            Some(r) => r.retain(granted),
            None => Scope::parse(&grant.scopes.join(" "))
                .map_err(TokenError::InvalidScope)?
                .retain(granted),
        };
        let (access_token, _) = self
            .sign_access_token(AccessFor {
                client,
                sub: format!("{}@clients", client.id.as_str()),
                aud: vec![api.identifier.clone()],
                scope: &scope,
                lifetime: api.token_lifetime,
                alg: api.signing_alg,
                jkt,
                gty: Some("client-credentials"),
            })
            .await?;
        Ok(TokenSet {
            access_token: secrecy::SecretString::from(access_token),
            id_token: None,
            refresh_token: None,
            token_type: if jkt.is_some() { "DPoP" } else { "Bearer" },
            expires_in: api.token_lifetime.as_secs(),
            scope: scope.into(),
            recovery_code: None,
        })
    }
}
