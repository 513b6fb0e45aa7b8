//! The SMS pumping guard over HTTP, on every backend: one destination
//! prefix is cut off while another still gets its texts, the refusal
//! carries the rate-limit headers, and a country outside the allowed list
//! (or a number of no known country) is a bad phone number.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use std::sync::atomic::{AtomicU32, Ordering};

use sesame_domain::{PhoneNumber, Recipient};
use sesame_e2e::{Backend, Options, TestApp};

/// A new number under `prefix`, `digits` digits in all.
fn number(prefix: &str, digits: usize) -> Recipient {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed) % 100_000;
    let width = digits + 1 - prefix.len();
    Recipient::Sms(PhoneNumber::parse(&format!("{prefix}{n:0width$}")).expect("a valid number"))
}

async fn pumping_to_one_prefix_is_cut_off_while_another_prefix_still_works(backend: Backend) {
    let options = Options {
        sms_per_prefix_per_hour: 2,
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    for _ in 0..2 {
        app.start_for(&number("+1555", 11)).await.expect_status(200);
    }
    let refused = app.start_for(&number("+1555", 11)).await;
    refused.expect_error(429, "too_many_requests", None);
    assert_eq!(refused.numeric_header("x-ratelimit-limit"), 2);
    assert_eq!(refused.numeric_header("x-ratelimit-remaining"), 0);
    assert!(refused.numeric_header("retry-after") >= 1);
    app.start_for(&number("+44791", 12))
        .await
        .expect_status(200);
    assert_eq!(app.outbox.count(), 3, "the refused start sent nothing");
}

async fn with_a_country_list_other_countries_are_a_bad_phone_number(backend: Backend) {
    let options = Options {
        sms_allowed_countries: vec!["GB".into()],
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    for elsewhere in [number("+1555", 11), number("+1212", 11)] {
        app.start_for(&elsewhere).await.expect_error(
            400,
            "bad.phone_number",
            Some("SMS to this country is not enabled"),
        );
    }
    app.start_for(&number("+44791", 12))
        .await
        .expect_status(200);
    assert_eq!(app.outbox.count(), 1);
}

sesame_e2e::on_every_backend!(
    pumping_to_one_prefix_is_cut_off_while_another_prefix_still_works,
    with_a_country_list_other_countries_are_a_bad_phone_number,
);
