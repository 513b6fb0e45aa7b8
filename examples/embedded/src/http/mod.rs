//! The service's own HTTP API (its routes, not `sesame-http`'s):
//!
//! - `POST /login/start` `{"email"}`: sends a code; `202` whether or not the
//!   address has an account, so the answer reveals nothing.
//! - `POST /login/verify` `{"email", "code"}`: the code for tokens.
//! - `GET /.well-known/jwks.json`: the keys that verify those tokens.
//!
//! Handlers see the domain through its role traits ([`StartLogin`],
//! [`IssueTokens`], [`Discovery`]), not through `Passwordless` itself, so
//! each depends on what it calls and could be tested with the domain's
//! mocks (feature `mocks`).

mod error;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::rejection::JsonRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use sesame_domain::service::{
    ClientCredentials, Discovery, IssueTokens, OtpGrant, StartLogin, StartRequest, TokenRequest,
};
use sesame_domain::{ClientId, Connection, Otp, RawAuthParams, Recipient, SendMode, TokenSet};

pub use error::ApiError;

/// What the handlers share: the roles they call and who they call as.
#[derive(Clone)]
struct Roles {
    login: Arc<dyn StartLogin>,
    tokens: Arc<dyn IssueTokens>,
    discovery: Arc<dyn Discovery>,
    client_id: ClientId,
}

impl Roles {
    /// This service's own, public client: an id and no secret.
    fn credentials(&self) -> ClientCredentials {
        ClientCredentials {
            client_id: self.client_id.clone(),
            client_secret: None,
        }
    }
}

/// The routes, calling `service` as the client `client_id`.
pub fn router<S>(service: &Arc<S>, client_id: ClientId) -> Router
where
    S: StartLogin + IssueTokens + Discovery,
{
    let roles = Roles {
        login: service.clone(),
        tokens: service.clone(),
        discovery: service.clone(),
        client_id,
    };
    Router::new()
        .route("/login/start", post(start))
        .route("/login/verify", post(verify))
        .route("/.well-known/jwks.json", get(jwks))
        .with_state(roles)
}

/// `POST /login/start`. No `Debug`: it holds an address.
#[derive(Deserialize)]
struct StartBody {
    email: String,
}

async fn start(
    State(roles): State<Roles>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    body: Result<Json<StartBody>, JsonRejection>,
) -> Result<(StatusCode, Json<serde_json::Value>), ApiError> {
    let Json(body) = body?;
    let recipient = Recipient::parse(Connection::Email, &body.email)
        .map_err(|e| ApiError::bad_request("invalid_email", e.to_string()))?;
    roles
        .login
        .start(StartRequest {
            client: roles.credentials(),
            recipient,
            send: SendMode::Code,
            auth_params: RawAuthParams::default(),
            // The peer counts against the per-IP limit. Behind a proxy,
            // take the client's address from the proxy's header instead.
            ip: Some(peer.ip()),
            forwarded_for: None,
            locale: None,
            user_agent: None,
        })
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(serde_json::json!({ "status": "code_sent" })),
    ))
}

/// `POST /login/verify`. No `Debug`: it holds an address and a code.
#[derive(Deserialize)]
struct VerifyBody {
    email: String,
    code: String,
}

/// The tokens, as `/login/verify` answers them. No `Debug`: they are
/// credentials.
#[derive(Serialize)]
struct Tokens {
    access_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_token: Option<String>,
    token_type: &'static str,
    expires_in: u64,
    scope: String,
}

impl From<&TokenSet> for Tokens {
    fn from(t: &TokenSet) -> Self {
        Self {
            access_token: t.access_token().to_owned(),
            id_token: t.id_token().map(str::to_owned),
            token_type: t.token_type,
            expires_in: t.expires_in,
            scope: t.scope.clone(),
        }
    }
}

async fn verify(
    State(roles): State<Roles>,
    body: Result<Json<VerifyBody>, JsonRejection>,
) -> Result<Json<Tokens>, ApiError> {
    let Json(body) = body?;
    // The address goes in as typed: an unparseable one gets the same answer
    // as a wrong code, from the domain.
    let grant = OtpGrant {
        connection: Connection::Email,
        username: body.email,
        otp: Otp::new(body.code),
        audience: None,
        scope: Some(crate::SCOPE.to_owned()),
        redirect_uri: None,
    };
    let tokens = roles
        .tokens
        .token(TokenRequest::new(roles.credentials(), grant))
        .await?;
    Ok(Json(Tokens::from(&tokens)))
}

async fn jwks(State(roles): State<Roles>) -> Result<Json<serde_json::Value>, ApiError> {
    Ok(Json(roles.discovery.jwks().await.map_err(ApiError::from)?))
}
