//! The Management API subset over HTTP on the real service (in-memory
//! adapters): Auth0's error shape, the bearer token, PATCH of the verified
//! flag and the metadata (and a property refused by name), and the
//! per-client 429 with rate-limit headers.

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use http::{Request, StatusCode};
use serde_json::json;
use sesame_domain::{ApiGrant, ClientSecretHash, RateLimit};
use sesame_http::{HttpConfig, Services, router};
use sesame_testkit::Harness;
use sesame_testkit::harness::defaults::{
    CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, confidential_client,
};

use crate::common::*;
use crate::pages::EnglishPages;

fn app(h: &Harness) -> axum::Router {
    router(
        Services::of(&h.service, Arc::new(EnglishPages)),
        HttpConfig::default(),
    )
}

async fn harness() -> Harness {
    harness_allowing(3).await
}

/// A harness whose client may make `per_minute` Management API calls.
async fn harness_allowing(per_minute: u32) -> Harness {
    let mut c = confidential_client();
    c.secret = Some(ClientSecretHash::of(CONFIDENTIAL_CLIENT_SECRET));
    c.api_grants = vec![ApiGrant {
        audience: "https://sesame.test/api/v2/".into(),
        scopes: vec!["read:users".into(), "update:users".into()],
    }];
    Harness::builder()
        .without_default_registrations()
        .with_client(c)
        .configure(move |c| {
            c.management_requests_per_client = RateLimit::new(per_minute, Duration::from_secs(60));
        })
        .build()
        .await
        .unwrap()
}

async fn token(h: &Harness) -> String {
    let body = json!({
        "grant_type": "client_credentials", "client_id": CONFIDENTIAL_CLIENT_ID,
        "client_secret": CONFIDENTIAL_CLIENT_SECRET, "audience": "https://sesame.test/api/v2/",
    });
    let r = send(app(h), post_json("/oauth/token", &body)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    r.body["access_token"].as_str().unwrap().to_owned()
}

fn with_bearer(
    method: &str,
    path: &str,
    token: &str,
    body: Option<&serde_json::Value>,
) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap()
}

#[tokio::test]
async fn errors_have_auth0s_management_shape() {
    let h = harness().await;
    let r = send(app(&h), get("/api/v2/users/email|000000000000000000000000")).await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.body,
        json!({"statusCode": 401, "error": "Unauthorized", "message": "Missing authentication", "errorCode": "invalid_token"})
    );
    let t = token(&h).await;
    let r = send(
        app(&h),
        with_bearer(
            "GET",
            "/api/v2/users/email|000000000000000000000000",
            &t,
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["errorCode"], "inexistent_user");
    let r = send(
        app(&h),
        with_bearer(
            "PATCH",
            "/api/v2/users/email|000000000000000000000000",
            &t,
            Some(&json!({"favourite_colour": "red"})),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(
        r.body,
        json!({"statusCode": 400, "error": "Bad Request", "errorCode": "invalid_body",
               "message": "Payload validation error: 'Additional properties not allowed: favourite_colour'"})
    );
}

#[tokio::test]
async fn a_patch_sets_the_verified_flag_and_merges_metadata_which_the_user_then_shows() {
    let h = harness_allowing(20).await;
    let who = sesame_testkit::fixtures::fresh_email();
    h.login(&who).await.unwrap();
    let id = h.users().find(&who).await.unwrap().unwrap().id;
    let path = format!("/api/v2/users/{id}");
    let t = token(&h).await;
    let r = send(app(&h), with_bearer("GET", &path, &t, None)).await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(
        r.body.get("user_metadata").is_none() && r.body.get("app_metadata").is_none(),
        "empty metadata is left out, as Auth0 does: {}",
        r.body
    );
    let body = json!({
        "email_verified": false,
        "user_metadata": {"hobby": "surfing", "addresses": {"home": "1 Main St", "work": "2 Side St"}},
        "app_metadata": {"plan": "full"},
    });
    let r = send(app(&h), with_bearer("PATCH", &path, &t, Some(&body))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["email_verified"], false);
    assert_eq!(r.body["app_metadata"], json!({"plan": "full"}));
    let body = json!({"user_metadata": {"hobby": null, "addresses": {"home": "3 New St"}}});
    let r = send(app(&h), with_bearer("PATCH", &path, &t, Some(&body))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let want = json!({"addresses": {"home": "3 New St"}});
    assert_eq!(r.body["user_metadata"], want, "merged at the root");
    assert_eq!(r.body["email_verified"], false, "kept when not sent");
    let r = send(app(&h), with_bearer("GET", &path, &t, None)).await;
    assert_eq!(r.body["user_metadata"], want);
    assert_eq!(r.body["app_metadata"], json!({"plan": "full"}));
    let r = send(
        app(&h),
        with_bearer(
            "GET",
            &format!(
                "/api/v2/users-by-email?email={}",
                who.as_str().replace('@', "%40")
            ),
            &t,
            None,
        ),
    )
    .await;
    assert_eq!(r.body[0]["user_metadata"], want, "{}", r.body);
    let body = json!({"app_metadata": {}});
    let r = send(app(&h), with_bearer("PATCH", &path, &t, Some(&body))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert!(
        r.body.get("app_metadata").is_none(),
        "{{}} clears: {}",
        r.body
    );
}

#[tokio::test]
async fn a_patch_of_the_wrong_type_connection_or_size_is_refused_in_auth0s_words() {
    let h = harness_allowing(20).await;
    let who = sesame_testkit::fixtures::fresh_phone();
    h.login(&who).await.unwrap();
    let id = h.users().find(&who).await.unwrap().unwrap().id;
    let path = format!("/api/v2/users/{id}");
    let t = token(&h).await;
    let refusals = [
        (
            json!({"user_metadata": ["a"]}),
            "Payload validation error: 'Expected type object but found type array' on property user_metadata",
        ),
        (
            json!({"app_metadata": null}),
            "Payload validation error: 'Expected type object but found type null' on property app_metadata",
        ),
        (
            json!({"phone_verified": "yes"}),
            "Payload validation error: 'Expected type boolean but found type string' on property phone_verified",
        ),
        (
            json!({"email_verified": true}),
            "Payload validation error: 'email_verified' is not allowed for a user of the sms connection",
        ),
        (
            json!({"user_metadata": {"big": "x".repeat(16 * 1024)}}),
            "Payload validation error: 'user_metadata' would exceed 16384 bytes once merged",
        ),
    ];
    for (body, message) in refusals {
        let r = send(app(&h), with_bearer("PATCH", &path, &t, Some(&body))).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}: {}", r.body);
        assert_eq!(r.body["errorCode"], "invalid_body");
        assert_eq!(r.body["message"], message);
    }
    let r = send(app(&h), with_bearer("GET", &path, &t, None)).await;
    assert_eq!(r.body["phone_verified"], true, "nothing changed");
    assert!(r.body.get("user_metadata").is_none(), "{}", r.body);
}

#[tokio::test]
async fn a_client_past_its_budget_gets_429_with_rate_limit_headers() {
    let h = harness().await;
    let t = token(&h).await;
    for _ in 0..3 {
        let r = send(
            app(&h),
            with_bearer(
                "GET",
                "/api/v2/users-by-email?email=a@example.com",
                &t,
                None,
            ),
        )
        .await;
        assert_eq!(r.status, StatusCode::OK);
        assert_eq!(r.body, json!([]));
    }
    let r = send(
        app(&h),
        with_bearer(
            "GET",
            "/api/v2/users-by-email?email=a@example.com",
            &t,
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.body["errorCode"], "too_many_requests");
    assert_eq!(r.headers["x-ratelimit-limit"], "3");
    assert_eq!(r.headers["x-ratelimit-remaining"], "0");
    assert!(r.headers.contains_key("x-ratelimit-reset"));
}

#[tokio::test]
async fn users_are_listed_with_totals_and_only_the_fields_asked_for() {
    let h = harness().await;
    let who = sesame_testkit::fixtures::fresh_email();
    h.login(&who).await.unwrap();
    let t = token(&h).await;
    let q = format!(
        "/api/v2/users?q=email%3A%22{}%22&search_engine=v3&include_totals=true&fields=user_id,email&per_page=10",
        who.as_str().replace('@', "%40")
    );
    let r = send(app(&h), with_bearer("GET", &q, &t, None)).await;
    assert_eq!(r.status, StatusCode::OK, "{:?}", r.body);
    assert_eq!(r.body["total"], 1);
    assert_eq!(r.body["start"], 0);
    assert_eq!(r.body["limit"], 10);
    let user = &r.body["users"][0];
    assert_eq!(user["email"], who.as_str());
    assert_eq!(
        user.as_object().unwrap().len(),
        2,
        "only user_id and email: {user}"
    );
    let r = send(
        app(&h),
        with_bearer("GET", "/api/v2/users?per_page=500", &t, None),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["errorCode"], "invalid_query_string");
    let r = send(
        app(&h),
        with_bearer(
            "GET",
            "/api/v2/users?q=email%3Aa%40b.c%20OR%20blocked%3Atrue",
            &t,
            None,
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(
        r.body["message"].as_str().unwrap().contains("OR"),
        "{:?}",
        r.body
    );
}
