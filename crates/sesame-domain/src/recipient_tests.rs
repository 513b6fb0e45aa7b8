use proptest::prelude::*;

use super::*;

#[test]
fn an_email_is_trimmed_and_its_domain_lower_cased() {
    let e = EmailAddress::parse("  Jane.Doe@Example.COM \n").unwrap();
    assert_eq!(e.as_str(), "Jane.Doe@example.com");
    assert_eq!(e.local_part(), "Jane.Doe");
}

#[test]
fn email_errors_say_what_is_wrong() {
    assert_eq!(EmailAddress::parse("   "), Err(EmailError::Empty));
    assert_eq!(
        EmailAddress::parse("jane.example.com"),
        Err(EmailError::MissingAt)
    );
    assert_eq!(
        EmailAddress::parse("@example.com"),
        Err(EmailError::InvalidLocalPart)
    );
    assert_eq!(
        EmailAddress::parse("a..b@example.com"),
        Err(EmailError::InvalidLocalPart)
    );
    assert_eq!(
        EmailAddress::parse("a b@example.com"),
        Err(EmailError::InvalidLocalPart)
    );
    assert_eq!(
        EmailAddress::parse("jane@localhost"),
        Err(EmailError::InvalidDomain)
    );
    assert_eq!(
        EmailAddress::parse("jane@-x.com"),
        Err(EmailError::InvalidDomain)
    );
    assert_eq!(
        EmailAddress::parse("jane@x..com"),
        Err(EmailError::InvalidDomain)
    );
    let long = format!("{}@example.com", "a".repeat(250));
    assert_eq!(EmailAddress::parse(&long), Err(EmailError::TooLong));
}

#[test]
fn debug_output_never_shows_the_address() {
    let e = EmailAddress::parse("secret.person@example.com").unwrap();
    let p = PhoneNumber::parse("+14155550100").unwrap();
    let shown = format!("{e:?} {p:?} {:?}", Recipient::Email(e.clone()));
    assert!(!shown.contains("secret"), "{shown}");
    assert!(!shown.contains("example"), "{shown}");
    assert!(!shown.contains("4155550100"), "{shown}");
}

#[test]
fn a_phone_number_parses_into_e164() {
    assert_eq!(
        PhoneNumber::parse(" +1 (415) 555-0100 ").unwrap().as_str(),
        "+14155550100"
    );
    assert_eq!(
        PhoneNumber::parse("+4915112345678").unwrap().as_str(),
        "+4915112345678"
    );
}

#[test]
fn phone_errors_say_what_is_wrong() {
    assert_eq!(PhoneNumber::parse(""), Err(PhoneError::Empty));
    assert_eq!(
        PhoneNumber::parse("4155550100"),
        Err(PhoneError::MissingPlus)
    );
    assert_eq!(
        PhoneNumber::parse("+1415abc0100"),
        Err(PhoneError::InvalidCharacter)
    );
    assert_eq!(
        PhoneNumber::parse("+0415550100"),
        Err(PhoneError::LeadingZero)
    );
    assert_eq!(PhoneNumber::parse("+123456"), Err(PhoneError::BadLength));
    assert_eq!(
        PhoneNumber::parse("+1234567890123456"),
        Err(PhoneError::BadLength)
    );
}

#[test]
fn connections_round_trip_their_wire_names() {
    for c in [Connection::Email, Connection::Sms] {
        assert_eq!(c.as_str().parse::<Connection>(), Ok(c));
    }
    assert_eq!("Email".parse::<Connection>(), Err(UnknownConnection));
}

#[test]
fn connections_deserialize_as_they_serialize_and_refuse_in_from_strs_words() {
    for c in [Connection::Email, Connection::Sms] {
        let json = serde_json::to_string(&c).unwrap();
        assert_eq!(serde_json::from_str::<Connection>(&json).unwrap(), c);
    }
    let err = serde_json::from_str::<Connection>("\"fax\"").unwrap_err();
    assert!(
        err.to_string().starts_with(&UnknownConnection.to_string()),
        "{err}"
    );
}

#[test]
fn deserializing_a_recipient_parses_it() {
    let e: EmailAddress = serde_json::from_str("\"A@B.CO\"").unwrap();
    assert_eq!(e.as_str(), "A@b.co");
    assert!(serde_json::from_str::<PhoneNumber>("\"12\"").is_err());
}

proptest! {
    #[test]
    fn any_valid_e164_number_parses_to_itself(first in 1u8..=9, rest in "[0-9]{6,14}") {
        let raw = format!("+{first}{rest}");
        let parsed = PhoneNumber::parse(&raw).unwrap();
        prop_assert_eq!(parsed.as_str(), raw.as_str());
    }

    #[test]
    fn phone_parsing_is_idempotent(raw in "\\PC{0,24}") {
        if let Ok(p) = PhoneNumber::parse(&raw) {
            prop_assert_eq!(PhoneNumber::parse(p.as_str()).unwrap(), p.clone());
            let digits = p.as_str().len() - 1;
            prop_assert!((7..=15).contains(&digits));
        }
    }

    #[test]
    fn email_parsing_is_idempotent_and_lowercases_the_domain(raw in "\\PC{0,40}") {
        if let Ok(e) = EmailAddress::parse(&raw) {
            prop_assert_eq!(EmailAddress::parse(e.as_str()).unwrap(), e.clone());
            let (_, domain) = e.as_str().rsplit_once('@').unwrap();
            prop_assert_eq!(domain.to_lowercase(), domain);
        }
    }

    #[test]
    fn generated_addresses_parse(local in "[a-zA-Z0-9][a-zA-Z0-9._+-]{0,20}[a-zA-Z0-9]", domain in "[a-z0-9]{1,10}\\.[a-z]{2,6}") {
        prop_assume!(!local.contains(".."));
        let raw = format!("{local}@{}", domain.to_uppercase());
        let parsed = EmailAddress::parse(&raw).unwrap();
        prop_assert_eq!(parsed.as_str(), format!("{local}@{domain}"));
    }
}
