use proptest::prelude::*;

use super::*;

#[test]
fn an_email_is_trimmed_and_lower_cased_whole() {
    let e = EmailAddress::parse("  Jane.Doe@Example.COM \n").unwrap();
    assert_eq!(e.as_str(), "jane.doe@example.com");
    assert_eq!(e.local_part(), "jane.doe");
}

#[test]
fn two_spellings_of_one_mailbox_are_one_address() {
    let plain = EmailAddress::parse("alice@example.com").unwrap();
    for other in [
        "Alice@Example.COM",
        "ALICE@EXAMPLE.COM",
        // Full-width letters and at sign, as an IME types them.
        "\u{ff21}\u{ff4c}\u{ff49}\u{ff43}\u{ff45}\u{ff20}\u{ff45}\u{ff58}\u{ff41}\u{ff4d}\u{ff50}\u{ff4c}\u{ff45}.com",
        // An ideographic full stop between the domain's labels.
        "alice@example\u{3002}com",
    ] {
        assert_eq!(EmailAddress::parse(other).as_ref(), Ok(&plain), "{other:?}");
    }
}

#[test]
fn a_composed_and_a_decomposed_accent_are_one_address() {
    let composed = EmailAddress::parse("Jos\u{e9}@example.com").unwrap();
    let decomposed = EmailAddress::parse("Jose\u{301}@example.com").unwrap();
    assert_eq!(composed, decomposed);
    assert_eq!(composed.as_str(), "jos\u{e9}@example.com");
}

#[test]
fn an_international_domain_is_kept_in_its_ascii_form() {
    let e = EmailAddress::parse("hans@B\u{fc}cher.Example").unwrap();
    assert_eq!(e.as_str(), "hans@xn--bcher-kva.example");
    assert_eq!(
        EmailAddress::parse("hans@xn--bcher-kva.example").unwrap(),
        e
    );
}

#[test]
fn a_domain_idna_refuses_is_an_invalid_domain() {
    // A label that is not valid Punycode, and one with a space in it.
    assert_eq!(
        EmailAddress::parse("a@xn--a.example"),
        Err(EmailError::InvalidDomain)
    );
    assert_eq!(
        EmailAddress::parse("a@ex ample.com"),
        Err(EmailError::InvalidDomain)
    );
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
    assert_eq!(e.as_str(), "a@b.co");
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
    fn email_parsing_is_idempotent_lowercases_and_leaves_an_ascii_domain(raw in "\\PC{0,40}") {
        if let Ok(e) = EmailAddress::parse(&raw) {
            prop_assert_eq!(EmailAddress::parse(e.as_str()).unwrap(), e.clone());
            prop_assert_eq!(e.as_str().to_lowercase(), e.as_str());
            let (_, domain) = e.as_str().rsplit_once('@').unwrap();
            prop_assert!(domain.is_ascii());
        }
    }

    #[test]
    fn a_unicode_address_parses_to_a_fixed_point(local in "[\\p{L}\\p{M}\\p{N}]{1,12}", label in "[\\p{L}a-z]{1,8}") {
        if let Ok(e) = EmailAddress::parse(&format!("{local}@{label}.example")) {
            prop_assert_eq!(EmailAddress::parse(e.as_str()).unwrap(), e.clone());
        }
    }

    #[test]
    fn upper_and_lower_case_spellings_parse_alike(raw in "[a-zA-Z0-9._+-]{1,20}@[a-zA-Z0-9]{1,10}\\.[a-zA-Z]{2,6}") {
        let upper = EmailAddress::parse(&raw.to_uppercase());
        let lower = EmailAddress::parse(&raw.to_lowercase());
        prop_assert_eq!(upper, lower);
    }

    #[test]
    fn generated_addresses_parse(local in "[a-zA-Z0-9][a-zA-Z0-9._+-]{0,20}[a-zA-Z0-9]", domain in "[a-z0-9]{1,10}\\.[a-z]{2,6}") {
        prop_assume!(!local.contains(".."));
        let raw = format!("{local}@{}", domain.to_uppercase());
        let parsed = EmailAddress::parse(&raw).unwrap();
        prop_assert_eq!(parsed.as_str(), format!("{}@{domain}", local.to_lowercase()));
    }
}
