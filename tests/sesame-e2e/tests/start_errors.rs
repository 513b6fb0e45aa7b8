//! Every way `POST /passwordless/start` refuses a request: Auth0's status,
//! `error` code and, where Auth0 fixes it, the exact `error_description`.
//! None of them is a 5xx, and none of them sends anything.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use serde_json::json;
use sesame_e2e::api::start_body;
use sesame_e2e::link::LinkLogin;
use sesame_e2e::{
    Backend, CALLBACK, LINK_CLIENT, LinkClient, NATIVE_CLIENT, Options, REFRESH_ONLY_CLIENT,
    TestApp, UNTRUSTED_CLIENT, UNTRUSTED_SECRET, WEB_CLIENT, fresh_email, fresh_phone,
};

/// What a link start gets with `[passwordless] magic_links = false`.
const LINKS_OFF: &str = r#"magic links are not enabled on this server: use send "code""#;

async fn unknown_properties_are_refused_by_name(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut body = start_body(&fresh_email());
    body["tenant"] = "acme".into();
    app.start(&body).await.expect_error(
        400,
        "bad.request",
        Some("the following properties are not allowed: tenant"),
    );
    assert_eq!(app.outbox.count(), 0);
}

async fn an_unknown_connection_does_not_exist(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut body = start_body(&fresh_email());
    body["connection"] = "facebook".into();
    app.start(&body)
        .await
        .expect_error(400, "bad.connection", Some("Connection does not exist"));
}

async fn a_missing_or_unknown_client_id_is_a_bad_client_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut body = start_body(&fresh_email());
    body.as_object_mut().map(|o| o.remove("client_id"));
    app.start(&body).await.expect_error(
        400,
        "bad.client_id",
        Some("Missing required property: client_id"),
    );
    body["client_id"] = "no-such-app".into();
    app.start(&body)
        .await
        .expect_error(400, "bad.client_id", Some("Unknown client: no-such-app"));
    assert_eq!(app.outbox.count(), 0);
}

async fn a_malformed_email_or_phone_number_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut body = start_body(&fresh_email());
    body["email"] = "not-an-address".into();
    app.start(&body).await.expect_error(400, "bad.email", None);

    let mut body = start_body(&fresh_phone());
    for bad in [
        "15555550100",
        "+0123456789",
        "+1555abc0100",
        "+1234567890123456789",
    ] {
        body["phone_number"] = bad.into();
        app.start(&body).await.expect_error(
            400,
            "bad.phone_number",
            Some(r"String does not match pattern: ^\+[0-9]{1,15}$"),
        );
    }
    assert_eq!(app.outbox.count(), 0);
}

async fn bad_auth_params_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut body = start_body(&fresh_email());
    for auth_params in [
        json!("openid"),
        json!({"scope": 42}),
        json!({"redirect_uri": "https://evil.example/cb"}),
        json!({"audience": "https://not-registered.example/"}),
        json!({"response_type": "nonsense"}),
    ] {
        body["authParams"] = auth_params.clone();
        let reply = app.start(&body).await;
        assert!(
            reply.status.as_u16() == 400 && reply.str("error") == Some("bad.authParams"),
            "authParams {auth_params}: {} {}",
            reply.status,
            reply.text
        );
        reply.expect_error(400, "bad.authParams", None);
    }
    assert_eq!(app.outbox.count(), 0);
}

async fn a_confidential_client_without_its_secret_is_unauthorized(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut body = start_body(&fresh_email());
    body["client_id"] = UNTRUSTED_CLIENT.into();
    app.start(&body)
        .await
        .expect_error(401, "unauthorized", None);
    body["client_secret"] = "wrong-secret-0123456789".into();
    app.start(&body)
        .await
        .expect_error(401, "unauthorized", None);
    // The right secret works, and the client_id in another client's
    // position does not let anyone skip it.
    body["client_secret"] = UNTRUSTED_SECRET.into();
    app.start(&body).await.expect_status(200);
    body["client_id"] = WEB_CLIENT.into();
    app.start(&body)
        .await
        .expect_error(401, "unauthorized", None);
    assert_eq!(app.outbox.count(), 1);
}

async fn a_client_without_the_otp_grant_cannot_ask_for_a_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut body = start_body(&fresh_email());
    body["client_id"] = REFRESH_ONLY_CLIENT.into();
    app.start(&body).await.expect_error(
        403,
        "unauthorized_client",
        Some(
            "Grant type 'http://auth0.com/oauth/grant-type/passwordless/otp' not allowed for the client.",
        ),
    );
    assert_eq!(app.outbox.count(), 0);
}

async fn a_magic_link_is_refused_while_links_are_off(backend: Backend) {
    let options = Options {
        magic_links: false,
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    // A link start that would succeed with links on: `send: "link"`, and an
    // absent `send`, which means a link for email.
    let mut body = LinkLogin::new(LINK_CLIENT).start_body(&fresh_email(), &json!({}));
    app.start(&body)
        .await
        .expect_error(400, "bad.request", Some(LINKS_OFF));
    body.as_object_mut().map(|o| o.remove("send"));
    app.start(&body)
        .await
        .expect_error(400, "bad.request", Some(LINKS_OFF));
    // SMS carries codes only, so a link request there is a code.
    let phone = fresh_phone();
    let mut body = start_body(&phone);
    body["send"] = "link".into();
    app.start(&body).await.expect_status(200);
    assert!(app.outbox.last_sms_to(phone.as_str()).is_some());
    assert_eq!(app.outbox.count(), 1);
}

async fn a_client_without_the_authorization_code_grant_cannot_ask_for_a_link(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut body = LinkLogin::new(LINK_CLIENT).start_body(&fresh_email(), &json!({}));
    body["client_id"] = NATIVE_CLIENT.into();
    app.start(&body).await.expect_error(
        403,
        "unauthorized_client",
        Some("Grant type 'authorization_code' not allowed for the client."),
    );
    assert_eq!(app.outbox.count(), 0);
}

async fn a_public_clients_link_needs_pkce_only_when_the_client_requires_it(backend: Backend) {
    let strict = LinkClient {
        require_pkce: true,
        ..LinkClient::public("e2e-link-strict", "E2E Strict App", CALLBACK)
    };
    let mut link_clients = LinkClient::defaults();
    link_clients.push(strict);
    let app = TestApp::spawn_with(
        backend,
        Options {
            link_clients,
            ..Options::default()
        },
    )
    .await;
    let mut body = LinkLogin::new("e2e-link-strict").start_body(&fresh_email(), &json!({}));
    body["authParams"]
        .as_object_mut()
        .map(|p| p.remove("code_challenge"));
    app.start(&body).await.expect_error(
        400,
        "bad.authParams",
        Some(
            "error in authParams - code_challenge (PKCE, S256) is required for this client's link",
        ),
    );
    body["authParams"]["code_challenge"] = "too-short".into();
    app.start(&body)
        .await
        .expect_error(400, "bad.authParams", None);
    assert_eq!(app.outbox.count(), 0);
    // Without require_pkce a public client's link needs none, as at Auth0.
    body["client_id"] = LINK_CLIENT.into();
    body["authParams"]
        .as_object_mut()
        .map(|p| p.remove("code_challenge"));
    app.start(&body).await.expect_status(200);
    assert_eq!(app.outbox.count(), 1);
}

async fn tokens_in_the_fragment_need_the_implicit_grant(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let body =
        LinkLogin::new(LINK_CLIENT).start_body(&fresh_email(), &json!({"response_type": "token"}));
    app.start(&body).await.expect_error(
        403,
        "unauthorized_client",
        Some("Grant type 'implicit' not allowed for the client."),
    );
    assert_eq!(app.outbox.count(), 0);
}

async fn malformed_oversized_and_foreign_bodies_get_json_errors(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let start = "/passwordless/start";
    app.post_raw(start, "application/json", b"{\"client_id\": ".to_vec())
        .await
        .expect_error(400, "bad.request", None);
    app.post_raw(start, "application/json", b"[1, 2]".to_vec())
        .await
        .expect_error(400, "bad.request", None);
    app.post_raw(start, "text/plain", b"client_id=x".to_vec())
        .await
        .expect_error(415, "bad.request", None);
    let mut huge = start_body(&fresh_email());
    huge["email"] = "x".repeat(100 * 1024).into();
    let bytes = serde_json::to_vec(&huge).expect("serializable");
    app.post_raw(start, "application/json", bytes)
        .await
        .expect_error(413, "bad.request", None);
    assert_eq!(app.outbox.count(), 0);
}

async fn a_start_works_as_a_form_too(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let who = fresh_email();
    let pairs = sesame_e2e::api::form_pairs(&start_body(&who));
    let reply = app.post_form("/passwordless/start", &pairs).await;
    assert_eq!(reply.expect_status(200)["email"], who.as_str());
    assert!(app.outbox.last_code_for(&who).is_some());
}

sesame_e2e::on_every_backend!(
    unknown_properties_are_refused_by_name,
    an_unknown_connection_does_not_exist,
    a_missing_or_unknown_client_id_is_a_bad_client_id,
    a_malformed_email_or_phone_number_is_refused,
    bad_auth_params_are_refused,
    a_confidential_client_without_its_secret_is_unauthorized,
    a_client_without_the_otp_grant_cannot_ask_for_a_code,
    a_magic_link_is_refused_while_links_are_off,
    a_client_without_the_authorization_code_grant_cannot_ask_for_a_link,
    a_public_clients_link_needs_pkce_only_when_the_client_requires_it,
    tokens_in_the_fragment_need_the_implicit_grant,
    malformed_oversized_and_foreign_bodies_get_json_errors,
    a_start_works_as_a_form_too,
);
