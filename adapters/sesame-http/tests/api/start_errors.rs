//! `POST /passwordless/start`: the answer to every `StartError`.

use http::StatusCode;
use serde_json::json;
use sesame_domain::ports::DeliveryError;
use sesame_domain::service::StartError;
use sesame_domain::{Connection, GrantType};

use crate::common::*;
use crate::start::{PATH, email_body};

/// A mock whose start fails with `make()`.
fn failing(make: impl Fn() -> StartError + Send + Sync + 'static) -> MockAuth {
    let mut m = mock();
    m.start.expect_start().returning(move |_| Err(make()));
    m
}

async fn mapped(e: impl Fn() -> StartError + Send + Sync + 'static) -> Reply {
    send(app(failing(e)), post_json(PATH, &email_body())).await
}

#[tokio::test]
async fn client_errors_map_to_auth0s_answers() {
    mapped(|| StartError::UnknownClient).await.assert_error(
        StatusCode::BAD_REQUEST,
        "bad.client_id",
        "Unknown client: app",
    );
    mapped(|| StartError::InvalidClient).await.assert_error(
        StatusCode::UNAUTHORIZED,
        "unauthorized",
        "Unauthorized",
    );
    mapped(|| StartError::ConnectionDisabled(Connection::Email))
        .await
        .assert_error(
            StatusCode::BAD_REQUEST,
            "bad.connection",
            "Connection is disabled",
        );
    mapped(|| StartError::GrantNotAllowed(GrantType::PasswordlessOtp))
        .await
        .assert_error(
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "Grant type 'http://auth0.com/oauth/grant-type/passwordless/otp' not allowed for the client.",
        );
    mapped(|| StartError::InvalidAuthParams("code_challenge_method must be S256".into()))
        .await
        .assert_error(
            StatusCode::BAD_REQUEST,
            "bad.authParams",
            "error in authParams - code_challenge_method must be S256",
        );
}

#[tokio::test]
async fn an_unknown_client_id_is_echoed_only_in_part() {
    let mut body = email_body();
    body["client_id"] = json!("x".repeat(5000));
    let r = send(
        app(failing(|| StartError::UnknownClient)),
        post_json(PATH, &body),
    )
    .await;
    assert_eq!(r.error(), "bad.client_id");
    assert!(r.description().len() < 100, "{}", r.description());
}

#[tokio::test]
async fn a_rate_limited_start_is_429_with_retry_after() {
    let r = mapped(|| StartError::RateLimited(decision(false))).await;
    assert_eq!(r.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(r.error(), "too_many_requests");
    assert_eq!(r.header("x-ratelimit-limit"), Some("50"));
    assert_eq!(r.header("x-ratelimit-remaining"), Some("0"));
    assert!(r.header("x-ratelimit-reset").is_some());
    let wait: u64 = r.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=61).contains(&wait), "{wait}");
}

#[tokio::test]
async fn delivery_failures_name_the_provider_without_leaking_internals() {
    mapped(|| StartError::Delivery {
        connection: Connection::Sms,
        source: DeliveryError::Rejected("invalid destination (Code: 21211)".into()),
    })
    .await
    .assert_error(
        StatusCode::BAD_REQUEST,
        "sms_provider_error",
        "Unexpected response while calling the SMS gateway: invalid destination (Code: 21211)",
    );
    mapped(|| StartError::Delivery {
        connection: Connection::Email,
        source: DeliveryError::Unknown(anyhow::anyhow!("smtp said secret things")),
    })
    .await
    .assert_error(
        StatusCode::SERVICE_UNAVAILABLE,
        "email_provider_error",
        "Unexpected response while calling the email provider: unexpected error",
    );
}

#[tokio::test]
async fn infrastructure_failures_are_503_and_500_without_the_cause() {
    let r = mapped(|| StartError::Unavailable(anyhow::anyhow!("pg down"))).await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::SERVICE_UNAVAILABLE, "temporarily_unavailable")
    );
    let r = mapped(|| StartError::Unknown(anyhow::anyhow!("db row 42 broken"))).await;
    assert_eq!(
        (r.status, r.error()),
        (StatusCode::INTERNAL_SERVER_ERROR, "server_error")
    );
    assert!(!r.description().contains("42"));
}

#[tokio::test]
async fn a_client_id_no_client_can_have_is_answered_as_an_unknown_client_without_asking_the_domain()
{
    // `mock()` fails the test on any call to the domain.
    for id in ["a\u{7}b".to_owned(), "x".repeat(300)] {
        let mut body = email_body();
        body["client_id"] = json!(id);
        let r = send(app(mock()), post_json(PATH, &body)).await;
        let shown: String = id.chars().filter(|c| !c.is_control()).take(64).collect();
        let cut = if id.chars().count() > 64 { "…" } else { "" };
        r.assert_error(
            StatusCode::BAD_REQUEST,
            "bad.client_id",
            &format!("Unknown client: {shown}{cut}"),
        );
    }
}
