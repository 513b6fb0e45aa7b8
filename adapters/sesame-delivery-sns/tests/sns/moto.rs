//! Publishing to moto (`SESAME_TEST_SNS_ENDPOINT`) and reading the message
//! back from `/moto-api/data.json`.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a failed step should fail the test loudly"
)]

use serde_json::Value;
use sesame_delivery_sns::SnsSender;
use sesame_domain::ports::SmsSender;

use crate::support::{HANG_GUARD, config, moto_endpoint, sender, sms, unique_number};

/// moto's recorded SMS: (message, message_id, phone_number).
async fn moto_sms() -> Vec<(String, String, String)> {
    let url = format!("{}/moto-api/data.json", moto_endpoint());
    let data: Value = reqwest::get(&url).await.unwrap().json().await.unwrap();
    let list = data["sns"]["SMS"].as_array().cloned().unwrap_or_default();
    list.iter()
        .map(|m| {
            let s = |k: &str| m[k].as_str().unwrap_or_default().to_owned();
            (s("message"), s("message_id"), s("phone_number"))
        })
        .collect()
}

#[tokio::test]
async fn a_published_sms_reaches_moto_byte_for_byte() {
    let sender = sender(&config(&moto_endpoint())).await;
    let to = unique_number();
    let body = "Your Sesame code is 424242.\nÇa expire dans 5 min — ne le partagez pas ✓ 🔐";

    let receipt = tokio::time::timeout(HANG_GUARD, sender.send_sms(&sms(&to, body)))
        .await
        .unwrap()
        .unwrap();

    let id = receipt
        .provider_message_id
        .expect("moto returns a MessageId");
    let mine: Vec<_> = moto_sms().await.into_iter().filter(|m| m.1 == id).collect();
    assert_eq!(mine.len(), 1, "exactly one SMS with our message id");
    let (message, _, number) = &mine[0];
    assert_eq!(number, to.as_str());
    assert_eq!(message.as_bytes(), body.as_bytes());
}

#[tokio::test]
async fn each_send_is_its_own_publish() {
    let sender = sender(&config(&moto_endpoint())).await;
    let to = unique_number();
    let first = sender.send_sms(&sms(&to, "first 111111")).await.unwrap();
    let second = sender.send_sms(&sms(&to, "second 222222")).await.unwrap();

    assert_ne!(first.provider_message_id, second.provider_message_id);
    let mine: Vec<_> = moto_sms()
        .await
        .into_iter()
        .filter(|m| m.2 == to.as_str())
        .map(|m| m.0)
        .collect();
    assert_eq!(mine, ["first 111111", "second 222222"]);
}

/// The production path: region from the config, credentials from the
/// standard chain. `scripts/test` exports moto's dummy keys; without them
/// the chain has nothing to sign with, so the test says so and stops.
#[tokio::test]
async fn the_standard_aws_chain_signs_for_moto() {
    if std::env::var_os("AWS_ACCESS_KEY_ID").is_none() {
        eprintln!("AWS_ACCESS_KEY_ID is not set (scripts/test sets it): skipped");
        return;
    }
    let sender = SnsSender::from_config(&config(&moto_endpoint()))
        .await
        .unwrap();
    let to = unique_number();
    let receipt = tokio::time::timeout(HANG_GUARD, sender.send_sms(&sms(&to, "chain 333333")))
        .await
        .unwrap()
        .unwrap();
    let id = receipt.provider_message_id.unwrap();
    assert!(
        moto_sms()
            .await
            .iter()
            .any(|m| m.1 == id && m.2 == to.as_str())
    );
}

#[tokio::test]
async fn moto_refusing_an_overlong_message_is_a_rejection_without_the_body() {
    let sender = sender(&config(&moto_endpoint())).await;
    let to = unique_number();
    let body = format!("424242 {}", "x".repeat(1700));

    let err = sender.send_sms(&sms(&to, &body)).await.unwrap_err();

    let sesame_domain::ports::DeliveryError::Rejected(detail) = &err else {
        panic!("expected Rejected, got {err:?}");
    };
    assert!(detail.contains("InvalidParameter"), "{detail}");
    assert!(
        !detail.contains(to.as_str()) && !detail.contains("xxxxxxxx"),
        "{detail}"
    );
    assert!(!detail.contains("424242"), "{detail}");
}
