//! The Management API's answers, each operation's success and every
//! refusal, through [`send`] and so checked against `/openapi.json`.

use http::{Method, StatusCode};
use serde_json::{Value, json};
use sesame_domain::recipient::Connection;
use sesame_domain::service::{ManagementCaller, ManagementError};
use sesame_domain::{
    ClientId, EventFilter, EventPage, EventQuery, EventType, LogEvent, Scope, Timestamp, UserPage,
    UserQuery,
};

use crate::answers::{call, user};
use crate::common::*;

fn caller() -> ManagementCaller {
    ManagementCaller {
        client_id: ClientId::parse("app").unwrap(),
        sub: "app@clients".into(),
        scope: Scope::parse("read:users").unwrap(),
    }
}

fn event() -> LogEvent {
    LogEvent {
        log_id: LogEvent::make_id(Timestamp::from_unix_seconds(1_700_000_000), 1, [9; 6]),
        date: Timestamp::from_unix_seconds(1_700_000_000),
        kind: EventType::CodeSent,
        description: "A code was sent.".into(),
        client_id: Some("app".into()),
        ip: Some("192.0.2.1".parse().unwrap()),
        user_agent: Some("curl/8".into()),
        user_id: Some("email|abc".into()),
        connection: Some("email".into()),
        details: [("user_name".to_owned(), "a***@example.com".to_owned())].into(),
    }
}

/// Every Management API operation, with what its mock answers.
fn management(
    fail: impl Fn() -> Option<ManagementError> + Clone + Send + Sync + 'static,
) -> MockAuth {
    let mut m = mock();
    let f = fail.clone();
    m.management
        .expect_management_caller()
        .returning(move |_| f().map_or_else(|| Ok(caller()), Err));
    let f = fail.clone();
    m.management
        .expect_management_user()
        .returning(move |_, _| f().map_or_else(|| Ok(user(Connection::Email)), Err));
    let f = fail.clone();
    m.management
        .expect_management_users_by_email()
        .returning(move |_, _| f().map_or_else(|| Ok(vec![user(Connection::Email)]), Err));
    let f = fail.clone();
    m.management
        .expect_management_update_user()
        .returning(move |_, _, _| f().map_or_else(|| Ok(user(Connection::Sms)), Err));
    let f = fail.clone();
    m.management
        .expect_management_delete_user()
        .returning(move |_, _| f().map_or(Ok(()), Err));
    let f = fail.clone();
    m.management
        .expect_management_revoke_refresh_tokens()
        .returning(move |_, _| f().map_or(Ok(()), Err));
    let f = fail.clone();
    m.management
        .expect_management_list_users()
        .returning(move |_, _| {
            let query = UserQuery {
                filters: Vec::new(),
                sort: None,
                page: 1,
                per_page: 2,
            };
            let users = vec![user(Connection::Email), user(Connection::Sms)];
            f().map_or_else(|| Ok((query, UserPage { users, total: 4 })), Err)
        });
    let f = fail.clone();
    m.management
        .expect_management_active_users()
        .returning(move |_| f().map_or(Ok(7), Err));
    m.management
        .expect_management_logs()
        .returning(move |_, p, _| {
            let query = EventQuery {
                filter: EventFilter::default(),
                newest_first: true,
                offset: 0,
                limit: 50,
                with_total: p.include_totals,
            };
            let page = EventPage {
                events: vec![event()],
                total: p.include_totals.then_some(1),
            };
            fail().map_or_else(|| Ok((query, page)), Err)
        });
    m
}

#[tokio::test]
async fn the_management_api_answers_each_operation_and_refusal_as_documented() {
    let patch = json!({"blocked": true, "user_metadata": {"plan": null}});
    let ops: Vec<(Method, &str, Option<&Value>)> = vec![
        (Method::GET, "/api/v2/users", None),
        (
            Method::GET,
            "/api/v2/users?include_totals=true&fields=email,user_id",
            None,
        ),
        (
            Method::GET,
            "/api/v2/users?fields=identities&include_fields=false",
            None,
        ),
        (Method::GET, "/api/v2/users/email%7Cabc", None),
        (Method::PATCH, "/api/v2/users/email%7Cabc", Some(&patch)),
        (Method::DELETE, "/api/v2/users/email%7Cabc", None),
        (
            Method::GET,
            "/api/v2/users-by-email?email=a%40example.com",
            None,
        ),
        (
            Method::DELETE,
            "/api/v2/users/email%7Cabc/refresh-tokens",
            None,
        ),
        (Method::GET, "/api/v2/logs", None),
        (
            Method::GET,
            "/api/v2/logs?include_totals=true&fields=type,date",
            None,
        ),
        (
            Method::GET,
            "/api/v2/users/email%7Cabc/logs?include_totals=true",
            None,
        ),
        (Method::GET, "/api/v2/stats/active-users", None),
    ];
    let refusals: Vec<fn() -> Option<ManagementError>> = vec![
        || None,
        || Some(ManagementError::InvalidToken),
        || Some(ManagementError::InsufficientScope("read:users")),
        || Some(ManagementError::RateLimited(decision(false))),
        || Some(ManagementError::Unavailable(anyhow::anyhow!("down"))),
        || Some(ManagementError::Unknown(anyhow::anyhow!("bug"))),
    ];
    for fail in refusals {
        let app = app(management(fail));
        for (method, path, body) in &ops {
            send(app.clone(), call(method, path, Some("mt"), *body)).await;
        }
    }
    // What only some operations answer: no such user, a bad query, a bad body.
    let app = app(management(|| None));
    let r = send(
        app.clone(),
        call(&Method::GET, "/api/v2/users?page=x", Some("t"), None),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let bad = json!({"nickname": "x"});
    let r = send(
        app.clone(),
        call(&Method::PATCH, "/api/v2/users/u", Some("t"), Some(&bad)),
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    let bad_query = app_refusing(|| ManagementError::InvalidQuery("bad".into()));
    for path in [
        "/api/v2/users-by-email?email=",
        "/api/v2/users/u/logs?q=date:x",
    ] {
        let r = send(bad_query.clone(), call(&Method::GET, path, Some("t"), None)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
    }
    let gone = app_refusing(|| ManagementError::NoSuchUser);
    for (method, path) in [
        (Method::GET, "/api/v2/users/u"),
        (Method::PATCH, "/api/v2/users/u"),
        (Method::DELETE, "/api/v2/users/u"),
        (Method::DELETE, "/api/v2/users/u/refresh-tokens"),
        (Method::GET, "/api/v2/users/u/logs"),
    ] {
        let r = send(gone.clone(), call(&method, path, Some("t"), Some(&patch))).await;
        assert_eq!(r.status, StatusCode::NOT_FOUND, "{method} {path}");
    }
    // Without a token.
    send(app, get("/api/v2/users")).await;
}

/// A Management API whose every operation on users refuses with `e`.
fn app_refusing(e: fn() -> ManagementError) -> axum::Router {
    let mut m = mock();
    m.management
        .expect_management_caller()
        .returning(|_| Ok(caller()));
    m.management
        .expect_management_user()
        .returning(move |_, _| Err(e()));
    m.management
        .expect_management_users_by_email()
        .returning(move |_, _| Err(e()));
    m.management
        .expect_management_update_user()
        .returning(move |_, _, _| Err(e()));
    m.management
        .expect_management_delete_user()
        .returning(move |_, _| Err(e()));
    m.management
        .expect_management_revoke_refresh_tokens()
        .returning(move |_, _| Err(e()));
    m.management
        .expect_management_logs()
        .returning(move |_, _, _| Err(e()));
    app(m)
}
