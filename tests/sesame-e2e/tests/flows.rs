//! The whole passwordless flow over HTTP, as an Auth0 client runs it: start,
//! read the code, redeem it, verify the tokens against the served JWKS and
//! call /userinfo.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use jsonwebtoken::Algorithm;
use serde_json::Value;
use sesame_domain::Recipient;
use sesame_e2e::jwt::{audiences, verify};
use sesame_e2e::{
    Backend, ES256_API, FULL_SCOPE, NATIVE_CLIENT, RS256_API, TestApp, fresh_email, fresh_phone,
};

/// The checks every successful OTP grant passes, for `api` and its
/// expected access-token algorithm and lifetime. Returns the token body and
/// the id token's claims.
async fn redeem_and_verify(
    app: &TestApp,
    who: &Recipient,
    api: &str,
    alg: Algorithm,
    lifetime: u64,
) -> (Value, Value) {
    let code = app.code_for(who);
    assert_eq!(code.len(), 6, "a 6-digit code");
    let mut body = sesame_e2e::api::otp_body(who, &code);
    body["audience"] = api.into();
    let reply = app.token_json(&body).await;
    let tokens = reply.expect_status(200).clone();
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], lifetime);
    assert_eq!(tokens["scope"], FULL_SCOPE);
    assert!(
        tokens["refresh_token"]
            .as_str()
            .is_some_and(|t| t.len() >= 32),
        "a refresh token: {tokens}"
    );

    let jwks = app.jwks().await;
    let access = verify(
        tokens["access_token"].as_str().expect("an access token"),
        &jwks,
        &app.issuer,
        api,
    );
    assert_eq!(access.alg, alg);
    assert_eq!(
        audiences(&access.claims),
        [api.to_owned(), format!("{}userinfo", app.issuer)]
    );
    assert_eq!(access.claims["iss"], app.issuer.as_str());
    assert_eq!(access.claims["azp"], NATIVE_CLIENT);
    assert_eq!(access.claims["scope"], FULL_SCOPE);

    let id = verify(
        tokens["id_token"].as_str().expect("an id token"),
        &jwks,
        &app.issuer,
        NATIVE_CLIENT,
    );
    assert_eq!(id.alg, Algorithm::RS256, "id tokens use the default alg");
    assert_eq!(id.claims["aud"], NATIVE_CLIENT);
    assert_eq!(id.claims["sub"], access.claims["sub"]);
    (tokens, id.claims)
}

async fn an_email_code_is_redeemed_for_rs256_tokens_that_verify_against_the_served_jwks(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();

    let started = app.start_for(&who).await;
    let body = started.expect_status(200);
    assert!(body["_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(body["email"], who.as_str());
    assert_eq!(body["email_verified"], false);

    let (tokens, id) = redeem_and_verify(&app, &who, RS256_API, Algorithm::RS256, 86_400).await;
    assert_eq!(id["email"], who.as_str());
    assert_eq!(id["email_verified"], true);

    let info = app
        .userinfo(tokens["access_token"].as_str().expect("an access token"))
        .await;
    let profile = info.expect_status(200);
    assert_eq!(profile["email"], who.as_str());
    assert_eq!(profile["email_verified"], true);
    assert_eq!(profile["sub"], id["sub"]);
}

async fn an_access_token_for_an_es256_api_is_signed_with_es256(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    app.start_for(&who).await.expect_status(200);
    let (tokens, _) = redeem_and_verify(&app, &who, ES256_API, Algorithm::ES256, 3600).await;
    let info = app
        .userinfo(tokens["access_token"].as_str().expect("an access token"))
        .await;
    assert_eq!(info.expect_status(200)["email"], who.as_str());
}

async fn an_sms_code_is_redeemed_for_tokens_naming_the_verified_phone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_phone();

    let started = app.start_for(&who).await;
    let body = started.expect_status(200);
    assert!(body["_id"].as_str().is_some_and(|id| !id.is_empty()));
    assert_eq!(body["phone_number"], who.as_str());
    assert_eq!(body["phone_verified"], false);
    assert!(
        app.outbox.last_sms_to(who.as_str()).is_some(),
        "the code went out as a text message"
    );

    let (tokens, id) = redeem_and_verify(&app, &who, RS256_API, Algorithm::RS256, 86_400).await;
    assert_eq!(id["phone_number"], who.as_str());
    assert_eq!(id["phone_verified"], true);
    assert!(id.get("email").is_none(), "no email claim: {id}");

    let info = app
        .userinfo(tokens["access_token"].as_str().expect("an access token"))
        .await;
    assert_eq!(info.expect_status(200)["phone_number"], who.as_str());
}

async fn the_same_address_signs_in_as_the_same_user_every_time(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let jwks = app.jwks().await;
    let mut subjects = Vec::new();
    for _ in 0..2 {
        let tokens = app.login(&who).await;
        let id = verify(
            tokens["id_token"].as_str().expect("an id token"),
            &jwks,
            &app.issuer,
            NATIVE_CLIENT,
        );
        subjects.push(id.claims["sub"].clone());
    }
    assert_eq!(subjects[0], subjects[1]);
    let other = app.login(&fresh_email()).await;
    let other = verify(
        other["id_token"].as_str().expect("an id token"),
        &jwks,
        &app.issuer,
        NATIVE_CLIENT,
    );
    assert_ne!(other.claims["sub"], subjects[0]);
}

async fn userinfo_refuses_a_missing_or_forged_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let missing = app.get("/userinfo").await;
    missing.expect_error(401, "invalid_token", None);
    assert!(missing.header("www-authenticate").is_some());
    let tokens = app.login(&fresh_email()).await;
    let token = tokens["access_token"].as_str().expect("an access token");
    // Change one character in the middle of the signature.
    let at = token.rfind('.').expect("a JWS") + 20;
    let swapped = if &token[at..=at] == "A" { "B" } else { "A" };
    let forged = format!("{}{swapped}{}", &token[..at], &token[at + 1..]);
    app.userinfo(&forged)
        .await
        .expect_error(401, "invalid_token", None);
}

async fn userinfo_refuses_an_id_token_or_a_refresh_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let tokens = app.login(&fresh_email()).await;
    for kind in ["id_token", "refresh_token"] {
        let token = tokens[kind].as_str().expect("a token");
        app.userinfo(token)
            .await
            .expect_error(401, "invalid_token", None);
    }
}

sesame_e2e::on_every_backend!(
    an_email_code_is_redeemed_for_rs256_tokens_that_verify_against_the_served_jwks,
    an_access_token_for_an_es256_api_is_signed_with_es256,
    an_sms_code_is_redeemed_for_tokens_naming_the_verified_phone,
    the_same_address_signs_in_as_the_same_user_every_time,
    userinfo_refuses_a_missing_or_forged_token,
    userinfo_refuses_an_id_token_or_a_refresh_token,
);
