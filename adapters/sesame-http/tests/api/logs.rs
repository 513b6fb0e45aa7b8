//! `/api/v2/logs` and `/api/v2/users/{id}/logs` over HTTP on the real
//! service (in-memory adapters): the events of a login and of a wrong code
//! in Auth0's log shape, with the caller's `User-Agent`, filtered by `q`
//! (or `search`), paged with totals; errors in the Management API's shape.

use std::sync::Arc;

use http::{Request, StatusCode};
use serde_json::{Value, json};
use sesame_domain::{ApiGrant, ClientSecretHash, GrantType, Recipient};
use sesame_http::{HttpConfig, Services, router};
use sesame_testkit::harness::defaults::{
    CONFIDENTIAL_CLIENT_ID, CONFIDENTIAL_CLIENT_SECRET, confidential_client,
};
use sesame_testkit::{Harness, fixtures};

use crate::common::*;
use crate::pages::EnglishPages;

const UA: &str = "compat-suite/1.0 (logs test)";

fn app(h: &Harness) -> axum::Router {
    router(
        Services::of(&h.service, Arc::new(EnglishPages)),
        HttpConfig::default(),
    )
}

async fn harness(scopes: &[&str]) -> Harness {
    let mut c = confidential_client();
    c.secret = Some(ClientSecretHash::of(CONFIDENTIAL_CLIENT_SECRET));
    c.api_grants = vec![ApiGrant {
        audience: "https://sesame.test/api/v2/".into(),
        scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
    }];
    Harness::builder()
        .without_default_registrations()
        .with_client(c)
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

async fn as_browser(h: &Harness, mut req: Request<axum::body::Body>) -> Reply {
    req.headers_mut().insert("user-agent", UA.parse().unwrap());
    send(app(h), req).await
}

async fn otp(h: &Harness, who: &Recipient, code: &str) -> Reply {
    as_browser(
        h,
        post_json(
            "/oauth/token",
            &json!({
                "grant_type": GrantType::PASSWORDLESS_OTP, "username": who.as_str(),
                "otp": code, "realm": "email", "client_id": CONFIDENTIAL_CLIENT_ID,
                "client_secret": CONFIDENTIAL_CLIENT_SECRET,
            }),
        ),
    )
    .await
}

async fn list(h: &Harness, path: &str, token: &str) -> Reply {
    let req = Request::builder()
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::empty())
        .unwrap();
    send(app(h), req).await
}

/// Logs in `who` (start, right code) and sends one wrong code after.
async fn login_then_a_wrong_code(h: &Harness, who: &Recipient) {
    let start = json!({
        "client_id": CONFIDENTIAL_CLIENT_ID, "client_secret": CONFIDENTIAL_CLIENT_SECRET,
        "connection": "email", "email": who.as_str(), "send": "code",
    });
    for round in 0..2 {
        let r = as_browser(h, post_json("/passwordless/start", &start)).await;
        assert_eq!(r.status, StatusCode::OK, "{}", r.body);
        let code = h.code_for(who).unwrap();
        let presented = if round == 0 {
            code
        } else if code == "000000" {
            "111111".to_owned()
        } else {
            "000000".to_owned()
        };
        let _ = otp(h, who, &presented).await;
    }
}

#[tokio::test]
async fn a_users_login_and_wrong_code_are_listed_in_auth0s_log_shape() {
    let h = harness(&["read:logs"]).await;
    let who = fixtures::fresh_email();
    login_then_a_wrong_code(&h, &who).await;
    let t = token(&h).await;

    let r = list(
        &h,
        "/api/v2/logs?q=type:(s%20OR%20fepotpft)&sort=date:1",
        &t,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    let logs = r.body.as_array().unwrap();
    let types: Vec<&str> = logs.iter().map(|l| l["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["s", "fepotpft"]);
    let s = &logs[0];
    let user_id = s["user_id"].as_str().unwrap();
    assert!(user_id.starts_with("email|"), "{s}");
    assert_eq!(logs[1]["user_id"], user_id, "the wrong code names the user");
    assert_eq!(s["user_agent"], UA);
    assert_eq!(s["client_id"], CONFIDENTIAL_CLIENT_ID);
    assert_eq!(s["connection"], "email");
    assert_eq!(s["strategy_type"], "passwordless");
    assert!(s["date"].as_str().unwrap().ends_with('Z'), "{s}");
    assert!(s["user_name"].as_str().unwrap().contains("***@"), "{s}");
    assert_eq!(logs[1]["description"], "Wrong email or verification code.");
    assert!(
        !r.body.to_string().contains(who.as_str()),
        "no full address"
    );

    // The SDKs send `search`; a user's own listing pages with totals.
    let path = format!("/api/v2/users/{user_id}/logs?per_page=2&page=0&include_totals=true");
    let r = list(&h, &path, &t).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    // s, cs, fepotpft: the first code went to an address with no user yet.
    assert_eq!(r.body["total"], 3, "{}", r.body);
    assert_eq!(r.body["length"], 2);
    assert_eq!(r.body["limit"], 2);
    assert_eq!(r.body["logs"][0]["type"], "fepotpft", "newest first");
    let r = list(&h, "/api/v2/logs?search=type:cs&fields=type,user_id", &t).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    for log in r.body.as_array().unwrap() {
        let keys = log.as_object().unwrap().keys();
        assert!(
            keys.into_iter().all(|k| k == "type" || k == "user_id"),
            "{log}"
        );
        assert_eq!(log["type"], "cs");
    }
}

#[tokio::test]
async fn a_bad_query_and_a_token_without_read_logs_are_refused_by_name() {
    let h = harness(&["read:users"]).await;
    let t = token(&h).await;
    let r = list(&h, "/api/v2/logs", &t).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(
        r.body,
        json!({"statusCode": 403, "error": "Forbidden", "message": "Insufficient scope, expected any of: read:logs", "errorCode": "insufficient_scope"})
    );

    let h = harness(&["read:logs"]).await;
    let t = token(&h).await;
    for (path, says) in [
        ("/api/v2/logs?q=ip:1.2.3.4", "\"ip\""),
        ("/api/v2/logs?per_page=101", "per_page"),
        ("/api/v2/logs?sort=type:1", "sort"),
        ("/api/v2/logs?q=type:s&search=type:s", "not both"),
    ] {
        let r = list(&h, path, &t).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}: {}", r.body);
        assert_eq!(r.body["errorCode"], "invalid_query_string");
        let message = r.body["message"].as_str().unwrap_or_default();
        assert!(message.contains(says), "{path}: {message}");
    }
    let r = list(&h, "/api/v2/users/email|000000000000000000000000/logs", &t).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.body["errorCode"], Value::from("inexistent_user"));
}

#[tokio::test]
async fn active_users_is_a_bare_number_and_needs_read_stats() {
    let h = harness(&["read:stats"]).await;
    let who = fixtures::fresh_email();
    login_then_a_wrong_code(&h, &who).await;
    let t = token(&h).await;
    let r = list(&h, "/api/v2/stats/active-users", &t).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body, json!(1));
    let h = harness(&["read:logs"]).await;
    let t = token(&h).await;
    let r = list(&h, "/api/v2/stats/active-users", &t).await;
    assert_eq!(r.status, StatusCode::FORBIDDEN);
    assert_eq!(r.body["errorCode"], "insufficient_scope");
}
