use futures::executor::block_on;
use sesame_domain::code::Otp;
use sesame_domain::ports::MessageRenderer;
use sesame_domain::{ClientId, MessageContext, Operation, SendMode};

use super::*;
use crate::BareRenderer;

fn ctx(recipient: Recipient, code: &str, send: SendMode) -> MessageContext {
    MessageContext {
        recipient,
        client_id: ClientId::parse("app").unwrap(),
        send,
        code: Otp::new(code),
        link: Some(
            "https://issuer.test/passwordless/verify_redirect?verification_code=1234567&x=99999"
                .to_owned(),
        ),
        application_name: "Acme".to_owned(),
        locale: None,
        operation: Operation::Login,
        expires_in_minutes: 3,
    }
}

fn email(raw: &str) -> Recipient {
    Recipient::Email(EmailAddress::parse(raw).unwrap())
}

fn phone(raw: &str) -> Recipient {
    Recipient::Sms(PhoneNumber::parse(raw).unwrap())
}

fn send(outbox: &Outbox, c: &MessageContext) -> Result<DeliveryReceipt, DeliveryError> {
    match &c.recipient {
        Recipient::Email(_) => block_on(outbox.send_email(&BareRenderer.render_email(c).unwrap())),
        Recipient::Sms(_) => block_on(outbox.send_sms(&BareRenderer.render_sms(c).unwrap())),
    }
}

#[test]
fn every_accepted_message_is_kept_in_order() {
    let outbox = Outbox::new();
    let handle = outbox.clone();
    send(
        &outbox,
        &ctx(email("a@example.com"), "111111", SendMode::Code),
    )
    .unwrap();
    send(
        &outbox,
        &ctx(phone("+15551234567"), "222222", SendMode::Code),
    )
    .unwrap();
    send(
        &outbox,
        &ctx(email("a@example.com"), "333333", SendMode::Code),
    )
    .unwrap();
    assert_eq!(handle.count(), 3);
    let recipients: Vec<Recipient> = handle
        .messages()
        .iter()
        .map(SentMessage::recipient)
        .collect();
    assert_eq!(
        recipients,
        [
            email("a@example.com"),
            phone("+15551234567"),
            email("a@example.com")
        ]
    );
    handle.clear();
    assert_eq!(outbox.count(), 0);
}

#[test]
fn the_last_code_for_a_recipient_is_read_from_its_last_message() {
    let outbox = Outbox::new();
    send(
        &outbox,
        &ctx(email("a@example.com"), "111111", SendMode::Code),
    )
    .unwrap();
    send(
        &outbox,
        &ctx(email("a@example.com"), "0042", SendMode::Link),
    )
    .unwrap();
    send(
        &outbox,
        &ctx(phone("+15551234567"), "7654321", SendMode::Code),
    )
    .unwrap();
    assert_eq!(
        outbox.last_code_for(&email("a@example.com")).as_deref(),
        Some("0042")
    );
    assert_eq!(
        outbox.last_code_for(&phone("+1 555 123 4567")).as_deref(),
        Some("7654321")
    );
    assert_eq!(outbox.last_code_for(&email("b@example.com")), None);
    assert!(
        outbox
            .last_link_for(&email("a@example.com"))
            .is_some_and(|l| l.contains("verify_redirect"))
    );
}

#[test]
fn lookups_by_address_use_the_canonical_form() {
    let outbox = Outbox::new();
    send(
        &outbox,
        &ctx(email("a@Example.COM"), "111111", SendMode::Code),
    )
    .unwrap();
    send(
        &outbox,
        &ctx(phone("+15551234567"), "222222", SendMode::Code),
    )
    .unwrap();
    let mail = outbox.last_email_to(" a@example.com ").unwrap();
    assert!(mail.subject.contains("111111"));
    assert!(outbox.last_email_to("A@EXAMPLE.com").is_some());
    assert!(outbox.last_email_to("b@example.com").is_none());
    assert!(
        outbox
            .last_sms_to("+1 (555) 123-4567")
            .unwrap()
            .body
            .starts_with("222222")
    );
    assert!(outbox.last_sms_to("not a number").is_none());
}

#[test]
fn a_scheduled_failure_refuses_exactly_the_next_send() {
    let outbox = Outbox::new();
    outbox.fail_next(DeliveryError::Rejected("mailbox full".to_owned()));
    let first = send(
        &outbox,
        &ctx(email("a@example.com"), "111111", SendMode::Code),
    );
    assert!(matches!(first, Err(DeliveryError::Rejected(m)) if m == "mailbox full"));
    assert_eq!((outbox.count(), outbox.refused()), (0, 1));
    let second = send(
        &outbox,
        &ctx(email("a@example.com"), "222222", SendMode::Code),
    )
    .unwrap();
    assert_eq!(second.provider_message_id.as_deref(), Some("outbox-1"));
    assert_eq!(outbox.count(), 1);
}

#[test]
fn a_provider_that_is_down_refuses_everything_until_it_recovers() {
    let outbox = Outbox::new();
    outbox.go_down(|| DeliveryError::Unavailable(anyhow::anyhow!("connection refused")));
    for code in ["111111", "222222", "333333"] {
        let r = send(&outbox, &ctx(phone("+15551234567"), code, SendMode::Code));
        assert!(matches!(r, Err(DeliveryError::Unavailable(_))));
    }
    assert_eq!((outbox.count(), outbox.refused()), (0, 3));
    outbox.recover();
    send(
        &outbox,
        &ctx(phone("+15551234567"), "444444", SendMode::Code),
    )
    .unwrap();
    assert_eq!(
        outbox.last_code_for(&phone("+15551234567")).as_deref(),
        Some("444444")
    );
}

#[test]
fn the_outbox_debug_output_shows_no_message() {
    let outbox = Outbox::new();
    send(
        &outbox,
        &ctx(email("secret.person@example.com"), "987654", SendMode::Code),
    )
    .unwrap();
    let shown = format!("{outbox:?} {:?}", outbox.messages());
    assert!(!shown.contains("987654"));
    assert!(!shown.contains("secret.person"));
}
