//! Redeeming a one-time code for tokens.
//!
//! The answer to a wrong code and to a recipient that was never sent one is
//! the same, and so is the work done: a MAC is computed and compared either
//! way, and both count against the recipient's failure limit.

use super::errors::OtpError;
use super::mint::{Mint, MintError, RefreshPlan};
use super::requests::OtpRequest;
use super::{ClientAuth, Passwordless};
use crate::challenge::{ChallengeId, ChallengeKey};
use crate::client::GrantType;
use crate::ports::random_array;
use crate::recipient::Recipient;
use crate::user::{User, UserId};

/// How a presented code fared against the latest challenge.
enum Verdict {
    Redeemed,
    Wrong,
    Expired,
    Exhausted,
    /// The right code, but a concurrent redemption consumed it first: a
    /// double submit, not a guess, so it does not count as a failure.
    LostRace,
}

impl Passwordless {
    /// Redeems `req.otp` for a token set, creating the user on first login.
    ///
    /// # Errors
    /// [`OtpError`]; `Expired` only when the code matches an expired
    /// challenge, and `MaxAttempts` only for a live challenge.
    pub async fn exchange_otp(&self, req: OtpRequest) -> Result<crate::token::TokenSet, OtpError> {
        let client = match self.authenticate(&req.client).await? {
            ClientAuth::Ok { client, .. } => client,
            ClientAuth::Unknown | ClientAuth::Invalid => return Err(OtpError::InvalidClient),
        };
        if !client.allows_grant(GrantType::PasswordlessOtp) {
            return Err(OtpError::GrantNotAllowed(GrantType::PasswordlessOtp));
        }
        if !client.allows_connection(req.connection) {
            return Err(OtpError::ConnectionDisabled(req.connection));
        }
        if let Some(uri) = &req.redirect_uri
            && !client.allows_callback(uri)
        {
            return Err(OtpError::InvalidRedirectUri);
        }
        if let Some(s) = &req.scope {
            super::scope::parse(s).map_err(OtpError::InvalidScope)?;
        }
        // An audience named in the request is resolved before any code is
        // looked at, so a typo in it does not spend the user's code.
        let requested_api = match &req.audience {
            Some(aud) => Some(
                self.ports
                    .apis
                    .get(aud)
                    .await?
                    .ok_or_else(|| OtpError::UnknownAudience(aud.clone()))?,
            ),
            None => None,
        };
        let wrong = OtpError::WrongCode(req.connection);
        let now = self.ports.clock.now();

        // An unparseable username cannot have been sent a code: same answer
        // as a wrong code, after the same MAC work.
        let Ok(recipient) = Recipient::parse(req.connection, &req.username) else {
            let _ = self.otp_mac(&ChallengeId::from_stored("ch_none"), req.otp.expose());
            return Err(wrong);
        };
        let fail_key = self.recipient_key("otp:fail", &recipient);
        let limit = self.config.failures_per_recipient;
        let before = self.ports.rate_limiter.peek(&fail_key, limit, now).await?;
        if !before.allowed {
            return Err(OtpError::TooManyAttempts(before));
        }

        let key = ChallengeKey {
            client_id: client.id.clone(),
            recipient: recipient.clone(),
        };
        let latest = self.ports.challenges.latest(&key).await?;
        let verdict = match &latest {
            None => {
                let _ = self.otp_mac(&ChallengeId::from_stored("ch_none"), req.otp.expose());
                Verdict::Wrong
            }
            Some(ch) => {
                let matches = self.otp_mac(&ch.id, req.otp.expose()).matches(&ch.code_mac);
                if ch.consumed {
                    // The right code again is a replay or a double submit,
                    // not a guess: refused, but not counted.
                    if matches {
                        Verdict::LostRace
                    } else {
                        Verdict::Wrong
                    }
                } else if ch.is_expired_at(now) {
                    if matches {
                        Verdict::Expired
                    } else {
                        Verdict::Wrong
                    }
                } else if ch.attempts_left == 0 {
                    Verdict::Exhausted
                } else if matches {
                    // Of concurrent redemptions exactly one flips it.
                    if self.ports.challenges.consume(&ch.id, now).await? {
                        Verdict::Redeemed
                    } else {
                        Verdict::LostRace
                    }
                } else {
                    match self.ports.challenges.record_failure(&ch.id).await? {
                        Some(0) => Verdict::Exhausted,
                        _ => Verdict::Wrong,
                    }
                }
            }
        };
        let challenge = match (verdict, latest) {
            (Verdict::Redeemed, Some(ch)) => ch,
            (Verdict::Expired, _) => return Err(OtpError::Expired),
            (Verdict::LostRace, _) => return Err(wrong),
            (v, _) => {
                let after = self.ports.rate_limiter.hit(&fail_key, limit, now).await?;
                return Err(match v {
                    Verdict::Exhausted => OtpError::MaxAttempts,
                    _ if !after.allowed => OtpError::TooManyAttempts(after),
                    _ => wrong,
                });
            }
        };

        let api = match (requested_api, &challenge.auth_params.audience) {
            (Some(api), _) => Some(api),
            // Checked at start; an API removed since then refuses now.
            (None, Some(aud)) => Some(
                self.ports
                    .apis
                    .get(aud)
                    .await?
                    .ok_or_else(|| OtpError::UnknownAudience(aud.clone()))?,
            ),
            (None, None) => None,
        };
        let user = self.login(&recipient).await?;
        let requested = req
            .scope
            .as_deref()
            .or(challenge.auth_params.scope.as_deref());
        let scope = Self::granted_scope(&client, requested).map_err(OtpError::InvalidScope)?;
        self.mint(Mint {
            client: &client,
            user: &user,
            scope,
            api: api.as_ref(),
            nonce: challenge.auth_params.nonce.as_deref(),
            refresh: RefreshPlan::NewFamilyIfAllowed,
        })
        .await
        .map(|m| m.tokens)
        .map_err(OtpError::from)
    }

    /// Finds or creates the user for `recipient` and records the login.
    pub(super) async fn login(&self, recipient: &Recipient) -> Result<User, OtpError> {
        let now = self.ports.clock.now();
        let user = match self.ports.users.find(recipient).await? {
            Some(u) => u,
            None if self.config.disable_signup => return Err(OtpError::SignupDisabled),
            None => {
                let fresh = User {
                    id: UserId::from_random(
                        recipient.connection(),
                        random_array(self.ports.rng.as_ref()),
                    ),
                    recipient: recipient.clone(),
                    verified: false,
                    created_at: now,
                    last_login: None,
                    logins_count: 0,
                    blocked: false,
                };
                self.ports.users.create(&fresh).await?
            }
        };
        if user.blocked {
            return Err(OtpError::Blocked);
        }
        self.ports
            .users
            .record_login(&user.id, now)
            .await?
            .ok_or_else(|| OtpError::Unknown(anyhow::anyhow!("user vanished during login")))
    }
}

impl From<MintError> for OtpError {
    fn from(e: MintError) -> Self {
        match e {
            MintError::Store(s) => s.into(),
            MintError::Key(k) => Self::Unknown(k.into()),
            MintError::Token(t) => t.into(),
        }
    }
}
