//! Checking a magic link (GET: nothing is spent) and spending it (POST).
//!
//! Both take the same path up to the verdict: the client, the address and
//! the link's MAC are checked the same way whether or not a link was sent,
//! so an unknown address and a tampered link get the same answer. A wrong
//! token does not count against the challenge's attempts: the token has 256
//! random bits, and counting would let anyone who knows an address burn the
//! user's code with junk links. Nor do wrong *codes* count against the link
//! (`ChallengeStore::consume_link`): a stranger typing codes for an address
//! must not kill the link waiting in its owner's mailbox.

use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::{ExposeSecret, SecretString};

use super::errors::LinkError;
use super::redirect::LinkRedirect;
use super::{LinkApp, LinkPreview, LinkRequest};
use crate::authorization::{AUTHORIZATION_CODE_LIFETIME, AuthorizationCode, ResponseType};
use crate::challenge::{Challenge, ChallengeKey};
use crate::client::{Client, ClientId, GrantType};
use crate::ports::random_array;
use crate::recipient::{Connection, EmailAddress, Recipient};
use crate::redirect_uri::RedirectUri;
use crate::service::Passwordless;
use crate::service::mint::{Mint, RefreshPlan};
use crate::service::sign_in::Subject;
use crate::service::token::TokenError;

/// A link that checked out: what spending it needs.
struct Checked {
    client: Arc<Client>,
    challenge: Challenge,
    response_type: ResponseType,
    redirect_uri: RedirectUri,
}

impl Passwordless {
    /// Checks a magic link without spending it, for the confirm page.
    /// Mail scanners that prefetch links get this, and the link stays usable.
    ///
    /// # Errors
    /// [`LinkError`]; `Expired` and `Used` only when the link's token is the
    /// right one.
    pub async fn inspect_link(&self, req: LinkRequest) -> Result<LinkPreview, LinkError> {
        let c = self.check_link(&req).await?;
        Ok(LinkPreview {
            application_name: c.client.name.clone(),
            auto_submit: c.client.magic_link.auto_submit,
            redirect_uri: c.redirect_uri,
        })
    }

    /// Spends a magic link: consumes its challenge (and the code sent with
    /// it), signs the user in (signing up on first login), and answers the
    /// app's callback as the start request's `response_type` asked.
    ///
    /// # Errors
    /// [`LinkError`]; of concurrent redemptions exactly one succeeds and the
    /// others get `Used`.
    pub async fn redeem_link(&self, req: LinkRequest) -> Result<LinkRedirect, LinkError> {
        let c = self.check_link(&req).await?;
        let now = self.ports.clock.now();
        if !self
            .ports
            .challenges
            .consume_link(&c.challenge.key(), &c.challenge.id, now)
            .await?
        {
            return Err(LinkError::Used);
        }
        let user = self
            .admit(Subject::Recipient(c.challenge.recipient.clone()))
            .await
            .map_err(|e| match e {
                TokenError::Blocked => LinkError::Blocked,
                TokenError::SignupDisabled => LinkError::SignupDisabled,
                TokenError::Unavailable(s) => LinkError::Unavailable(s),
                other => LinkError::Unknown(other.into()),
            })?;
        let p = &c.challenge.auth_params;
        // The API is resolved for both answers: the scope a code carries is
        // already narrowed to what the API defines.
        let api = match &p.audience {
            Some(aud) => Some(self.api(aud).await.map_err(|e| match e {
                TokenError::Unavailable(s) => LinkError::Unavailable(s),
                _ => LinkError::Unknown(anyhow::anyhow!("the link's API is no longer registered")),
            })?),
            None => None,
        };
        let refresh_ok = c.client.magic_link.refresh_tokens;
        let granted = self.granted_scope(&c.client, api.as_deref(), p.scope.as_ref());
        let scope = if refresh_ok {
            granted
        } else {
            granted.without("offline_access")
        };
        let state = p.state.clone();

        if c.response_type == ResponseType::Code {
            let code = URL_SAFE_NO_PAD.encode(random_array::<32>(self.ports.rng.as_ref()));
            let record = AuthorizationCode {
                code_mac: self.macs.authorization_code(&code),
                client_id: c.client.id.clone(),
                user_id: user.id.clone(),
                redirect_uri: c.redirect_uri.clone(),
                // Without PKCE a public client's code is bound by its
                // callback alone, so the exchange must name it.
                redirect_uri_required: p.redirect_uri.is_some()
                    || (p.code_challenge.is_none() && !c.client.is_confidential()),
                scope,
                audience: p.audience.clone(),
                nonce: p.nonce.clone(),
                code_challenge: p.code_challenge.clone(),
                created_at: now,
                expires_at: now.plus(AUTHORIZATION_CODE_LIFETIME),
            };
            self.ports.authorization_codes.insert(&record).await?;
            return Ok(LinkRedirect::Code {
                redirect_uri: c.redirect_uri,
                code: SecretString::from(code),
                state,
            });
        }

        // Tokens in a fragment cannot carry `mfa_required` and its token: a
        // login that needs a second factor is refused here, and apps that
        // use MFA with links use code links (`response_type=code`).
        if self
            .mfa_requirements(&c.client, &user, api.as_deref())
            .await?
            .is_some()
        {
            return Err(LinkError::NotAllowed(GrantType::Implicit));
        }
        let minted = self
            .mint(Mint {
                client: &c.client,
                user: &user,
                scope,
                api: api.as_deref(),
                nonce: p.nonce.as_deref(),
                // Tokens in a URL fragment are never accompanied by a
                // refresh token (RFC 6749 §4.2.2).
                refresh: RefreshPlan::None,
                // The id token vouches for the access token beside it.
                at_hash: c.response_type == ResponseType::IdTokenToken,
                jkt: None,
                mfa: false,
            })
            .await
            .map_err(|e| LinkError::Unknown(e.into()))?;
        Ok(LinkRedirect::Fragment {
            redirect_uri: c.redirect_uri,
            tokens: minted.tokens,
            access_token: c.response_type != ResponseType::IdToken,
            id_token: c.response_type != ResponseType::Token,
            state,
        })
    }

    /// What an error page may show about `client_id`: its name and a safe
    /// way back. `None` for an unknown client.
    ///
    /// # Errors
    /// [`LinkError::Unavailable`] when the registry cannot be reached.
    pub async fn link_app(&self, client_id: &ClientId) -> Result<Option<LinkApp>, LinkError> {
        Ok(self.ports.clients.get(client_id).await?.map(|c| LinkApp {
            back_url: c.back_url(),
            name: c.name.clone(),
        }))
    }

    async fn check_link(&self, req: &LinkRequest) -> Result<Checked, LinkError> {
        let token = req.verification_code.expose_secret();
        let Some(client) = self.ports.clients.get(&req.client_id).await? else {
            self.macs.link_without_challenge(token);
            return Err(LinkError::Invalid);
        };
        let email = match (req.connection.as_str(), EmailAddress::parse(&req.email)) {
            (c, Ok(e)) if c == Connection::Email.as_str() => e,
            _ => {
                self.macs.link_without_challenge(token);
                return Err(LinkError::Invalid);
            }
        };
        let key = ChallengeKey {
            client_id: client.id.clone(),
            recipient: Recipient::Email(email),
        };
        let latest = self.ports.challenges.latest(&key).await?;
        let now = self.ports.clock.now();
        let challenge = match latest {
            Some(ch) => {
                let mac = self.macs.link(&ch.id, token);
                let matches = ch.link_mac.as_ref().is_some_and(|m| mac.matches(m));
                if !matches {
                    return Err(LinkError::Invalid);
                }
                // Wrong codes exhaust the code, never the link: only a
                // completed sign-in makes a link "used".
                if ch.consumed {
                    return Err(LinkError::Used);
                }
                if ch.is_expired_at(now) {
                    return Err(LinkError::Expired);
                }
                ch
            }
            None => {
                self.macs.link_without_challenge(token);
                return Err(LinkError::Invalid);
            }
        };

        // The client's settings may have changed since the start request.
        if !client.allows_connection(Connection::Email) {
            return Err(LinkError::NotAllowed(GrantType::AuthorizationCode));
        }
        if !client.allows_grant(GrantType::AuthorizationCode) {
            return Err(LinkError::NotAllowed(GrantType::AuthorizationCode));
        }
        let response_type = challenge.auth_params.response_type.unwrap_or_default();
        if response_type.is_fragment() && !client.allows_grant(GrantType::Implicit) {
            return Err(LinkError::NotAllowed(GrantType::Implicit));
        }
        let redirect_uri = match &challenge.auth_params.redirect_uri {
            Some(uri) if client.allows_callback(uri.as_str()) => uri.clone(),
            Some(_) => return Err(LinkError::RedirectMismatch),
            None => client
                .callbacks
                .first()
                .and_then(|c| RedirectUri::parse(c).ok())
                .ok_or(LinkError::RedirectMismatch)?,
        };
        Ok(Checked {
            client,
            challenge,
            response_type,
            redirect_uri,
        })
    }
}
