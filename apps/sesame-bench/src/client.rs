//! The HTTP calls of the flow, as an Auth0 SDK makes them: JSON bodies to
//! `/passwordless/start` and `/oauth/token`, each timed.

use std::time::{Duration, Instant};

use reqwest::header::CONTENT_TYPE;

use crate::dpop::DpopKey;
use serde::Deserialize;
use serde_json::{Value, json};

/// The Auth0 passwordless OTP grant.
pub const OTP_GRANT: &str = "http://auth0.com/oauth/grant-type/passwordless/otp";
/// The scope every login asks for: an id token and a refresh token.
pub const SCOPE: &str = "openid offline_access";
/// The most one request may take.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// What a call got back. `status` is 0 when no answer came (connection
/// refused, reset or timed out).
#[derive(Debug, Clone)]
pub struct Reply {
    /// The HTTP status, or 0 for a transport failure.
    pub status: u16,
    /// The body (empty on a transport failure).
    pub body: Vec<u8>,
    /// From just before sending to the end of the body (with `--dpop`, of
    /// both requests when the first was answered `use_dpop_nonce`).
    pub latency: Duration,
    /// The answer's `DPoP-Nonce` header.
    pub dpop_nonce: Option<String>,
}

impl Reply {
    /// `"200"`, `"429"`, … or `"transport"`: how errors are counted.
    #[must_use]
    pub fn status_key(&self) -> String {
        if self.status == 0 {
            "transport".to_owned()
        } else {
            self.status.to_string()
        }
    }
}

/// The tokens of a successful grant.
#[derive(Debug, Clone, Deserialize)]
pub struct Tokens {
    /// The access token.
    pub access_token: String,
    /// The id token (asked for with `openid`).
    pub id_token: Option<String>,
    /// The refresh token (asked for with `offline_access`).
    pub refresh_token: Option<String>,
    /// `Bearer`, or `DPoP` for a sender-constrained token.
    #[serde(default)]
    pub token_type: String,
}

/// A connection-pooling client for one server, one client id and one audience.
#[derive(Debug, Clone)]
pub struct Api {
    http: reqwest::Client,
    base: String,
    client_id: String,
    audience: Option<String>,
}

impl Api {
    /// A client for the server at `base` (e.g. `http://127.0.0.1:3000`).
    ///
    /// # Errors
    /// The HTTP client cannot be built.
    pub fn new(
        base: &str,
        client_id: &str,
        audience: Option<&str>,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .connect_timeout(Duration::from_secs(3))
            .redirect(reqwest::redirect::Policy::none())
            .tcp_nodelay(true)
            .build()?;
        Ok(Self {
            http,
            base: base.trim_end_matches('/').to_owned(),
            client_id: client_id.to_owned(),
            audience: audience.map(str::to_owned),
        })
    }

    /// The server's base URL, without a trailing slash.
    #[must_use]
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The client id the flows use (the id token's audience).
    #[must_use]
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// `POST /passwordless/start` for a code by email.
    pub async fn start(&self, email: &str) -> Reply {
        let body = json!({
            "client_id": self.client_id, "connection": "email",
            "email": email, "send": "code",
        });
        self.post("/passwordless/start", &body, None).await
    }

    /// `POST /oauth/token` with the OTP grant and [`SCOPE`], with a DPoP
    /// proof signed by `dpop` if given.
    pub async fn otp(&self, email: &str, code: &str, dpop: Option<&DpopKey>) -> Reply {
        let mut body = json!({
            "grant_type": OTP_GRANT, "client_id": self.client_id,
            "realm": "email", "username": email, "otp": code, "scope": SCOPE,
        });
        self.add_audience(&mut body);
        self.token(&body, dpop).await
    }

    /// `POST /oauth/token` with the refresh-token grant, with a DPoP proof
    /// signed by `dpop` if given.
    pub async fn refresh(&self, refresh_token: &str, dpop: Option<&DpopKey>) -> Reply {
        let body = json!({
            "grant_type": "refresh_token", "client_id": self.client_id,
            "refresh_token": refresh_token,
        });
        self.token(&body, dpop).await
    }

    /// `POST /oauth/token`. With a DPoP key: a fresh proof with the last
    /// nonce the server gave; answered `use_dpop_nonce`, once more with the
    /// nonce it sent (as openid-client does).
    async fn token(&self, body: &Value, dpop: Option<&DpopKey>) -> Reply {
        let Some(key) = dpop else {
            return self.post("/oauth/token", body, None).await;
        };
        let htu = format!("{}/oauth/token", self.base);
        let mut spent = Duration::ZERO;
        let mut retried = false;
        loop {
            let Ok(proof) = key.proof("POST", &htu) else {
                return Reply {
                    status: 0,
                    body: Vec::new(),
                    latency: spent,
                    dpop_nonce: None,
                };
            };
            let reply = self.post("/oauth/token", body, Some(&proof)).await;
            key.remember_nonce(reply.dpop_nonce.as_deref());
            spent += reply.latency;
            if !retried && reply.status == 400 && asks_for_nonce(&reply.body) {
                retried = true;
                continue;
            }
            return Reply {
                latency: spent,
                ..reply
            };
        }
    }

    /// `GET path` and its body; for the JWKS and the readiness probe.
    pub async fn get(&self, path: &str) -> Reply {
        let started = Instant::now();
        let sent = self.http.get(format!("{}{path}", self.base)).send().await;
        finish(sent, started).await
    }

    fn add_audience(&self, body: &mut Value) {
        if let (Some(audience), Some(map)) = (&self.audience, body.as_object_mut()) {
            map.insert("audience".to_owned(), Value::String(audience.clone()));
        }
    }

    async fn post(&self, path: &str, body: &Value, dpop: Option<&str>) -> Reply {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let started = Instant::now();
        let mut request = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, "application/json");
        if let Some(proof) = dpop {
            request = request.header("DPoP", proof);
        }
        let sent = request.body(bytes).send().await;
        finish(sent, started).await
    }
}

async fn finish(sent: Result<reqwest::Response, reqwest::Error>, started: Instant) -> Reply {
    let (status, body, dpop_nonce) = match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            let nonce = response
                .headers()
                .get("dpop-nonce")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            match response.bytes().await {
                Ok(body) => (status, body.to_vec(), nonce),
                Err(_) => (0, Vec::new(), None),
            }
        }
        Err(_) => (0, Vec::new(), None),
    };
    Reply {
        status,
        body,
        latency: started.elapsed(),
        dpop_nonce,
    }
}

/// Is this 400 body `{"error":"use_dpop_nonce",…}`?
fn asks_for_nonce(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(body)
        .ok()
        .is_some_and(|v| v.get("error").and_then(Value::as_str) == Some("use_dpop_nonce"))
}
