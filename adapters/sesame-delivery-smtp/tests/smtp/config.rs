//! Settings that cannot make a working sender fail at construction.

use sesame_delivery_smtp::{SmtpConfig, SmtpConfigError, SmtpSender, TlsMode};

use crate::support::FROM;

#[test]
fn the_server_settings_deserialize_with_defaults() {
    let c: SmtpConfig =
        serde_json::from_value(serde_json::json!({"host": "smtp.example.com"})).unwrap();
    assert_eq!(
        (c.tls, c.effective_port(), c.timeout_secs),
        (TlsMode::Starttls, 587, 10)
    );
    let c: SmtpConfig = serde_json::from_value(serde_json::json!({
        "host": "smtp.example.com", "port": 2465, "tls": "tls", "username": "u",
        "password": "hunter2", "timeout_secs": 3
    }))
    .unwrap();
    assert_eq!(
        (c.tls, c.effective_port(), c.timeout_secs),
        (TlsMode::Tls, 2465, 3)
    );
    assert!(!format!("{c:?}").contains("hunter2"));
    let none: SmtpConfig =
        serde_json::from_value(serde_json::json!({"host": "h", "tls": "none"})).unwrap();
    assert_eq!(none.effective_port(), 25);
}

#[test]
fn unknown_keys_and_tls_modes_are_refused() {
    for bad in [
        serde_json::json!({"host": "h", "tls": "ssl"}),
        serde_json::json!({"host": "h", "hots": "x"}),
    ] {
        assert!(serde_json::from_value::<SmtpConfig>(bad).is_err());
    }
}

#[test]
fn a_from_that_is_not_a_mailbox_is_a_construction_error() {
    for from in ["", "Sesame", "Sesame <no-reply>", "a@b@c"] {
        let err = SmtpSender::new(&SmtpConfig::new("localhost"), from).unwrap_err();
        assert!(
            matches!(err, SmtpConfigError::BadFrom { .. }),
            "{from:?}: {err}"
        );
    }
    assert!(SmtpSender::new(&SmtpConfig::new("localhost"), "Sesame <no-reply@localhost>").is_ok());
}

#[test]
fn a_password_never_travels_in_the_clear_to_another_host() {
    let mut c = SmtpConfig::new("smtp.example.com");
    c.tls = TlsMode::None;
    c.username = Some("u".into());
    c.password = Some("p".into());
    let err = SmtpSender::new(&c, FROM).unwrap_err();
    assert!(matches!(err, SmtpConfigError::PlaintextAuth), "{err}");
    c.host = "127.0.0.1".into();
    assert!(SmtpSender::new(&c, FROM).is_ok());
    c.tls = TlsMode::Starttls;
    c.host = "smtp.example.com".into();
    assert!(SmtpSender::new(&c, FROM).is_ok());
}

#[test]
fn half_credentials_a_zero_timeout_and_bad_roots_are_refused() {
    let mut c = SmtpConfig::new("smtp.example.com");
    c.username = Some("u".into());
    assert!(matches!(
        SmtpSender::new(&c, FROM),
        Err(SmtpConfigError::Invalid(_))
    ));
    let mut c = SmtpConfig::new("smtp.example.com");
    c.password = Some("p".into());
    assert!(matches!(
        SmtpSender::new(&c, FROM),
        Err(SmtpConfigError::Invalid(_))
    ));
    let mut c = SmtpConfig::new("smtp.example.com");
    c.timeout_secs = 0;
    assert!(matches!(
        SmtpSender::new(&c, FROM),
        Err(SmtpConfigError::Invalid(_))
    ));
    let c = SmtpConfig::new(" ");
    assert!(matches!(
        SmtpSender::new(&c, FROM),
        Err(SmtpConfigError::Invalid(_))
    ));
    let mut c = SmtpConfig::new("smtp.example.com");
    c.root_certificate_pem = Some("not a certificate".into());
    assert!(matches!(
        SmtpSender::new(&c, FROM),
        Err(SmtpConfigError::Tls(_))
    ));
    c.root_certificate_pem =
        Some("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n".into());
    assert!(matches!(
        SmtpSender::new(&c, FROM),
        Err(SmtpConfigError::Tls(_))
    ));
}
