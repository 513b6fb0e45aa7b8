//! Dead, silent and refusing servers: the sender answers in time, with the
//! right error, and says nothing about the recipient or the code.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use std::time::Duration;

use sesame_delivery_smtp::SmtpSender;
use sesame_domain::ports::DeliveryError;
use tokio::net::TcpListener;

use crate::fake::{self, Script};
use crate::support::{self, CODE, FROM, LINK};

fn message(
    test: &str,
) -> (
    sesame_domain::recipient::EmailAddress,
    sesame_domain::message::EmailMessage,
) {
    let to = support::recipient(test);
    let text = format!("{CODE} {LINK}\n");
    let m = support::email(&to, "en", CODE, &text, None);
    (to, m)
}

fn sender_for(port: u16, timeout_secs: u64) -> SmtpSender {
    let mut c = support::plain_config(&format!("127.0.0.1:{port}"));
    c.timeout_secs = timeout_secs;
    SmtpSender::new(&c, FROM).unwrap()
}

#[tokio::test]
async fn a_closed_port_is_unavailable() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
        l.local_addr().unwrap().port()
    };
    let (_, m) = message("smtp-closed");
    let err = support::send(&sender_for(port, 1), &m).await.unwrap_err();
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
}

#[tokio::test]
async fn a_server_that_accepts_but_never_speaks_is_unavailable_within_the_timeout() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let (_, m) = message("smtp-silent");
    let sender = sender_for(port, 1);
    let err = tokio::time::timeout(
        Duration::from_secs(10),
        sesame_domain::ports::EmailSender::send_email(&sender, &m),
    )
    .await
    .expect("the send outlived its 1 s timeout by far")
    .unwrap_err();
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
    holder.abort();
}

#[tokio::test]
async fn a_permanent_refusal_is_rejected_without_the_recipient_or_code() {
    let server = fake::start(Script {
        rcpt: "550 5.1.1 <{rcpt}>: recipient unknown",
        stall_first_data: false,
    })
    .await;
    let (to, m) = message("smtp-550");
    let err = support::send(&sender_for(server.port, 2), &m)
        .await
        .unwrap_err();
    let DeliveryError::Rejected(text) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(text, "SMTP 550");
    let all = support::error_text(&err);
    assert!(!all.contains(to.as_str()) && !all.contains(CODE), "{all}");
}

#[tokio::test]
async fn a_transient_refusal_is_unavailable_without_the_recipient() {
    let server = fake::start(Script {
        rcpt: "451 4.7.1 <{rcpt}>: greylisted, try again later",
        stall_first_data: false,
    })
    .await;
    let (to, m) = message("smtp-451");
    let err = support::send(&sender_for(server.port, 2), &m)
        .await
        .unwrap_err();
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
    let all = support::error_text(&err);
    assert!(all.contains("451") && !all.contains(to.as_str()), "{all}");
}

#[tokio::test]
async fn after_a_timeout_the_next_message_goes_over_a_fresh_connection() {
    let server = fake::start(Script {
        rcpt: "250 2.1.5 ok",
        stall_first_data: true,
    })
    .await;
    let sender = sender_for(server.port, 1);
    let (_, first) = message("smtp-stall-1");
    let err = support::send(&sender, &first).await.unwrap_err();
    assert!(matches!(err, DeliveryError::Unavailable(_)), "{err:?}");
    // Give lettre's spawned recycling of the abandoned connection time to
    // run, so that reusing it would be possible.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (_, second) = message("smtp-stall-2");
    support::send(&sender, &second).await.unwrap();
    assert_eq!(*server.delivered_on.lock().unwrap(), [1]);
}
