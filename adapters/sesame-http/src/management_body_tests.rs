//! The typed Management API bodies answer what the domain's values hold:
//! every member of a user and of a log event survives the listing's typed
//! body, so a member added upstream fails here until it is typed.

use serde_json::{Value, json};
use sesame_domain::{EventType, LogEvent, Recipient, Timestamp, User};
use sesame_testkit::fixtures;

use super::*;
use crate::management_logs::LogEventBody;

fn users() -> Vec<User> {
    let now = Timestamp::from_unix_seconds(1_700_000_000);
    let mut full = fixtures::fresh_user(fixtures::fresh_email(), now);
    full.last_login = Some(now);
    full.logins_count = 3;
    full.blocked = true;
    full.verified = true;
    full.user_metadata.insert("plan".into(), json!("pro"));
    full.app_metadata.insert("roles".into(), json!(["admin"]));
    let bare = fixtures::fresh_user(Recipient::Sms(fixtures::fresh_phone_number()), now);
    vec![full, bare]
}

#[test]
fn a_listed_user_has_every_member_of_a_user() {
    for u in users() {
        let full = serde_json::to_value(UserBody::from(&u)).unwrap();
        let listed: ListedUser = serde_json::from_value(full.clone()).unwrap();
        assert_eq!(serde_json::to_value(listed).unwrap(), full);
    }
}

#[test]
fn a_user_keeps_auth0s_member_order_and_identity() {
    let u = &users()[0];
    let text = serde_json::to_string(&UserBody::from(u)).unwrap();
    let at = |k: &str| text.find(&format!("\"{k}\"")).unwrap();
    assert!(at("user_id") < at("email") && at("email") < at("identities"));
    assert!(at("identities") < at("created_at") && at("blocked") < at("user_metadata"));
    let v: Value = serde_json::from_str(&text).unwrap();
    let id = u.id.as_str();
    assert_eq!(
        v["identities"],
        json!([{"connection": "email", "isSocial": false, "provider": "email",
            "user_id": id.split_once('|').unwrap().1}])
    );
}

#[test]
fn a_log_event_has_every_member_auth0_shows() {
    let e = LogEvent {
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
    };
    let shown = e.auth0_json();
    let typed: LogEventBody = serde_json::from_value(shown.clone()).unwrap();
    assert_eq!(serde_json::to_value(typed).unwrap(), shown);
}

#[test]
fn a_refusal_answers_auth0s_management_shape() {
    let r = refusal(ManagementError::InsufficientScope("read:users")).into_response();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let body = ManagementErrorBody {
        error: "Forbidden",
        error_code: "insufficient_scope",
        message: "m".into(),
        status_code: 403,
    };
    assert_eq!(
        serde_json::to_string(&body).unwrap(),
        r#"{"error":"Forbidden","errorCode":"insufficient_scope","message":"m","statusCode":403}"#
    );
}
