//! The example service end to end over real HTTP: start → code from the
//! mail queue → verify → tokens that a resource server can verify.

mod support;

use embedded::CLIENT_ID;
use embedded::users::JsonFileUserStore;
use jsonwebtoken::jwk::JwkSet;
use reqwest::StatusCode;
use sesame_domain::ports::UserStore;
use sesame_domain::{Connection, Recipient};
use sesame_testkit::fixtures::unique_hex;
use support::{spawn_app, verified_claims, wrong};

fn fresh_address() -> String {
    format!("someone.{}@example.com", unique_hex())
}

#[tokio::test]
async fn a_code_from_the_mail_queue_logs_in_with_tokens_that_verify_against_the_jwks() {
    let mut app = spawn_app().await;
    let email = fresh_address();

    app.start(&email).await;
    let code = app.code_sent_to(&email);
    let (status, tokens) = app.verify(&email, &code).await;

    assert_eq!(status, StatusCode::OK, "verify: {tokens}");
    assert_eq!(tokens["token_type"], "Bearer");
    let jwks: JwkSet = serde_json::from_value(app.get("/.well-known/jwks.json").await).unwrap();
    let access = tokens["access_token"].as_str().unwrap();
    let access = verified_claims(
        access,
        &jwks,
        &app.issuer,
        &format!("{}userinfo", app.issuer),
    );
    let id = tokens["id_token"].as_str().unwrap();
    let id = verified_claims(id, &jwks, &app.issuer, CLIENT_ID);
    assert_eq!(id["email"], email.as_str());
    assert_eq!(id["email_verified"], true);
    assert_eq!(access["sub"], id["sub"], "both tokens are about one user");
    assert_eq!(access["azp"], CLIENT_ID);

    // The user was signed up in the example's own store, in its file.
    let users = JsonFileUserStore::open(&app.users_file).unwrap();
    let recipient = Recipient::parse(Connection::Email, &email).unwrap();
    let user = users.find(&recipient).await.unwrap().unwrap();
    assert_eq!(access["sub"], user.id.as_str());
    assert!(user.verified);
    assert_eq!(user.logins_count, 1);
}

#[tokio::test]
async fn a_wrong_code_is_refused_and_the_right_one_then_works_exactly_once() {
    let mut app = spawn_app().await;
    let email = fresh_address();
    app.start(&email).await;
    let code = app.code_sent_to(&email);

    let (status, refused) = app.verify(&email, &wrong(&code)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{refused}");
    assert_eq!(refused["error"], "invalid_code");
    assert!(refused.get("access_token").is_none());

    let (status, tokens) = app.verify(&email, &code).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "the right code after a wrong one: {tokens}"
    );

    let (status, replayed) = app.verify(&email, &code).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a spent code: {replayed}");
    assert_eq!(replayed["error"], "invalid_code");
}

#[tokio::test]
async fn a_wrong_code_and_an_address_never_sent_one_get_the_same_answer() {
    let mut app = spawn_app().await;
    let known = fresh_address();
    app.start(&known).await;
    let code = app.code_sent_to(&known);

    let wrong_code = app.verify(&known, &wrong(&code)).await;
    let never_sent = app.verify(&fresh_address(), &code).await;

    assert_eq!(wrong_code.0, StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong_code, never_sent,
        "the answer must not tell them apart"
    );
}

#[tokio::test]
async fn a_malformed_address_is_refused_and_nothing_is_sent() {
    let mut app = spawn_app().await;

    let (status, body) = app
        .post(
            "/login/start",
            &serde_json::json!({ "email": "not-an-address" }),
        )
        .await;

    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["error"], "invalid_email");
    assert!(app.mailbox_is_empty());
}

#[tokio::test]
async fn a_body_that_is_not_the_expected_json_gets_a_json_error() {
    let app = spawn_app().await;

    let (status, body) = app
        .post("/login/verify", &serde_json::json!({ "email": 42 }))
        .await;

    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["error"], "invalid_request");
}
