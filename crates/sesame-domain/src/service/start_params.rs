//! A start's `authParams`, parsed in Auth0's order against the client, and
//! the magic-link URL built from them.

use super::Passwordless;
use super::errors::StartError;
use crate::authorization::ResponseType;
use crate::challenge::{AuthParams, RawAuthParams, SendMode};
use crate::client::{Client, GrantType};
use crate::pkce::{PkceChallenge, PkceMethod};
use crate::recipient::Recipient;
use crate::redirect_uri::RedirectUri;
use crate::scope::Scope;

impl Passwordless {
    /// Parses `raw` in Auth0's order, checking each value against the client
    /// as it goes: the first problem is the one reported.
    pub(super) async fn parse_auth_params(
        &self,
        client: &Client,
        send: SendMode,
        raw: RawAuthParams,
    ) -> Result<AuthParams, StartError> {
        let bad = |m: &str| StartError::InvalidAuthParams(m.to_owned());
        let scope = raw
            .scope
            .as_deref()
            .map(Scope::parse)
            .transpose()
            .map_err(|_| bad("scope may contain only printable ASCII other than '\"' and '\\'"))?;
        let not_a_callback = "redirect_uri is not an allowed callback URL for this client";
        let redirect_uri = match raw.redirect_uri.as_deref() {
            None => None,
            Some(uri) if client.allows_callback(uri) => {
                Some(RedirectUri::parse(uri).map_err(|_| bad(not_a_callback))?)
            }
            Some(_) => return Err(bad(not_a_callback)),
        };
        let response_type = raw
            .response_type
            .map(ResponseType::try_from)
            .transpose()
            .map_err(|e| bad(&e.to_string()))?;
        let code_challenge_method = match raw.code_challenge_method.as_deref() {
            None => None,
            Some("S256") => Some(PkceMethod::S256),
            Some(_) => return Err(bad("code_challenge_method must be S256")),
        };
        let code_challenge = raw
            .code_challenge
            .as_deref()
            .map(PkceChallenge::parse)
            .transpose()
            .map_err(|e| bad(&e.to_string()))?;
        if send == SendMode::Link {
            if client.callbacks.is_empty() {
                return Err(bad(
                    "the client has no callback URL for the link to land on",
                ));
            }
            let answer = response_type.unwrap_or_default();
            if answer.is_fragment() && !client.allows_grant(GrantType::Implicit) {
                return Err(StartError::GrantNotAllowed(GrantType::Implicit));
            }
            // OIDC Core §3.2.2.1: tokens in a URL need a nonce to bind the
            // id token to the browser session that asked for it.
            if answer.is_fragment() && raw.nonce.is_none() {
                return Err(bad("nonce is required for response_type token or id_token"));
            }
            // Auth0 answers a public client's link without PKCE, and so do
            // the SDKs' defaults; an operator may demand it per client.
            if answer == ResponseType::Code
                && !client.is_confidential()
                && client.magic_link.require_pkce
                && code_challenge.is_none()
            {
                return Err(bad(
                    "code_challenge (PKCE, S256) is required for this client's link",
                ));
            }
        }
        if let Some(aud) = &raw.audience
            && self.ports.apis.get(aud).await?.is_none()
        {
            return Err(bad("audience is not a registered API"));
        }
        Ok(AuthParams {
            scope,
            state: raw.state,
            redirect_uri,
            response_type,
            nonce: raw.nonce,
            audience: raw.audience,
            code_challenge,
            code_challenge_method,
        })
    }

    /// Auth0's magic-link form:
    /// `{issuer}passwordless/verify_redirect?verification_code=…&connection=email&client_id=…&email=…&{authParams}`.
    pub(super) fn link_url(
        &self,
        client: &Client,
        recipient: &Recipient,
        p: &AuthParams,
        token: &str,
    ) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("verification_code", token)
            .append_pair("connection", recipient.connection().as_str())
            .append_pair("client_id", client.id.as_str())
            .append_pair("email", recipient.as_str());
        let params = [
            ("scope", p.scope.as_ref().map(Scope::as_str)),
            ("state", p.state.as_deref()),
            (
                "redirect_uri",
                p.redirect_uri.as_ref().map(RedirectUri::as_str),
            ),
            ("response_type", p.response_type.map(ResponseType::as_str)),
            ("nonce", p.nonce.as_deref()),
            ("audience", p.audience.as_deref()),
            (
                "code_challenge",
                p.code_challenge.as_ref().map(PkceChallenge::as_str),
            ),
            (
                "code_challenge_method",
                p.code_challenge_method.map(PkceMethod::as_str),
            ),
        ];
        for (name, value) in params {
            if let Some(v) = value {
                q.append_pair(name, v);
            }
        }
        format!(
            "{}?{}",
            self.config.issuer.endpoint("passwordless/verify_redirect"),
            q.finish()
        )
    }
}
