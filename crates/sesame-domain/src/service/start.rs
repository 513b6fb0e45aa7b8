//! Starting a passwordless login: check the client and the limits, issue a
//! challenge, deliver its code.

use std::net::IpAddr;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use super::Passwordless;
use super::client_auth::ClientAuth;
use super::errors::StartError;
use super::events::{Origin, Trace};
use super::requests::{StartRequest, Started};
use crate::challenge::{Challenge, ChallengeId, SendMode};
use crate::client::GrantType;
use crate::message::{MessageContext, Operation};
use crate::ports::{DeliveryQueue, Outgoing, random_array};
use crate::rate_limit::{RateDecision, Reservation};
use crate::recipient::{Connection, Recipient};
use crate::time::Timestamp;

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
        let trace = Trace::default();
        let client_id = req.client.client_id.clone();
        // The transport's IP until the start resolves it: a spoofed
        // `auth0-forwarded-for` never reaches the log.
        trace.ip(req.ip);
        let user_agent = req.user_agent.clone();
        let (recipient, send) = (req.recipient.clone(), req.send);
        let result = self.start_traced(req, &trace).await;
        let traced = trace.read();
        let origin = Origin {
            client_id: Some(client_id.as_str()),
            ip: traced.ip,
            user_agent: user_agent.as_deref(),
        };
        self.start_event(
            result.as_ref().map(|_| ()),
            &recipient,
            send,
            &traced,
            origin,
        );
        result
    }

    /// [`Passwordless::start`], noting the user in `trace`.
    async fn start_traced(&self, req: StartRequest, trace: &Trace) -> Result<Started, StartError> {
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
        let phone = match &req.recipient {
            Recipient::Sms(phone) => Some(phone.clone()),
            Recipient::Email(_) => None,
        };
        if let Some(phone) = &phone {
            self.sms_country_allowed(phone)?;
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
        trace.ip(ip);
        let counters = self.start_counters(&req.recipient, ip);
        // A test identity's code is fixed and goes nowhere: no text is
        // sent, so none is counted against the pumping quotas.
        let test_code = self.test_code(&req.recipient, now);
        let texted = match (&phone, &test_code) {
            (Some(phone), None) => {
                // Reads only: refused here, nothing was counted.
                self.sms_conversion(phone, now).await?;
                Some(phone)
            }
            _ => None,
        };

        let request_id = ChallengeId::from_random(random_array(self.ports.rng.as_ref()));
        let code = match &test_code {
            Some(code) => code.clone(),
            None => self.ports.rng.numeric_code(self.config.code_length),
        };
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
            id: request_id.clone(),
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
        // The limits, an SMS's quotas and the challenge in one call: over a
        // limit, nothing is counted and no earlier code is replaced.
        let rate = self.admit_start(&counters, texted, &challenge, now).await?;
        let started = Started {
            id: request_id.as_str().to_owned(),
            recipient: req.recipient.clone(),
            rate,
        };
        if test_code.is_some() {
            trace.test_identity();
            tracing::info!(
                target: "sesame::events",
                event = "test_identity_start",
                client_id = client.id.as_str(),
                %connection,
                "a start for a test identity: its fixed code, nothing sent"
            );
        }
        // A blocked user, or an unknown one while sign-ups are disabled,
        // gets a decoy: a challenge stored like a real one, whose code and
        // link nobody is told, so every later answer (wrong code, maximum
        // attempts, expiry) is the one a known recipient gets.
        let found = self.ports.users.find(&req.recipient).await?;
        if let Some(user) = &found {
            trace.user(&user.id);
        }
        let (operation, decoy) = match found {
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
            // A test identity's fixed code is never sent anywhere.
            _ if test_code.is_some() => Ok(()),
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
        // A decoy sent nothing: counting it would let decoys drag a
        // prefix's conversion down. Deferred jobs count when queued.
        if let (Some(phone), false) = (&phone, decoy || test_code.is_some()) {
            self.sms_delivered(phone, now).await;
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

    pub(super) async fn deliver(&self, ctx: &MessageContext) -> Result<(), StartError> {
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
}

impl Passwordless {
    /// The fixed code of `recipient` when it is a test identity that has
    /// not expired at `now`.
    fn test_code(&self, recipient: &Recipient, now: Timestamp) -> Option<crate::code::Otp> {
        self.config
            .test_identities
            .iter()
            .find(|t| &t.recipient == recipient && now < t.expires_at)
            .map(|t| t.code.clone())
    }

    /// Counts a start against its limits, all in one call to the limiter:
    /// per IP, per (recipient, IP) and per recipient. Over any of them,
    /// nothing is counted. The per-IP decision, for the answer's headers.
    /// For starts that store no challenge (an MFA text); a login's start
    /// counts them with its challenge ([`admit_start`](Self::admit_start)).
    ///
    /// # Errors
    /// [`StartError::RateLimited`] with the refusing limit's decision; the
    /// limiter's error.
    pub(super) async fn start_limits(
        &self,
        recipient: &Recipient,
        ip: Option<IpAddr>,
        now: Timestamp,
    ) -> Result<Option<RateDecision>, StartError> {
        let counters = self.start_counters(recipient, ip);
        let take = self.start_batch(&counters);
        match self.ports.rate_limiter.reserve_all(&take, &[], now).await? {
            Reservation::Taken(decisions) => Ok(ip.and_then(|_| decisions.first().copied())),
            Reservation::Refused { decision, .. } => Err(StartError::RateLimited(decision)),
        }
    }
}
