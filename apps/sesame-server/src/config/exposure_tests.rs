use super::*;
use crate::config::{from_toml, resolve};

fn resolved(toml: &str) -> Resolved {
    resolve(from_toml(toml).unwrap()).unwrap()
}

fn addr(s: &str) -> SocketAddr {
    s.parse().unwrap()
}

/// Real providers and a client of its own: nothing for development.
const PRODUCTION: &str = "[email]\nprovider = \"webhook\"\n[email.webhook]\nurl = \"https://hooks.example.com/mail\"\nsecret = \"0123456789abcdef0123456789abcdef\"\n\
    [sms]\nprovider = \"sns\"\n\
    [[clients]]\nclient_id = \"app\"\ncallbacks = [\"https://app.example.com/cb\"]\n";

#[test]
fn the_defaults_start_on_loopback() {
    let r = resolved("");
    for listening in ["127.0.0.1:3000", "[::1]:3000", "[::ffff:127.0.0.1]:3000"] {
        refuse_development_settings(&development_settings(&r), addr(listening)).unwrap();
    }
}

#[test]
fn console_email_on_a_public_address_is_refused_naming_email_provider() {
    let r = resolved(&PRODUCTION.replace("provider = \"webhook\"", "provider = \"console\""));
    let err = refuse_development_settings(&development_settings(&r), addr("0.0.0.0:3000"))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("email.provider: "), "{err}");
    assert!(err.contains("--dev"), "{err}");
    assert!(!err.contains("sms.provider"), "{err}");
}

#[test]
fn console_sms_on_a_public_address_is_refused_naming_sms_provider() {
    let r = resolved(&PRODUCTION.replace("provider = \"sns\"", "provider = \"console\""));
    let err = refuse_development_settings(&development_settings(&r), addr("[::]:3000"))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("sms.provider: "), "{err}");
}

#[test]
fn the_dev_client_on_a_public_address_is_refused_naming_clients() {
    let without_clients = &PRODUCTION[..PRODUCTION.find("[[clients]]").unwrap()];
    let r = resolved(without_clients);
    let err = refuse_development_settings(&development_settings(&r), addr("192.0.2.10:443"))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("clients: "), "{err}");
    assert!(err.contains("\"dev\""), "{err}");
}

#[test]
fn production_settings_start_anywhere() {
    let r = resolved(PRODUCTION);
    assert_eq!(development_settings(&r), vec![]);
    refuse_development_settings(&development_settings(&r), addr("0.0.0.0:3000")).unwrap();
}

#[test]
fn callbacks_must_be_https_except_on_loopback_and_for_native_schemes() {
    for good in [
        "https://app.example.com/callback",
        "http://localhost:8080/callback",
        "http://LOCALHOST/callback",
        "http://127.0.0.1:3000/callback",
        "http://[::1]:3000/callback",
        "com.example.app:/callback",
        "myapp://callback",
    ] {
        assert_eq!(check_callback(good), Ok(()), "{good}");
    }
    for bad in [
        "http://app.example.com/callback",
        "http://192.168.1.10/callback",
        "http://localhost.example.com/callback",
        "javascript:alert(1)",
        "data:text/html,hi",
        "file:///etc/passwd",
    ] {
        assert!(check_callback(bad).is_err(), "{bad}");
    }
}

#[test]
fn a_plain_http_callback_is_refused_at_startup_naming_the_client() {
    let toml = "[[clients]]\nclient_id = \"ok\"\ncallbacks = [\"https://a.example.com/cb\"]\n\
        [[clients]]\nclient_id = \"shop-web\"\ncallbacks = [\"https://a.example.com/cb\", \"http://shop.example.com/cb\"]\n";
    let err = resolve(from_toml(toml).unwrap()).unwrap_err().to_string();
    assert!(err.starts_with("clients[1].callbacks[1]: "), "{err}");
    assert!(err.contains("\"shop-web\""), "{err}");
    assert!(err.contains("https://"), "{err}");
}
