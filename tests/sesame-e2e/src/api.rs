//! Talking to a [`TestApp`] the way an Auth0 client would: the requests of
//! the passwordless flow, in JSON and as forms.

use serde_json::{Value, json};
use sesame_domain::{Connection, Recipient};

use crate::app::TestApp;
use crate::config::{FULL_SCOPE, NATIVE_CLIENT, OTP_GRANT, RS256_API};
use crate::reply::Reply;

/// The Auth0 name of a connection (`email` or `sms`).
#[must_use]
pub const fn realm(recipient: &Recipient) -> &'static str {
    match recipient.connection() {
        Connection::Email => "email",
        Connection::Sms => "sms",
    }
}

/// The property a start request names the recipient with.
#[must_use]
pub const fn recipient_property(recipient: &Recipient) -> &'static str {
    match recipient.connection() {
        Connection::Email => "email",
        Connection::Sms => "phone_number",
    }
}

/// A start request for `recipient` from the native client, for a code.
#[must_use]
pub fn start_body(recipient: &Recipient) -> Value {
    json!({
        "client_id": NATIVE_CLIENT,
        "connection": realm(recipient),
        recipient_property(recipient): recipient.as_str(),
        "send": "code",
    })
}

/// An OTP grant from the native client for `recipient` and `otp`, asking
/// for every token with the RS256 API as audience.
#[must_use]
pub fn otp_body(recipient: &Recipient, otp: &str) -> Value {
    json!({
        "grant_type": OTP_GRANT,
        "client_id": NATIVE_CLIENT,
        "username": recipient.as_str(),
        "otp": otp,
        "realm": realm(recipient),
        "scope": FULL_SCOPE,
        "audience": RS256_API,
    })
}

/// `body`'s string properties as form pairs (nested objects are skipped).
#[must_use]
pub fn form_pairs(body: &Value) -> Vec<(String, String)> {
    body.as_object()
        .map(|o| {
            o.iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned())))
                .collect()
        })
        .unwrap_or_default()
}

impl TestApp {
    /// POSTs `body` as JSON to `path`.
    ///
    /// # Panics
    /// The request cannot be sent.
    pub async fn post_json(&self, path: &str, body: &Value) -> Reply {
        self.send(self.client.post(self.url(path)).json(body)).await
    }

    /// POSTs `pairs` as a form to `path`.
    pub async fn post_form(&self, path: &str, pairs: &[(String, String)]) -> Reply {
        self.send(self.client.post(self.url(path)).form(pairs))
            .await
    }

    /// POSTs raw `body` with `content_type` to `path`.
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        let request = self
            .client
            .post(self.url(path))
            .header("content-type", content_type)
            .body(body);
        self.send(request).await
    }

    /// GETs `path`.
    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(self.url(path))).await
    }

    /// Sends `request` and reads the reply.
    ///
    /// # Panics
    /// The request fails at the transport level.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let response = request.send().await.expect("sending the request");
        Reply::read(response).await
    }

    /// `POST /passwordless/start` with `body` (JSON).
    pub async fn start(&self, body: &Value) -> Reply {
        self.post_json("/passwordless/start", body).await
    }

    /// Starts a code login for `recipient` from the native client.
    pub async fn start_for(&self, recipient: &Recipient) -> Reply {
        self.start(&start_body(recipient)).await
    }

    /// `POST /oauth/token` with `body` as JSON.
    pub async fn token_json(&self, body: &Value) -> Reply {
        self.post_json("/oauth/token", body).await
    }

    /// `POST /oauth/token` with `body`'s string properties as a form.
    pub async fn token_form(&self, body: &Value) -> Reply {
        self.post_form("/oauth/token", &form_pairs(body)).await
    }

    /// The OTP grant for `recipient` and `otp`, as JSON ([`otp_body`]).
    pub async fn token_otp_json(&self, recipient: &Recipient, otp: &str) -> Reply {
        self.token_json(&otp_body(recipient, otp)).await
    }

    /// The OTP grant for `recipient` and `otp`, as a form.
    pub async fn token_otp_form(&self, recipient: &Recipient, otp: &str) -> Reply {
        self.token_form(&otp_body(recipient, otp)).await
    }

    /// The code in the last message to `recipient`.
    ///
    /// # Panics
    /// Nothing with a code was sent to `recipient`.
    #[must_use]
    pub fn code_for(&self, recipient: &Recipient) -> String {
        self.outbox
            .last_code_for(recipient)
            .unwrap_or_else(|| panic!("no code was sent to the {} recipient", realm(recipient)))
    }

    /// Starts a login for `recipient` and returns the code it was sent.
    ///
    /// # Panics
    /// The start fails or no code arrives.
    pub async fn issue_code(&self, recipient: &Recipient) -> String {
        self.start_for(recipient).await.expect_status(200);
        self.code_for(recipient)
    }

    /// A whole login for `recipient` (start, code, OTP grant); returns the
    /// token response.
    ///
    /// # Panics
    /// Any step fails.
    pub async fn login(&self, recipient: &Recipient) -> Value {
        let code = self.issue_code(recipient).await;
        self.token_otp_json(recipient, &code)
            .await
            .expect_status(200)
            .clone()
    }

    /// The refresh-token grant for `token` from the native client.
    pub async fn refresh(&self, token: &str) -> Reply {
        self.token_json(&json!({
            "grant_type": "refresh_token",
            "client_id": NATIVE_CLIENT,
            "refresh_token": token,
        }))
        .await
    }

    /// `POST /oauth/revoke` of `token` from the native client.
    pub async fn revoke(&self, token: &str) -> Reply {
        self.post_json(
            "/oauth/revoke",
            &json!({"client_id": NATIVE_CLIENT, "token": token}),
        )
        .await
    }

    /// `GET /userinfo` with `access_token`.
    pub async fn userinfo(&self, access_token: &str) -> Reply {
        self.send(
            self.client
                .get(self.url("/userinfo"))
                .bearer_auth(access_token),
        )
        .await
    }

    /// The served JWKS.
    ///
    /// # Panics
    /// `GET /.well-known/jwks.json` fails or is not a JWK set.
    pub async fn jwks(&self) -> jsonwebtoken::jwk::JwkSet {
        let reply = self.get("/.well-known/jwks.json").await;
        reply.expect_status(200);
        serde_json::from_value(reply.body.clone())
            .unwrap_or_else(|e| panic!("the JWKS does not parse: {e}: {}", reply.text))
    }
}
