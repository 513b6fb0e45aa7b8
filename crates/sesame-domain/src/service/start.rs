//! Starting a passwordless login: check the client and the limits, issue a
//! challenge, deliver its code.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::Passwordless;
use super::client_auth::ClientAuth;
use super::errors::StartError;
use super::requests::{StartRequest, Started};
use crate::authorization::ResponseType;
use crate::challenge::{AuthParams, Challenge, ChallengeId, RawAuthParams, SendMode};
use crate::client::{Client, GrantType};
use crate::message::{MessageContext, Operation};
use crate::pkce::{PkceChallenge, PkceMethod};
use crate::ports::{DeliveryQueue, Outgoing, random_array};
use crate::recipient::{Connection, Recipient};
use crate::redirect_uri::RedirectUri;
use crate::scope::Scope;

impl Passwordless {
    /// Issues a code (and, for email, a magic link) to `req.recipient`.
    ///
    /// A blocked user, or an unknown one while sign-ups are disabled, gets the
    /// same success answer and a decoy challenge but no message, so neither
    /// this answer nor any later one reveals which addresses have accounts.
    ///
    /// # Errors
    /// [`StartError`]; after a delivery failure (or a full delivery queue)
    /// the new challenge is gone, so no code that never arrived can be
    /// redeemed.
    pub async fn start(&self, req: StartRequest) -> Result<Started, StartError> {
        let (client, with_secret) = match self.authenticate(&req.client).await? {
            ClientAuth::Ok {
                client,
                with_secret,
            } => (client, with_secret),
            ClientAuth::Unknown => return Err(StartError::UnknownClient),
            ClientAuth::Invalid => return Err(StartError::InvalidClient),
        };
        let connection = req.recipient.connection();
        if !client.allows_connection(connection) {
            return Err(StartError::ConnectionDisabled(connection));
        }
        // Text messages carry codes only; a link is an email thing.
        let send = if connection == Connection::Sms {
            SendMode::Code
        } else {
            req.send
        };
        if send == SendMode::Link && !self.config.magic_links {
            return Err(StartError::LinksDisabled);
        }
        let needed = match send {
            SendMode::Code => GrantType::PasswordlessOtp,
            SendMode::Link => GrantType::AuthorizationCode,
        };
        if !client.allows_grant(needed) {
            return Err(StartError::GrantNotAllowed(needed));
        }
        let auth_params = self
            .parse_auth_params(&client, send, req.auth_params)
            .await?;

        let now = self.ports.clock.now();
        let trusted_forward = with_secret && client.trust_forwarded_for;
        let ip = if trusted_forward {
            req.forwarded_for.or(req.ip)
        } else {
            req.ip
        };
        let mut rate = None;
        if let Some(ip) = ip {
            let key = self.macs.rate_key("start:ip", &ip.to_string());
            let d = self
                .ports
                .rate_limiter
                .hit(&key, self.config.start_per_ip, now)
                .await?;
            if !d.allowed {
                return Err(StartError::RateLimited(d));
            }
            rate = Some(d);
            // One caller cannot use up the recipient's resend budget.
            let key = self
                .macs
                .recipient_ip_rate_key("start:rcpt:ip", &req.recipient, ip);
            let d = self
                .ports
                .rate_limiter
                .hit(&key, self.config.start_per_recipient_ip, now)
                .await?;
            if !d.allowed {
                return Err(StartError::RateLimited(d));
            }
        }
        let rcpt_key = self.macs.recipient_rate_key("start:rcpt", &req.recipient);
        let d = self
            .ports
            .rate_limiter
            .hit(&rcpt_key, self.config.start_per_recipient, now)
            .await?;
        if !d.allowed {
            return Err(StartError::RateLimited(d));
        }

        let request_id = ChallengeId::from_random(random_array(self.ports.rng.as_ref()));
        let started = Started {
            id: request_id.as_str().to_owned(),
            recipient: req.recipient.clone(),
            rate,
        };
        // A blocked user, or an unknown one while sign-ups are disabled,
        // gets a decoy: a challenge stored like a real one, whose code and
        // link nobody is told, so every later answer (wrong code, maximum
        // attempts, expiry) is the one a known recipient gets.
        let (operation, decoy) = match self.ports.users.find(&req.recipient).await? {
            Some(user) if user.blocked => {
                tracing::info!(user_id = %user.id, "start for a blocked user: a decoy, nothing sent");
                (Operation::Login, true)
            }
            Some(_) => (Operation::Login, false),
            None if self.config.disable_signup => {
                tracing::info!(%connection, "start for an unknown recipient with sign-ups disabled: a decoy, nothing sent");
                (Operation::Login, true)
            }
            None => (Operation::Signup, false),
        };

        let code = self.ports.rng.numeric_code(self.config.code_length);
        let (link, link_mac) = match &req.recipient {
            // Only a link start gets a link: its authParams were checked for
            // it (callback, PKCE, response type), a code start's were not.
            Recipient::Email(_) if send == SendMode::Link => {
                let token = URL_SAFE_NO_PAD.encode(random_array::<32>(self.ports.rng.as_ref()));
                let mac = self.macs.link(&request_id, &token);
                (
                    Some(self.link_url(&client, &req.recipient, &auth_params, &token)),
                    Some(mac),
                )
            }
            _ => (None, None),
        };
        let challenge = Challenge {
            code_mac: self.macs.otp(&request_id, code.expose()),
            id: request_id,
            client_id: client.id.clone(),
            recipient: req.recipient.clone(),
            send,
            auth_params,
            link_mac,
            created_at: now,
            expires_at: now.plus(self.config.code_ttl),
            attempts_left: self.config.max_attempts,
            consumed: false,
        };
        self.ports.challenges.put(&challenge).await?;

        let ctx = MessageContext {
            recipient: req.recipient,
            client_id: client.id.clone(),
            send,
            code,
            link,
            application_name: client.name.clone(),
            locale: req.locale,
            operation,
            expires_in_minutes: crate::time::minutes_ceil(self.config.code_ttl),
        };
        let delivered = match &self.queue {
            // With sign-ups disabled the answer must not tell, by its time
            // or by a delivery error, whether the address has an account:
            // every recipient's job, a decoy's too, goes to the queue.
            Some(queue) if self.config.disable_signup => self.defer(queue.as_ref(), &ctx, decoy),
            // A decoy's code and link are thrown away, never sent.
            _ if decoy => Ok(()),
            _ => self.deliver(&ctx).await,
        };
        if let Err(e) = delivered {
            // Best effort: if this delete fails too, the code still never
            // reached anyone and expires with its TTL.
            let _ = self
                .ports
                .challenges
                .delete(&challenge.key(), &challenge.id)
                .await;
            return Err(e);
        }
        Ok(started)
    }

    /// Renders the message and hands it to the queue; a decoy's job is
    /// [`Outgoing::Nothing`], rendered all the same and then dropped.
    fn defer(
        &self,
        queue: &dyn DeliveryQueue,
        ctx: &MessageContext,
        decoy: bool,
    ) -> Result<(), StartError> {
        let job = match &ctx.recipient {
            Recipient::Email(_) => Outgoing::Email(self.ports.renderer.render_email(ctx)?),
            Recipient::Sms(_) => Outgoing::Sms(self.ports.renderer.render_sms(ctx)?),
        };
        let job = if decoy { Outgoing::Nothing } else { job };
        queue.enqueue(job).map_err(|_| StartError::QueueFull)
    }

    async fn deliver(&self, ctx: &MessageContext) -> Result<(), StartError> {
        let connection = ctx.recipient.connection();
        let sent = match &ctx.recipient {
            Recipient::Email(_) => {
                let msg = self.ports.renderer.render_email(ctx)?;
                self.ports.email.send_email(&msg).await
            }
            Recipient::Sms(_) => {
                let msg = self.ports.renderer.render_sms(ctx)?;
                self.ports.sms.send_sms(&msg).await
            }
        };
        sent.map(|_| ())
            .map_err(|source| StartError::Delivery { connection, source })
    }

    /// Parses `raw` in Auth0's order, checking each value against the client
    /// as it goes: the first problem is the one reported.
    async fn parse_auth_params(
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
    fn link_url(
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
