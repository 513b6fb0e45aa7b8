//! STARTTLS and implicit TLS with AUTH, against sinks with a throwaway
//! self-signed certificate.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use sesame_delivery_smtp::{SmtpConfig, SmtpSender, TlsMode};
use sesame_domain::ports::DeliveryError;

use crate::sink::{self, OwnSink, PASSWORD, USER, wait_for_mail};
use crate::support::{self, CODE, FROM, LINK};

fn config(sink: &OwnSink, tls: TlsMode, password: &str) -> SmtpConfig {
    let mut c = SmtpConfig::new("localhost");
    c.port = Some(sink.port);
    c.tls = tls;
    c.username = Some(USER.to_owned());
    c.password = Some(password.into());
    c.timeout_secs = 5;
    c.root_certificate_pem = Some(sink.cert_pem.clone());
    c
}

/// Sends one message and checks it arrived over TLS, authenticated.
async fn delivers_over_tls_with_auth(sink: &OwnSink, tls: TlsMode, test: &str) {
    let sender = SmtpSender::new(&config(sink, tls, PASSWORD), FROM).unwrap();
    let to = support::recipient(test);
    let text = format!("{CODE}\n{LINK}\n");
    let message = support::email(&to, "en", "over TLS", &text, Some("<p>739201</p>"));
    support::send(&sender, &message).await.unwrap();
    let stored = wait_for_mail(&sink.maildir, to.as_str(), 1).await;
    assert_eq!(stored.envelope["tls"], true);
    assert_eq!(stored.envelope["authenticated"], true);
    assert_eq!(stored.envelope["auth_login"], USER);
    let mail = support::parse(&stored.raw);
    let got = mail.body_text(0).unwrap().replace("\r\n", "\n");
    assert_eq!(got, text);
}

#[tokio::test]
async fn starttls_with_auth_delivers_to_a_server_that_requires_both() {
    let flags = [
        "--require-starttls",
        "--auth-required",
        "--auth-require-tls",
    ];
    let Some(sink) = sink::own(&flags).await else {
        return;
    };
    delivers_over_tls_with_auth(&sink, TlsMode::Starttls, "smtp-starttls").await;
}

#[tokio::test]
async fn implicit_tls_with_auth_delivers() {
    let flags = ["--implicit-tls", "--auth-required"];
    let Some(sink) = sink::own(&flags).await else {
        return;
    };
    delivers_over_tls_with_auth(&sink, TlsMode::Tls, "smtp-implicit").await;
}

#[tokio::test]
async fn a_certificate_nobody_vouches_for_is_refused() {
    let Some(sink) = sink::own(&["--implicit-tls"]).await else {
        return;
    };
    let mut c = config(&sink, TlsMode::Tls, PASSWORD);
    c.root_certificate_pem = None;
    let sender = SmtpSender::new(&c, FROM).unwrap();
    let to = support::recipient("smtp-untrusted");
    let err = support::send(&sender, &support::email(&to, "en", "s", "t\n", None))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
    assert!(!std::fs::exists(sink.maildir.join(to.as_str())).unwrap());
}

#[tokio::test]
async fn starttls_is_required_not_hoped_for() {
    // The shared sink offers no STARTTLS: the message must not go in the clear.
    let (addr, maildir) = sink::shared();
    let mut c = support::plain_config(&addr);
    c.tls = TlsMode::Starttls;
    let sender = SmtpSender::new(&c, FROM).unwrap();
    let to = support::recipient("smtp-nostarttls");
    let err = support::send(&sender, &support::email(&to, "en", "s", "t\n", None))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
    assert!(support::error_text(&err).contains("STARTTLS"), "{err:?}");
    assert!(!std::fs::exists(maildir.join(to.as_str())).unwrap());
}

#[tokio::test]
async fn a_wrong_password_makes_the_provider_unavailable_not_the_message_rejected() {
    let Some(sink) = sink::own(&["--implicit-tls", "--auth-required"]).await else {
        return;
    };
    let sender = SmtpSender::new(&config(&sink, TlsMode::Tls, "wrong"), FROM).unwrap();
    let to = support::recipient("smtp-badpw");
    let err = support::send(&sender, &support::email(&to, "en", "s", "t\n", None))
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
    let text = support::error_text(&err);
    assert!(text.contains("535") && !text.contains("wrong"), "{text}");
}
