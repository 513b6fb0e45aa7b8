//! MFA through the real server, on every backend: `mfa_required` for a
//! client with `mfa = "always"`, TOTP enrolled with the `mfa_token` and
//! confirmed by `mfa-otp`, a replayed code refused, and the next login
//! challenged and passed (authenticators in SQLite or Postgres; `mfa_token`s
//! in SQLite, or in Redis beside Postgres).
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sesame_domain::Recipient;
use sesame_domain::mfa::Totp;
use sesame_e2e::{Backend, MFA_CLIENT, OTP_GRANT, TestApp, fresh_email};

const MFA_OTP: &str = "http://auth0.com/oauth/grant-type/mfa-otp";

/// A passwordless login by the MFA client; its token answer.
async fn first_factor(app: &TestApp, who: &Recipient) -> Value {
    app.start(&json!({
        "client_id": MFA_CLIENT, "connection": "email", "email": who.as_str(), "send": "code",
    }))
    .await
    .expect_status(200);
    let code = app.code_for(who);
    app.token_json(&json!({
        "grant_type": OTP_GRANT, "client_id": MFA_CLIENT, "username": who.as_str(),
        "otp": code, "realm": "email", "scope": "openid offline_access",
    }))
    .await
    .expect_status(403)
    .clone()
}

fn bearer(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> reqwest::RequestBuilder {
    app.client
        .request(method, app.url(path))
        .header("Authorization", format!("Bearer {token}"))
}

fn otp_grant(token: &str, otp: &str) -> Value {
    json!({"grant_type": MFA_OTP, "client_id": MFA_CLIENT, "mfa_token": token, "otp": otp})
}

async fn a_user_enrolls_totp_and_logs_in_with_it(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let first = first_factor(&app, &who).await;
    assert_eq!(first["error"], "mfa_required");
    let token = first["mfa_token"]
        .as_str()
        .expect("an mfa_token")
        .to_owned();

    let enrolled = app
        .send(
            bearer(&app, reqwest::Method::POST, "/mfa/associate", &token)
                .json(&json!({"authenticator_types": ["otp"]})),
        )
        .await
        .expect_status(200)
        .clone();
    let totp = Totp::from_base32(enrolled["secret"].as_str().expect("a secret")).expect("base32");
    let step = Totp::step_of(sesame_domain::Timestamp::from_unix_seconds(
        i64::try_from(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .expect("after 1970")
                .as_secs(),
        )
        .expect("in range"),
    ));
    let tokens = app
        .token_json(&otp_grant(&token, &totp.code_at_step(step)))
        .await
        .expect_status(200)
        .clone();
    let id = tokens["id_token"].as_str().expect("an id token");
    let claims: Value = serde_json::from_slice(
        &URL_SAFE_NO_PAD
            .decode(id.split('.').nth(1).expect("a payload"))
            .expect("base64url"),
    )
    .expect("json");
    assert_eq!(claims["amr"], json!(["mfa"]));
    assert!(
        tokens["refresh_token"].is_string(),
        "the first grant asked for offline_access"
    );
    // The token is spent.
    app.token_json(&otp_grant(&token, &totp.code_at_step(step + 1)))
        .await
        .expect_error(403, "invalid_grant", Some("Malformed mfa_token"));

    // The next login: challenged; the used code is refused, the next passes.
    let second = first_factor(&app, &who).await;
    assert_eq!(
        second["mfa_requirements"],
        json!({"challenge": [{"type": "otp"}, {"type": "recovery-code"}]})
    );
    let token = second["mfa_token"]
        .as_str()
        .expect("an mfa_token")
        .to_owned();
    let listed = app
        .send(bearer(
            &app,
            reqwest::Method::GET,
            "/mfa/authenticators",
            &token,
        ))
        .await
        .expect_status(200)
        .clone();
    assert_eq!(listed.as_array().expect("a list").len(), 2);
    app.token_json(&otp_grant(&token, &totp.code_at_step(step)))
        .await
        .expect_error(403, "invalid_grant", Some("Invalid otp_code."));
    app.token_json(&otp_grant(&token, &totp.code_at_step(step + 1)))
        .await
        .expect_status(200);
}

sesame_e2e::on_every_backend!(a_user_enrolls_totp_and_logs_in_with_it);
