//! Real messages through the shared plain sink, parsed back from disk.
#![expect(clippy::unwrap_used, reason = "test helpers fail loudly")]

use mail_parser::MimeHeaders as _;
use sesame_domain::ports::MessageRenderer as _;
use sesame_testkit::BareRenderer;

use crate::sink::{self, wait_for_mail};
use crate::support::{self, CODE, LINK, parse, raw_header};

fn html_for(link: &str, intro: &str) -> String {
    let href = link.replace('&', "&amp;");
    format!(
        "<!DOCTYPE html>\n<html><body><p>{intro}</p><p style=\"font-size:28px\">{CODE}</p>\
         <p><a href=\"{href}\">{href}</a></p></body></html>\n"
    )
}

/// Sends a two-part message in `locale`, then checks every part and header.
async fn round_trip(test: &str, locale: &str, subject: &str, intro: &str) {
    let (addr, maildir) = sink::shared();
    let to = support::recipient(test);
    let text = format!("{intro}\n\n    {CODE}\n\n{LINK}\n");
    let html = html_for(LINK, intro);
    let message = support::email(&to, locale, subject, &text, Some(&html));
    let sender = support::sender(&support::plain_config(&addr));
    let receipt = support::send(&sender, &message).await.unwrap();
    let stored = wait_for_mail(&maildir, to.as_str(), 1).await;

    let raw = String::from_utf8(stored.raw.clone()).unwrap();
    let id = receipt.provider_message_id.unwrap();
    assert_eq!(raw_header(&raw, "Message-ID"), Some(&*format!("<{id}>")));
    assert!(id.ends_with("@sesame.example.test"), "{id}");
    assert_eq!(raw_header(&raw, "Content-Language"), Some(locale));
    assert_eq!(raw_header(&raw, "Auto-Submitted"), Some("auto-generated"));
    assert_eq!(raw_header(&raw, "List-Unsubscribe"), None);
    assert!(!raw.contains("List-Unsubscribe"));

    let mail = parse(&stored.raw);
    assert!(mail.date().is_some(), "Date header");
    assert_eq!(mail.subject(), Some(subject));
    assert_eq!(mail.message_id(), Some(&*id));
    let from = mail
        .from()
        .and_then(|a| a.first())
        .and_then(|a| a.address());
    assert_eq!(from, Some("no-reply@sesame.example.test"));
    let root = mail.root_part().content_type().unwrap();
    assert_eq!(
        (root.ctype(), root.subtype()),
        ("multipart", Some("alternative"))
    );

    let text_part = mail.text_part(0).unwrap();
    let ct = text_part.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("plain")));
    assert_eq!(
        ct.attribute("charset")
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("utf-8")
    );
    let got_text = text_part.text_contents().unwrap().replace("\r\n", "\n");
    assert_eq!(got_text, text);
    assert!(got_text.contains(CODE) && got_text.contains(LINK));

    let html_part = mail.html_part(0).unwrap();
    let ct = html_part.content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("html")));
    let got_html = html_part.text_contents().unwrap().replace("\r\n", "\n");
    assert_eq!(got_html, html);
    let href = got_html
        .split("href=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert_eq!(href.replace("&amp;", "&"), LINK);

    assert_eq!(stored.envelope["mail_from"], "no-reply@sesame.example.test");
    assert_eq!(stored.envelope["rcpt_tos"][0], to.as_str());
}

#[tokio::test]
async fn an_english_email_arrives_with_both_parts_and_its_headers() {
    round_trip(
        "smtp-en",
        "en",
        "739201 is your Sesame Test code",
        "Your verification code is:",
    )
    .await;
}

#[tokio::test]
async fn a_german_email_arrives_intact_in_utf8() {
    round_trip(
        "smtp-de",
        "de",
        "739201 ist Ihr Bestätigungscode für Sesame Test – grüße",
        "Ihr Bestätigungscode lautet (gültig für 5 Minuten):",
    )
    .await;
}

#[tokio::test]
async fn a_text_only_email_is_one_plain_part() {
    let (addr, maildir) = sink::shared();
    let to = support::recipient("smtp-plain");
    let message = BareRenderer
        .render_email(&support::context(&to, "en"))
        .unwrap();
    let sender = support::sender(&support::plain_config(&addr));
    support::send(&sender, &message).await.unwrap();
    let stored = wait_for_mail(&maildir, to.as_str(), 1).await;
    let mail = parse(&stored.raw);
    let ct = mail.root_part().content_type().unwrap();
    assert_eq!((ct.ctype(), ct.subtype()), ("text", Some("plain")));
    let text = mail.body_text(0).unwrap().replace("\r\n", "\n");
    // A single part runs to the end of DATA, where lettre adds a line break.
    assert_eq!(text.trim_end(), message.text.trim_end());
    assert!(text.contains(CODE) && text.contains(LINK));
    assert_eq!(mail.subject(), Some(message.subject.as_str()));
}

#[tokio::test]
async fn consecutive_sends_reuse_one_pooled_connection() {
    let (addr, maildir) = sink::shared();
    let to = support::recipient("smtp-pool");
    let sender = support::sender(&support::plain_config(&addr));
    let mut peers = Vec::new();
    for n in 1..=3 {
        let message = support::email(&to, "en", &format!("message {n}"), "text\n", None);
        support::send(&sender, &message).await.unwrap();
        let stored = wait_for_mail(&maildir, to.as_str(), n).await;
        assert_eq!(parse(&stored.raw).subject(), Some(&*format!("message {n}")));
        peers.push(stored.envelope["peer"].as_str().unwrap().to_owned());
        // lettre returns a connection to the pool from a spawned task: let
        // it run, or the next send rightly opens a second connection.
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(peers.iter().all(|p| *p == peers[0]), "{peers:?}");
}

#[test]
fn a_used_sender_can_be_dropped_after_its_runtime_is_gone() {
    let (addr, maildir) = sink::shared();
    let to = support::recipient("smtp-drop");
    let sender = support::sender(&support::plain_config(&addr));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let message = support::email(&to, "en", "bye", "text\n", None);
        support::send(&sender, &message).await.unwrap();
        wait_for_mail(&maildir, to.as_str(), 1).await;
    });
    drop(runtime);
    drop(sender);
}
