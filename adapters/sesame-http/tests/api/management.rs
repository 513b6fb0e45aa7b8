//! The Management API subset over HTTP on the real service (in-memory
//! adapters): Auth0's error shape, the bearer token, a PATCH body refused
//! by name, and the per-client 429 with rate-limit headers.

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
    let mut c = confidential_client();
    c.secret = Some(ClientSecretHash::of(CONFIDENTIAL_CLIENT_SECRET));
    c.api_grants = vec![ApiGrant {
        audience: "https://sesame.test/api/v2/".into(),
        scopes: vec!["read:users".into(), "update:users".into()],
    }];
    Harness::builder()
        .without_default_registrations()
        .with_client(c)
        .configure(|c| {
            c.management_requests_per_client = RateLimit::new(3, Duration::from_secs(60));
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
            Some(&json!({"app_metadata": {}})),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["errorCode"], "invalid_body");
    assert!(r.body["message"].as_str().unwrap().contains("app_metadata"));
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
