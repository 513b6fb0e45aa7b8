//! What goes over the wire, seen by a capturing fake SNS (moto does not
//! record message attributes).

use sesame_delivery_sns::{SMS_TYPE_ATTRIBUTE, SnsConfig};
use sesame_domain::ports::SmsSender;

use crate::capture::{Capture, attributes, field, publish_response};
use crate::support::{HANG_GUARD, config, sender, sms, unique_number};

fn string(value: &str) -> (String, String) {
    ("String".to_owned(), value.to_owned())
}

#[tokio::test]
async fn a_publish_goes_to_the_number_as_a_transactional_sms() {
    let fake = Capture::start(200, &publish_response("fake-id-1")).await;
    let sender = sender(&config(&fake.endpoint)).await;
    let to = unique_number();

    let receipt = tokio::time::timeout(HANG_GUARD, sender.send_sms(&sms(&to, "Code: 424242")))
        .await
        .unwrap()
        .unwrap();

    assert_eq!(receipt.provider_message_id.as_deref(), Some("fake-id-1"));
    let requests = fake.requests();
    assert_eq!(requests.len(), 1);
    let form = &requests[0];
    assert_eq!(field(form, "Action"), Some("Publish"));
    assert_eq!(field(form, "PhoneNumber"), Some(to.as_str()));
    assert_eq!(field(form, "Message"), Some("Code: 424242"));
    assert_eq!(field(form, "TopicArn"), None);
    assert_eq!(field(form, "TargetArn"), None);
    let attrs = attributes(form);
    assert_eq!(attrs.len(), 1, "{attrs:?}");
    assert_eq!(attrs[SMS_TYPE_ATTRIBUTE], string("Transactional"));
}

#[tokio::test]
async fn the_configured_sender_id_and_origination_number_go_along() {
    let fake = Capture::start(200, &publish_response("fake-id-2")).await;
    let sender = sender(&SnsConfig {
        sender_id: Some("Sesame".to_owned()),
        origination_number: Some("+15555550199".to_owned()),
        ..config(&fake.endpoint)
    })
    .await;

    sender
        .send_sms(&sms(&unique_number(), "Code: 424242"))
        .await
        .unwrap();

    let attrs = attributes(&fake.requests()[0]);
    assert_eq!(attrs.len(), 3, "{attrs:?}");
    assert_eq!(attrs["AWS.SNS.SMS.SMSType"], string("Transactional"));
    assert_eq!(attrs["AWS.SNS.SMS.SenderID"], string("Sesame"));
    assert_eq!(
        attrs["AWS.MM.SMS.OriginationNumber"],
        string("+15555550199")
    );
}
