//! The sign-in pipeline: from a token request to tokens, the same steps in
//! the same order for every grant.
//!
//! 1. Authenticate the client; the grant must be one it may use; the DPoP
//!    proof, when one came (or is required), is checked once, here.
//! 2. The grant's checks that spend nothing, then the API the request names
//!    (so a typo in `audience` does not cost the user's code).
//! 3. The grant proves the user, spending its credential.
//! 4. The API the proof names, the user policy (exists or signs up, not
//!    blocked) and the granted scope.
//! 5. Mint, bound to the DPoP key when there is one (`cnf.jkt`, token type
//!    `DPoP`, and the refresh family), storing a refresh family when the
//!    plan and client allow one, and tell the grant what was minted.

use std::future::Future;

use super::TokenError;
use super::ip_failures::IpBudget;
use crate::client::{Client, GrantType};
use crate::dpop::{DpopError, DpopProof, Jkt, NonceRule};
use crate::scope::Scope;
use crate::service::Passwordless;
use crate::service::client_auth::ClientAuth;
use crate::service::dpop::Expect;
use crate::service::events::Trace;
use crate::service::mfa::policy::Asked;
use crate::service::mint::{Mint, RefreshPlan};
use crate::service::requests::ClientCredentials;
use crate::service::sign_in::Subject;
use crate::token::TokenSet;

/// Whom the tokens speak for.
pub(crate) enum Principal {
    /// A user (`sub` is the user's id).
    User(Subject),
    /// The client itself (`client_credentials`: `sub` is
    /// `{client_id}@clients`, no id or refresh token).
    Client,
}

impl From<Subject> for Principal {
    fn from(s: Subject) -> Self {
        Self::User(s)
    }
}

/// What a grant established about the user, and what it asks for them.
pub(crate) struct Proof {
    /// Who proved themselves.
    pub(crate) subject: Principal,
    /// The scope asked for; `None` is the default.
    pub(crate) scope: Option<Scope>,
    /// The API that the proof itself names (the challenge's, the code's or
    /// the family's), used when the request named none.
    pub(crate) audience: Option<String>,
    /// Lands in the id token.
    pub(crate) nonce: Option<String>,
    /// Whether a refresh token comes with the tokens.
    pub(crate) refresh: RefreshPlan,
    /// Which DPoP key the tokens are bound to.
    pub(crate) binding: Binding,
    /// Whether the user passed a second factor (in this request, or in the
    /// login that started the refresh family): no MFA step, and `amr`
    /// says `mfa`.
    pub(crate) mfa: bool,
    /// A recovery code to answer with (the recovery grant's new one).
    pub(crate) recovery_code: Option<secrecy::SecretString>,
}

/// Which DPoP key the minted tokens are bound to.
pub(crate) enum Binding {
    /// The key of the request's proof, if it had one.
    Presented,
    /// The refresh family's, whatever the request presented: a family
    /// issued without DPoP stays unbound.
    Family(Option<Jkt>),
}

/// Who sent the token request, as the pipeline resolved it once for every
/// grant.
pub(crate) struct Caller<'a> {
    /// The client IP that counts: the transport's, or `auth0-forwarded-for`
    /// for a trusted confidential client that authenticated.
    pub(crate) ip: Option<std::net::IpAddr>,
    /// That IP's failure budget at the token endpoint: checked by the
    /// pipeline already unless the grant says it checks it itself.
    pub(crate) ip_budget: Option<&'a IpBudget>,
    /// The key of the request's DPoP proof, once checked.
    pub(crate) jkt: Option<Jkt>,
    /// What the grant learns about the user, for the request's log event.
    pub(crate) trace: &'a Trace,
}

/// One way of proving, at the token endpoint, who the user is. Each grant
/// implements it in its own file; the pipeline does everything else.
pub(crate) trait ProveUser: Send + Sync {
    /// The grant this is; the client must be allowed it.
    const GRANT: GrantType;

    /// Whether [`ProveUser::prove`] checks the caller IP's failure budget
    /// itself, in the same call to the limiter as its own counters; if not,
    /// the pipeline checks it first.
    const CHECKS_IP_BUDGET: bool = false;

    /// The API the request names, resolved before anything is spent.
    fn requested_audience(&self) -> Option<&str> {
        None
    }

    /// What [`ProveUser::precheck`] parsed, for [`ProveUser::prove`].
    type Checked: Send;

    /// Checks against the client that spend nothing, parsing what the
    /// proof will need.
    ///
    /// # Errors
    /// The first check that fails.
    fn precheck(&self, client: &Client) -> Result<Self::Checked, TokenError>;

    /// Proves the user, spending the grant's credential. `caller` is who
    /// sent the request: its IP (for failure budgets) and the key of its
    /// DPoP proof, already checked; a grant whose credential is bound to a
    /// key refuses another (before spending it).
    fn prove(
        &self,
        svc: &Passwordless,
        client: &Client,
        checked: Self::Checked,
        caller: &Caller<'_>,
    ) -> impl Future<Output = Result<Proof, TokenError>> + Send;

    /// Called with the refresh family the tokens started, if any: a grant
    /// that must remember it (to revoke it on replay) does so here.
    fn minted(
        &self,
        svc: &Passwordless,
        family_id: Option<&str>,
    ) -> impl Future<Output = Result<(), TokenError>> + Send {
        let _ = (svc, family_id);
        async { Ok(()) }
    }
}

impl Passwordless {
    /// Runs the pipeline for `grant`, presented by `creds` from `ip` (whose
    /// failure budget is `ip_budget`), with the request's DPoP proof `dpop`
    /// if it had one.
    pub(super) async fn sign_in_with<G: ProveUser>(
        &self,
        creds: &ClientCredentials,
        ip: Option<std::net::IpAddr>,
        ip_budget: Option<&IpBudget>,
        dpop: Option<&DpopProof>,
        trace: &Trace,
        grant: G,
    ) -> Result<TokenSet, TokenError> {
        if !G::CHECKS_IP_BUDGET {
            self.check_ip_budget(ip_budget).await?;
        }
        let client = match self.authenticate(creds).await? {
            ClientAuth::Ok { client, .. } => client,
            ClientAuth::Unknown | ClientAuth::Invalid => return Err(TokenError::InvalidClient),
        };
        if !client.allows_grant(G::GRANT) {
            return Err(TokenError::GrantNotAllowed(G::GRANT));
        }
        let caller = Caller {
            ip,
            ip_budget,
            jkt: self.sender_key(&client, dpop).await?,
            trace,
        };
        let checked = grant.precheck(&client)?;
        let requested_api = match grant.requested_audience() {
            Some(aud) => Some(self.api(aud).await?),
            None => None,
        };

        let proof = grant.prove(self, &client, checked, &caller).await?;
        let jkt = match proof.binding {
            Binding::Presented => caller.jkt,
            Binding::Family(bound) => bound,
        };

        let api = match (requested_api, &proof.audience) {
            (Some(api), _) => Some(api),
            (None, Some(aud)) => Some(self.api(aud).await?),
            (None, None) => None,
        };
        let subject = match proof.subject {
            Principal::User(subject) => subject,
            Principal::Client => {
                return self
                    .client_tokens(&client, api.as_deref(), proof.scope.as_ref(), jkt.as_ref())
                    .await;
            }
        };
        if let Subject::Known(user) = &subject {
            trace.user(&user.id);
        }
        let user = self.admit(subject).await?;
        trace.user(&user.id);
        if !proof.mfa {
            let asked = Asked {
                api: api.as_deref(),
                scope: proof.scope.as_ref(),
                nonce: proof.nonce.as_deref(),
            };
            self.second_factor(&client, &user, &asked).await?;
        }
        let scope = self.granted_scope(&client, api.as_deref(), proof.scope.as_ref());
        let minted = self
            .mint(Mint {
                client: &client,
                user: &user,
                scope,
                api: api.as_deref(),
                nonce: proof.nonce.as_deref(),
                refresh: proof.refresh,
                at_hash: false,
                jkt: jkt.as_ref(),
                mfa: proof.mfa,
            })
            .await?;
        grant.minted(self, minted.family_id.as_deref()).await?;
        let mut tokens = minted.tokens;
        tokens.recovery_code = proof.recovery_code;
        Ok(tokens)
    }
}

impl Passwordless {
    /// The DPoP key of the request: its proof checked against the token
    /// endpoint, the nonce demanded as `[dpop] require_nonce` says, or
    /// `None` without a proof (refused for a client that requires DPoP).
    async fn sender_key(
        &self,
        client: &Client,
        dpop: Option<&DpopProof>,
    ) -> Result<Option<Jkt>, TokenError> {
        let Some(proof) = dpop.filter(|p| !p.headers.is_empty()) else {
            return if client.require_dpop {
                Err(TokenError::Dpop(DpopError::Required))
            } else {
                Ok(None)
            };
        };
        let nonce = match self.config.dpop.require_nonce {
            NonceRule::Never => false,
            NonceRule::Public => !client.is_confidential(),
            NonceRule::Always => true,
        };
        let expect = Expect {
            path: TOKEN_PATH,
            nonce,
            access_token: None,
        };
        Ok(Some(self.check_dpop(proof, &expect).await?))
    }
}

/// The token endpoint's path under the issuer: a proof's `htu`.
const TOKEN_PATH: &str = "oauth/token";
