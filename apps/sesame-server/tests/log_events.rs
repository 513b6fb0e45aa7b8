//! Log events through the bundled server: a login and a wrong code reach
//! the SQLite store (listed by `/api/v2/logs` and by `sesame logs tail`)
//! and the `[log_stream]` endpoint, in Auth0's stream shape, with its
//! `Authorization` header; none of them holds the address or the code.

#![expect(
    clippy::unwrap_used,
    reason = "the receiver is a helper outside #[tokio::test]: a broken step should fail loudly"
)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::HeaderMap;
use axum::routing::post;
use serde_json::{Value, json};
use sesame_domain::{EmailAddress, Recipient};
use sesame_server::{Overrides, build_with, config};
use sesame_testkit::Outbox;
use tokio::sync::mpsc;

const OPS_SECRET: &str = "the operator's secret, long enough to pass";

/// A log-stream receiver on port 0: every POST's `Authorization` and body.
async fn receiver() -> (String, mpsc::UnboundedReceiver<(Option<String>, Value)>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let app = Router::new().route(
        "/logs",
        post(move |headers: HeaderMap, body: String| {
            let tx = tx.clone();
            async move {
                let auth = headers
                    .get("authorization")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_owned);
                let _ = tx.send((auth, serde_json::from_str(&body).unwrap_or(Value::Null)));
                "ok"
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/logs", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, rx)
}

/// Stream entries until one of each type in `types` came, or ten seconds.
async fn entries_until(
    rx: &mut mpsc::UnboundedReceiver<(Option<String>, Value)>,
    types: &[&str],
) -> Vec<Value> {
    let mut seen = Vec::new();
    let wait = async {
        while let Some((auth, body)) = rx.recv().await {
            assert_eq!(auth.as_deref(), Some("Bearer stream-secret"));
            seen.extend(body.as_array().cloned().unwrap_or_default());
            let have = |t: &str| seen.iter().any(|e| e["data"]["type"] == t);
            if types.iter().all(|t| have(t)) {
                return;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(10), wait).await;
    seen
}

#[tokio::test]
async fn a_login_and_a_wrong_code_reach_the_store_the_stream_and_logs_tail() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("sesame.db");
    let (stream_url, mut stream) = receiver().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let toml = format!(
        r#"issuer = "http://127.0.0.1:{port}/"
[store]
url = "sqlite://{db}"
[log_stream]
url = "{stream_url}"
authorization = "Bearer stream-secret"
format = "jsonarray"
[[clients]]
client_id = "web-app"
name = "Web"
grant_types = ["http://auth0.com/oauth/grant-type/passwordless/otp"]
connections = ["email"]
[[clients]]
client_id = "ops-backend"
client_secret = "{OPS_SECRET}"
name = "Ops"
grant_types = ["client_credentials"]
[[clients.api_grants]]
audience = "http://127.0.0.1:{port}/api/v2/"
scopes = ["read:logs"]
"#,
        db = db.display()
    );
    let resolved = || config::resolve(config::from_toml(&toml).unwrap()).unwrap();
    let outbox = Outbox::new();
    let app = build_with(
        resolved(),
        Overrides {
            email: Some(Arc::new(outbox.clone())),
            ..Overrides::default()
        },
    )
    .await
    .unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(app.serve(listener, async {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();
    let base = format!("http://127.0.0.1:{port}");
    let email = "log-events-probe@example.com";
    let start =
        json!({"client_id": "web-app", "connection": "email", "email": email, "send": "code"});
    let otp = |code: &str| {
        json!({
            "grant_type": "http://auth0.com/oauth/grant-type/passwordless/otp",
            "client_id": "web-app", "username": email, "otp": code, "realm": "email",
        })
    };
    for wrong in [false, true] {
        let r = client
            .post(format!("{base}/passwordless/start"))
            .json(&start)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let sent = outbox.last_to(&Recipient::Email(EmailAddress::parse(email).unwrap()));
        let code = sent.and_then(|m| m.code()).unwrap();
        let presented = match (wrong, code.as_str()) {
            (false, c) => c.to_owned(),
            (true, "000000") => "111111".to_owned(),
            (true, _) => "000000".to_owned(),
        };
        let r = client
            .post(format!("{base}/oauth/token"))
            .header("user-agent", "log-events-test")
            .json(&otp(&presented))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), if wrong { 403 } else { 200 });
    }

    // The stream: Auth0's entries, `{log_id, data}`.
    let entries = entries_until(&mut stream, &["cs", "s", "fepotpft"]).await;
    let s = entries
        .iter()
        .find(|e| e["data"]["type"] == "s")
        .unwrap_or_else(|| panic!("no s in {entries:?}"));
    assert_eq!(s["log_id"], s["data"]["log_id"]);
    assert_eq!(s["data"]["user_agent"], "log-events-test");
    assert!(s["data"]["user_id"].as_str().unwrap().starts_with("email|"));
    let text = Value::Array(entries.clone()).to_string();
    assert!(!text.contains(email), "no full address in the stream");

    // The store, through the Management API: written in the background,
    // so asked until the wrong code is there.
    let token: Value = client
        .post(format!("{base}/oauth/token"))
        .json(&json!({
            "grant_type": "client_credentials", "client_id": "ops-backend",
            "client_secret": OPS_SECRET, "audience": format!("{base}/api/v2/"),
        }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let bearer = token["access_token"].as_str().unwrap().to_owned();
    let listed = async {
        loop {
            let logs: Value = client
                .get(format!(
                    "{base}/api/v2/logs?q=type:(s%20OR%20fepotpft)&sort=date:1"
                ))
                .bearer_auth(&bearer)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if logs.as_array().is_some_and(|a| a.len() == 2) {
                return logs;
            }
            tokio::task::yield_now().await;
        }
    };
    let logs = tokio::time::timeout(Duration::from_secs(10), listed)
        .await
        .expect("both events stored");
    assert_eq!(logs[0]["type"], "s");
    assert_eq!(logs[1]["type"], "fepotpft");
    assert_eq!(logs[0]["user_id"], logs[1]["user_id"]);

    // `sesame logs tail` reads the same store.
    let mut lines = Vec::new();
    let tail = sesame_server::logs_cli::Tail {
        q: "type:fepotpft".into(),
        count: 5,
        follow: false,
        json: true,
    };
    sesame_server::logs_cli::run(resolved(), &tail, |l| lines.push(l.to_owned()))
        .await
        .unwrap();
    assert_eq!(lines.len(), 1, "{lines:?}");
    let event: Value = serde_json::from_str(&lines[0]).unwrap();
    assert_eq!(event["type"], "fepotpft");
    assert_eq!(event["log_id"], logs[1]["log_id"]);
    let bad = sesame_server::logs_cli::Tail {
        q: "ip:1.2.3.4".into(),
        ..tail
    };
    assert!(
        sesame_server::logs_cli::run(resolved(), &bad, |_| {})
            .await
            .is_err()
    );

    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
