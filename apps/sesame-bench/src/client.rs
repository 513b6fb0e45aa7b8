//! The HTTP calls of the flow, as an Auth0 SDK makes them: JSON bodies to
//! `/passwordless/start` and `/oauth/token`, each timed.

use std::time::{Duration, Instant};

use reqwest::header::CONTENT_TYPE;
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
    /// From just before sending to the end of the body.
    pub latency: Duration,
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
        self.post("/passwordless/start", &body).await
    }

    /// `POST /oauth/token` with the OTP grant and [`SCOPE`].
    pub async fn otp(&self, email: &str, code: &str) -> Reply {
        let mut body = json!({
            "grant_type": OTP_GRANT, "client_id": self.client_id,
            "realm": "email", "username": email, "otp": code, "scope": SCOPE,
        });
        self.add_audience(&mut body);
        self.post("/oauth/token", &body).await
    }

    /// `POST /oauth/token` with the refresh-token grant.
    pub async fn refresh(&self, refresh_token: &str) -> Reply {
        let body = json!({
            "grant_type": "refresh_token", "client_id": self.client_id,
            "refresh_token": refresh_token,
        });
        self.post("/oauth/token", &body).await
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

    async fn post(&self, path: &str, body: &Value) -> Reply {
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let started = Instant::now();
        let sent = self
            .http
            .post(format!("{}{path}", self.base))
            .header(CONTENT_TYPE, "application/json")
            .body(bytes)
            .send()
            .await;
        finish(sent, started).await
    }
}

async fn finish(sent: Result<reqwest::Response, reqwest::Error>, started: Instant) -> Reply {
    let (status, body) = match sent {
        Ok(response) => {
            let status = response.status().as_u16();
            match response.bytes().await {
                Ok(body) => (status, body.to_vec()),
                Err(_) => (0, Vec::new()),
            }
        }
        Err(_) => (0, Vec::new()),
    };
    Reply {
        status,
        body,
        latency: started.elapsed(),
    }
}
