//! `[metrics] listen`: Prometheus text on a listener of its own, with the
//! key series after a login, a refusal and a flood; and no label holds an
//! address or a code.

use std::sync::Arc;

use sesame_domain::{EmailAddress, Recipient};
use sesame_server::{Overrides, build_with, config};
use sesame_testkit::Outbox;

#[tokio::test]
async fn the_metrics_listener_serves_the_key_series_without_user_data() {
    let metrics_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let toml = format!(
        "issuer = \"http://127.0.0.1:{port}/\"\n[store]\nurl = \"memory://\"\n\
         [metrics]\nlisten = \"127.0.0.1:{metrics_port}\"\n\
         [rate_limits]\nrequests_per_ip_per_second = 1\nrequests_per_ip_burst = 3\n",
    );
    let outbox = Outbox::new();
    let app = build_with(
        config::resolve(config::from_toml(&toml).unwrap()).unwrap(),
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
    let email = "metrics-probe@example.com";
    // A start (the dev client, console delivery), then a wrong code, then
    // more starts than the flood guard's burst.
    let start = serde_json::json!({"client_id": "dev", "connection": "email", "email": email, "send": "code"});
    assert_eq!(
        client
            .post(format!("{base}/passwordless/start"))
            .json(&start)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let wrong = serde_json::json!({
        "grant_type": "http://auth0.com/oauth/grant-type/passwordless/otp",
        "client_id": "dev", "username": email, "otp": "000000", "realm": "email",
    });
    let r = client
        .post(format!("{base}/oauth/token"))
        .json(&wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
    let who = Recipient::Email(EmailAddress::parse(email).unwrap());
    let mut right = wrong.clone();
    right["otp"] = serde_json::json!(outbox.last_code_for(&who).unwrap());
    let r = client
        .post(format!("{base}/oauth/token"))
        .json(&right)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let mut flooded = false;
    for _ in 0..10 {
        let r = client
            .post(format!("{base}/passwordless/start"))
            .json(&start)
            .send()
            .await
            .unwrap();
        flooded |= r.status() == 429;
    }
    assert!(flooded, "the flood guard refused a start");

    let text = client
        .get(format!("http://127.0.0.1:{metrics_port}/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for series in [
        r#"sesame_http_requests_total{route="/passwordless/start",status="200"}"#,
        r#"sesame_signins_total{grant="http://auth0.com/oauth/grant-type/passwordless/otp",outcome="invalid_grant"}"#,
        r#"sesame_rate_limited_total{limit="flood"}"#,
        r#"sesame_messages_sent_total{channel="email",result="sent"}"#,
        "sesame_http_request_duration_seconds_bucket",
        r#"sesame_signins_total{grant="http://auth0.com/oauth/grant-type/passwordless/otp",outcome="success"} 1"#,
        r#"sesame_signing_duration_seconds_count{alg="RS256"}"#,
        r#"sesame_store_call_duration_seconds_count{backend="memory",op="challenge_put"}"#,
        r#"sesame_store_call_duration_seconds_count{backend="memory",op="rate_reserve_all"}"#,
        r#"sesame_store_call_duration_seconds_count{backend="memory",op="user_record_login_or_create"}"#,
        "sesame_log_stream_dropped_total 0",
        "sesame_build_info{version=",
    ] {
        assert!(text.contains(series), "no {series} in:\n{text}");
    }
    assert!(!text.contains("metrics-probe"), "an address in a label");
    let code = right["otp"].as_str().unwrap();
    assert!(
        !text.contains(&format!("\"{code}\"")),
        "a code as a label value"
    );
    assert!(!text.contains("127.0.0.1"), "an IP in a label");
    // The public listener does not serve them.
    let public = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(public.status(), 404);
    let _ = stop.send(());
    server.await.unwrap().unwrap();
}
