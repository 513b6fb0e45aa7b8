use sesame_domain::challenge::{AuthParams, Challenge, ChallengeId, SendMode};
use sesame_domain::client::ClientId;
use sesame_domain::code::CodeMac;
use sesame_domain::ports::StoreError;
use sesame_domain::recipient::{Connection, Recipient};
use sesame_domain::time::Timestamp;

use super::*;

fn sample(link: bool) -> Challenge {
    Challenge {
        id: ChallengeId::from_random([3; 16]),
        client_id: ClientId::parse("app:with:colons").unwrap(),
        recipient: Recipient::parse(Connection::Email, "Carol@Example.com").unwrap(),
        send: SendMode::Link,
        auth_params: AuthParams {
            scope: sesame_domain::Scope::parse("openid email").ok(),
            state: Some("s\"t\u{e9}".into()),
            ..AuthParams::default()
        },
        code_mac: CodeMac::from_bytes([9; 32]),
        link_mac: link.then(|| CodeMac::from_bytes([8; 32])),
        created_at: Timestamp::from_unix_millis(1_700_000_000_123),
        expires_at: Timestamp::from_unix_millis(1_700_000_300_123),
        attempts_left: 3,
        consumed: false,
    }
}

fn as_map(fields: Vec<(&'static str, String)>) -> HashMap<String, String> {
    fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

#[test]
fn a_challenge_survives_the_round_trip_with_and_without_a_link() {
    for link in [true, false] {
        let ch = sample(link);
        let back = decode(&as_map(encode(&ch).unwrap())).unwrap();
        assert_eq!(back, ch);
    }
}

#[test]
fn a_consumed_sms_challenge_survives_the_round_trip() {
    let mut ch = sample(false);
    ch.recipient = Recipient::parse(Connection::Sms, "+14155550123").unwrap();
    ch.send = SendMode::Code;
    ch.consumed = true;
    ch.attempts_left = 0;
    let back = decode(&as_map(encode(&ch).unwrap())).unwrap();
    assert_eq!(back, ch);
}

#[test]
fn a_missing_field_is_corrupt_and_named() {
    let mut m = as_map(encode(&sample(true)).unwrap());
    m.remove(field::EXPIRES_AT);
    match decode(&m) {
        Err(StoreError::Corrupt(msg)) => assert!(msg.contains("expires_at")),
        other => panic!("expected Corrupt, got {other:?}"),
    }
}

#[test]
fn bad_values_are_corrupt_without_echoing_them() {
    let cases = [
        (field::RECIPIENT, "not-an-address-secret"),
        (field::CONNECTION, "fax"),
        (field::SEND, "carrier-pigeon"),
        (field::AUTH_PARAMS, "{not json"),
        (field::CODE_MAC, "abcd"),
        (field::LINK_MAC, "zz"),
        (field::CREATED_AT, "yesterday"),
        (field::ATTEMPTS_LEFT, "-1"),
        (field::CONSUMED, "yes"),
    ];
    for (name, bad) in cases {
        let mut m = as_map(encode(&sample(true)).unwrap());
        m.insert(name.to_owned(), bad.to_owned());
        match decode(&m) {
            Err(StoreError::Corrupt(msg)) => {
                assert!(msg.contains(name), "{msg}");
                assert!(!msg.contains(bad), "{msg}");
            }
            other => panic!("{name}: expected Corrupt, got {other:?}"),
        }
    }
}
