//! One virtual user's flows: a complete passwordless login (start, the
//! code through the webhook, the OTP grant), or a refresh-token grant.

use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::client::{Api, Reply, Tokens};
use crate::dpop::DpopKey;
use crate::receiver::Mailbox;
use crate::stats::{Endpoint, Recorder};

/// The longest a virtual user waits for its code after the start answered.
const CODE_TIMEOUT: Duration = Duration::from_secs(10);

/// What each flow does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// A fresh address every flow: every login creates a user.
    New,
    /// Logins cycling through a pool of users created in the warm-up.
    Returning,
    /// The refresh-token grant only, rotating tokens from warm-up logins.
    Refresh,
}

impl Mode {
    /// `new`, `returning` or `refresh`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::New => "new",
            Self::Returning => "returning",
            Self::Refresh => "refresh",
        }
    }
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "new" => Ok(Self::New),
            "returning" => Ok(Self::Returning),
            "refresh" => Ok(Self::Refresh),
            other => Err(format!(
                "--mode {other:?}: expected new, returning or refresh"
            )),
        }
    }
}

/// One virtual user: its addresses, its refresh token, its counters.
#[derive(Debug)]
pub struct Vu {
    id: usize,
    tag: String,
    mode: Mode,
    api: Arc<Api>,
    mailbox: Arc<Mailbox>,
    pool: Vec<String>,
    flows: usize,
    refresh_token: Option<String>,
    /// With `--dpop`: this user's key, which signs every token request.
    dpop: Option<DpopKey>,
}

impl Vu {
    /// Virtual user `id` of the run tagged `tag` (which keeps addresses
    /// unique across runs on one database); `pool` addresses in
    /// `returning` mode.
    #[must_use]
    pub fn new(
        id: usize,
        tag: &str,
        mode: Mode,
        pool: usize,
        api: Arc<Api>,
        mailbox: Arc<Mailbox>,
    ) -> Self {
        let pool = match mode {
            Mode::Returning => (0..pool.max(1))
                .map(|k| format!("bench-{tag}-u{id}-{k}@bench.sesame.test"))
                .collect(),
            Mode::New | Mode::Refresh => Vec::new(),
        };
        Self {
            id,
            tag: tag.to_owned(),
            mode,
            api,
            mailbox,
            pool,
            flows: 0,
            refresh_token: None,
            dpop: None,
        }
    }

    /// Signs every token request with a DPoP proof by `key`, and expects
    /// `DPoP` tokens back.
    #[must_use]
    pub fn with_dpop(mut self, key: DpopKey) -> Self {
        self.dpop = Some(key);
        self
    }

    /// What the mode needs before the clock starts: every pool address
    /// logged in once (`returning`), or a refresh token (`refresh`).
    ///
    /// # Errors
    /// The cause of the first failed login.
    pub async fn prepare(&mut self) -> Result<(), String> {
        let mut scratch = Recorder::default();
        match self.mode {
            Mode::New => {}
            Mode::Returning => {
                for email in self.pool.clone() {
                    self.login(&email, &mut scratch).await?;
                }
            }
            Mode::Refresh => {
                let email = self.fresh_address();
                let tokens = self.login(&email, &mut scratch).await?;
                self.refresh_token = Some(tokens.refresh_token.ok_or("otp:no_refresh_token")?);
            }
        }
        Ok(())
    }

    /// One flow of the mode, recording each call in `rec`. The caller
    /// times the whole flow and counts the error.
    ///
    /// # Errors
    /// The cause, e.g. `start:429`, `code:timeout` or `refresh:transport`.
    pub async fn flow(&mut self, rec: &mut Recorder) -> Result<Tokens, String> {
        self.flows += 1;
        match self.mode {
            Mode::New => {
                let email = self.fresh_address();
                self.login(&email, rec).await
            }
            Mode::Returning => {
                let email = self.pool[self.flows % self.pool.len()].clone();
                self.login(&email, rec).await
            }
            Mode::Refresh => {
                let token = self
                    .refresh_token
                    .as_deref()
                    .ok_or("refresh:no_refresh_token")?;
                let reply = self.api.refresh(token, self.dpop.as_ref()).await;
                rec.call(Endpoint::Refresh, reply.latency);
                let tokens = self.tokens(&reply, "refresh")?;
                // Rotation: the old token is spent, the new one is next.
                if let Some(next) = &tokens.refresh_token {
                    self.refresh_token = Some(next.clone());
                }
                Ok(tokens)
            }
        }
    }

    /// A complete login for `email`: start, code, OTP grant.
    ///
    /// # Errors
    /// The cause of the failure.
    pub async fn login(&self, email: &str, rec: &mut Recorder) -> Result<Tokens, String> {
        // Registered before asking, so the code cannot arrive unseen.
        let mut pending = self.mailbox.expect(email);
        let reply = self.api.start(email).await;
        rec.call(Endpoint::Start, reply.latency);
        if reply.status != 200 {
            return Err(format!("start:{}", reply.status_key()));
        }
        let waiting = Instant::now();
        let code = match tokio::time::timeout(CODE_TIMEOUT, pending.code()).await {
            Ok(Some(code)) => code,
            Ok(None) | Err(_) => return Err("code:timeout".to_owned()),
        };
        rec.call(Endpoint::CodeWait, waiting.elapsed());
        let reply = self.api.otp(email, &code, self.dpop.as_ref()).await;
        rec.call(Endpoint::Otp, reply.latency);
        let tokens = self.tokens(&reply, "otp")?;
        if tokens.id_token.is_none() {
            return Err("otp:no_id_token".to_owned());
        }
        Ok(tokens)
    }

    /// The tokens of a 200 answer, of the type the mode expects.
    fn tokens(&self, reply: &Reply, what: &str) -> Result<Tokens, String> {
        let tokens = tokens(reply, what)?;
        if self.dpop.is_some() && tokens.token_type != "DPoP" {
            return Err(format!("{what}:not_dpop"));
        }
        Ok(tokens)
    }

    fn fresh_address(&mut self) -> String {
        self.flows += 1;
        format!(
            "bench-{}-n{}-{}@bench.sesame.test",
            self.tag, self.id, self.flows
        )
    }
}

/// The tokens of a 200 answer, or the error cause `<what>:<status>`.
fn tokens(reply: &Reply, what: &str) -> Result<Tokens, String> {
    if reply.status != 200 {
        return Err(format!("{what}:{}", reply.status_key()));
    }
    serde_json::from_slice::<Tokens>(&reply.body).map_err(|_| format!("{what}:bad_json"))
}
