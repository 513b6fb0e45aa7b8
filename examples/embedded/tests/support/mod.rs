//! The zero-to-production `spawn_app`: the example service on 127.0.0.1 and
//! an ephemeral port, its users in a fresh temporary file, its mail queue
//! read by the test instead of a worker.
#![expect(
    clippy::expect_used,
    reason = "test support: a failed setup step must fail the test loudly"
)]

use std::path::PathBuf;
use std::sync::Arc;

use embedded::mail::{Mailbox, mail_queue};
use embedded::users::JsonFileUserStore;
use embedded::{App, OwnAdapters};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{DecodingKey, Validation, decode, decode_header};
use reqwest::StatusCode;
use serde_json::Value;
use sesame_domain::MacKey;
use sesame_domain::service::Issuer;
use tokio::net::TcpListener;

/// A running example service.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The issuer its tokens carry: `http://127.0.0.1:<port>/`.
    pub issuer: String,
    /// Where its users live.
    pub users_file: PathBuf,
    mailbox: Mailbox,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// Builds the service as `main` does, with the test holding the mailbox,
/// and serves it in the background of the test's runtime.
pub async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("a free port");
    let addr = listener.local_addr().expect("the bound address");
    let issuer = format!("http://{addr}/");
    let users_file = dir.path().join("users.json");
    let (queue, mailbox) = mail_queue(16);
    let own = OwnAdapters {
        users: Arc::new(JsonFileUserStore::open(&users_file).expect("the users file")),
        email: Arc::new(queue),
    };
    let app = App::build(
        Issuer::parse(&issuer).expect("the issuer"),
        MacKey::new(&[7; 32]).expect("a 32-byte secret"),
        own,
    )
    .await
    .expect("the service builds");
    tokio::spawn(app.serve(listener));
    TestApp {
        address: format!("http://{addr}"),
        issuer,
        users_file,
        mailbox,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

impl TestApp {
    /// POSTs `body` as JSON to `path`; the status and the JSON answer.
    pub async fn post(&self, path: &str, body: &Value) -> (StatusCode, Value) {
        let res = self
            .http
            .post(format!("{}{path}", self.address))
            .json(body)
            .send()
            .await
            .expect("the request is answered");
        let status = res.status();
        (status, res.json().await.expect("a JSON answer"))
    }

    /// GETs `path`; the JSON answer, which must be a `200`.
    pub async fn get(&self, path: &str) -> Value {
        let res = self
            .http
            .get(format!("{}{path}", self.address))
            .send()
            .await
            .expect("the request is answered");
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.json().await.expect("a JSON answer")
    }

    /// Starts a login for `email`, which must be accepted.
    pub async fn start(&self, email: &str) {
        let (status, body) = self
            .post("/login/start", &serde_json::json!({ "email": email }))
            .await;
        assert_eq!(status, StatusCode::ACCEPTED, "start: {body}");
    }

    /// Verifies `code` for `email`.
    pub async fn verify(&self, email: &str, code: &str) -> (StatusCode, Value) {
        self.post(
            "/login/verify",
            &serde_json::json!({ "email": email, "code": code }),
        )
        .await
    }

    /// The code in the email queued for `email`. The start answers only
    /// after queueing its email, so the message is there already: no
    /// waiting.
    pub fn code_sent_to(&mut self, email: &str) -> String {
        let message = self
            .mailbox
            .try_recv()
            .expect("an email was queued before the start answered");
        assert_eq!(message.to.as_str(), email, "the email's recipient");
        let code = message.meta.code.expose().to_owned();
        assert!(
            message.text.contains(&code),
            "the email's text carries the code"
        );
        code
    }

    /// Whether no email is waiting in the queue.
    pub fn mailbox_is_empty(&mut self) -> bool {
        self.mailbox.try_recv().is_err()
    }
}

/// A code that is not `code`: same length, last digit changed.
pub fn wrong(code: &str) -> String {
    let (head, last) = code.split_at(code.len() - 1);
    let other = if last == "0" { "1" } else { "0" };
    format!("{head}{other}")
}

/// The claims of `token`, after checking it as a resource server would:
/// the signature with the key its `kid` names in `jwks`, the issuer, the
/// audience and the expiry.
pub fn verified_claims(token: &str, jwks: &JwkSet, issuer: &str, audience: &str) -> Value {
    let header = decode_header(token).expect("a JWT header");
    let kid = header.kid.clone().expect("a kid in the header");
    let jwk = jwks.find(&kid).expect("the kid is in the JWKS");
    let key = DecodingKey::from_jwk(jwk).expect("a usable JWK");
    let mut validation = Validation::new(header.alg);
    validation.set_issuer(&[issuer]);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    decode::<Value>(token, &key, &validation)
        .expect("the token verifies")
        .claims
}
