//! `GET /openapi.json`: an OpenAPI 3.1 document whose operations are
//! exactly the routes the router serves, and whose schemas reject answers
//! that differ from them (every other test's answers are checked against it
//! in [`crate::common::send`]).

use axum::body::Body;
use http::{Method, Request, StatusCode};
use serde_json::{Value, json};

use crate::common::*;
use crate::conformance::{check, document, template, validate_json};

/// The methods a route could be served with.
const METHODS: [Method; 5] = [
    Method::GET,
    Method::POST,
    Method::PUT,
    Method::PATCH,
    Method::DELETE,
];

/// Every documented (method, path template).
fn operations() -> Vec<(Method, String)> {
    let mut ops = Vec::new();
    for (path, item) in document()["paths"].as_object().unwrap() {
        for m in METHODS {
            if item.get(m.as_str().to_lowercase()).is_some() {
                ops.push((m, path.clone()));
            }
        }
    }
    ops
}

/// `template` with each `{param}` filled with a dummy value.
fn concrete(template: &str) -> String {
    template
        .split('/')
        .map(|s| if s.starts_with('{') { "x" } else { s })
        .collect::<Vec<_>>()
        .join("/")
}

/// The router over mocks that answer the calls a request without
/// credentials still makes (the keys, the readiness).
fn probe_app() -> axum::Router {
    let mut m = mock();
    m.discovery
        .expect_jwks()
        .returning(|| Ok(json!({"keys": []})));
    m.readiness.expect_readiness().returning(Vec::new);
    app(m)
}

fn request(method: &Method, path: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(path)
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn the_document_is_openapi_3_1_and_served_as_built() {
    let d = document();
    assert_eq!(d["openapi"], "3.1.0");
    assert_eq!(d["info"]["title"], "Sesame");
    assert_eq!(d["info"]["version"], env!("CARGO_PKG_VERSION"));
    for scheme in ["bearer", "dpop", "client_secret_basic"] {
        assert!(d["components"]["securitySchemes"].get(scheme).is_some());
    }
    let r = send(app(mock()), get("/openapi.json")).await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(r.raw, sesame_http::openapi_json().to_vec());
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let app = probe_app();
    let ops = operations();
    assert!(ops.len() >= 25, "{ops:?}");
    for (method, path) in ops {
        let r = send(app.clone(), request(&method, &concrete(&path))).await;
        let fallback = (r.status == StatusCode::NOT_FOUND && r.description() == "Not found.")
            || r.status == StatusCode::METHOD_NOT_ALLOWED;
        assert!(
            !fallback,
            "{method} {path} is documented, not served: {}",
            r.body
        );
    }
}

#[tokio::test]
async fn no_method_of_a_documented_path_is_served_undocumented() {
    let app = probe_app();
    let documented = operations();
    for path in document()["paths"].as_object().unwrap().keys() {
        for method in METHODS {
            if documented.contains(&(method.clone(), path.clone())) {
                continue;
            }
            let r = send(app.clone(), request(&method, &concrete(path))).await;
            assert_eq!(
                (r.status, r.error()),
                (StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
                "{method} {path} is served but not documented"
            );
        }
    }
}

/// Route registrations that would bypass the documented table.
const UNDOCUMENTED: [&str; 6] = [
    ".route(",
    ".route_service(",
    ".nest(",
    ".nest_service(",
    ".fallback_service(",
    "Router::new()",
];

#[test]
fn every_route_is_registered_through_the_documented_table() {
    let src = concat!(env!("CARGO_MANIFEST_DIR"), "/src");
    let mut files = 0;
    for entry in std::fs::read_dir(src).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        files += 1;
        for (n, line) in text.lines().enumerate() {
            let code = line
                .split("//")
                .next()
                .unwrap_or_default()
                .replace("OpenApiRouter::new()", "");
            for call in UNDOCUMENTED {
                assert!(
                    !code.contains(call),
                    "{}:{}: `{call}` adds a route without its OpenAPI operation; add the \
                     handler with `#[utoipa::path]` and `.routes(routes!(…))` in lib.rs",
                    path.display(),
                    n + 1
                );
            }
        }
    }
    assert!(files > 20);
    let lib = include_str!("../../src/lib.rs");
    assert!(lib.contains("split_for_parts()"));
    assert!(lib.matches(".routes(routes!(").count() >= 20);
}

#[test]
fn paths_match_their_most_literal_template() {
    assert_eq!(
        template("/api/v2/users-by-email"),
        Some("/api/v2/users-by-email")
    );
    assert_eq!(template("/api/v2/users/u1"), Some("/api/v2/users/{id}"));
    assert_eq!(
        template("/api/v2/users/u1/logs"),
        Some("/api/v2/users/{id}/logs")
    );
    assert_eq!(template("/api/v2/users/"), None);
    assert_eq!(template("/nope"), None);
}

const TOKEN_200: &str = "/paths/~1oauth~1token/post/responses/200";

#[test]
fn a_wrong_answer_does_not_validate() {
    let tokens = json!({"access_token": "at", "token_type": "Bearer", "expires_in": 60});
    assert!(validate_json(TOKEN_200, &tokens).is_ok());
    let mut missing = tokens.clone();
    missing.as_object_mut().unwrap().remove("access_token");
    let wrong_type = json!({"access_token": "at", "token_type": "Bearer", "expires_in": "60"});
    let null = json!({"access_token": "at", "token_type": "Bearer", "expires_in": 60,
        "id_token": null});
    for body in [missing, wrong_type, null] {
        assert!(validate_json(TOKEN_200, &body).is_err(), "{body}");
    }
    let envelope = "/paths/~1oauth~1token/post/responses/400";
    let extra: Value = json!({"error": "e", "error_description": "d", "x": 1});
    assert!(validate_json(envelope, &extra).is_err());
    // Auth0's Management error shape is not the OAuth envelope, nor the
    // other way round.
    let oauth = json!({"error": "invalid_token", "error_description": "Invalid token"});
    assert!(validate_json("/paths/~1api~1v2~1users/get/responses/401", &oauth).is_err());
    let management = json!({"statusCode": 401, "error": "Unauthorized",
        "message": "Invalid token", "errorCode": "invalid_token"});
    assert!(validate_json("/paths/~1userinfo/get/responses/401", &management).is_err());
    let start = json!({"_id": "i", "email": "a@example.com"});
    assert!(validate_json("/paths/~1passwordless~1start/post/responses/200", &start).is_err());
}

#[test]
fn an_undocumented_status_media_type_or_operation_fails_the_check() {
    let json_ct = Some("application/json");
    let body = br#"{"error": "e", "error_description": "d"}"#;
    let post = Method::POST;
    assert!(
        check(
            &post,
            "/oauth/token",
            StatusCode::BAD_REQUEST,
            json_ct,
            body
        )
        .is_ok()
    );
    assert!(
        check(
            &post,
            "/oauth/token",
            StatusCode::IM_A_TEAPOT,
            json_ct,
            body
        )
        .is_err()
    );
    let html = Some("text/html; charset=utf-8");
    assert!(check(&post, "/oauth/token", StatusCode::BAD_REQUEST, html, b"<p>").is_err());
    assert!(check(&Method::PUT, "/oauth/token", StatusCode::OK, json_ct, body).is_err());
    assert!(check(&Method::GET, "/nope", StatusCode::OK, json_ct, body).is_err());
    // A body where the document says there is none.
    assert!(check(&post, "/oauth/revoke", StatusCode::OK, json_ct, body).is_err());
    assert!(check(&post, "/oauth/revoke", StatusCode::OK, None, b"").is_ok());
}
