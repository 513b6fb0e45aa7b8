//! Every built-in email, in every language, for both send modes.

use sesame_domain::challenge::SendMode;
use sesame_domain::message::{MessageMeta, Operation};
use sesame_domain::ports::{MessageRenderer, RenderError};
use sesame_templates::LiquidRenderer;

use crate::support::{self, APP, CODE, LINK, hrefs, unescape};

const SENDS: [SendMode; 2] = [SendMode::Code, SendMode::Link];
const OPERATIONS: [Operation; 2] = [Operation::Signup, Operation::Login];

#[test]
fn every_builtin_email_carries_the_code_and_the_link_in_both_parts() {
    let r = LiquidRenderer::builtin().unwrap();
    for locale in LiquidRenderer::BUILTIN_LOCALES {
        for send in SENDS {
            for operation in OPERATIONS {
                let mut ctx = support::email(send, Some(locale));
                ctx.operation = operation;
                let at = format!("{locale} {send:?} {operation:?}");
                let m = r.render_email(&ctx).unwrap();
                assert_eq!(m.locale, locale, "{at}");
                assert!(m.subject.contains(APP), "{at}: subject {:?}", m.subject);
                assert!(m.text.contains(CODE), "{at}: text lacks the code");
                assert!(m.text.contains(LINK), "{at}: text lacks the link");
                let html = m.html.as_deref().unwrap();
                assert!(html.contains(CODE), "{at}: html lacks the code");
                let links = hrefs(html);
                assert!(!links.is_empty(), "{at}: html has no link");
                for href in links {
                    assert_eq!(unescape(href), LINK, "{at}: href");
                }
                assert_eq!(m.meta, MessageMeta::of(&ctx), "{at}");
            }
        }
    }
}

#[test]
fn html_escapes_every_variable_and_loads_nothing_from_outside() {
    let r = LiquidRenderer::builtin().unwrap();
    for locale in LiquidRenderer::BUILTIN_LOCALES {
        for send in SENDS {
            let m = r.render_email(&support::email(send, Some(locale))).unwrap();
            let html = m.html.unwrap();
            assert!(!html.contains(APP), "{locale} {send:?}: raw app name");
            assert!(!html.contains(LINK), "{locale} {send:?}: raw link");
            assert!(html.contains("Tom &amp; Jerry&#39;s &lt;Shop&gt; &quot;Cheeses&quot;"));
            let rest = html.replace(&support::html_escape(LINK), "");
            for banned in ["://", "<img", "src=", "url(", "nsubscribe", "<script"] {
                assert!(!rest.contains(banned), "{locale} {send:?}: {banned}");
            }
        }
    }
}

#[test]
fn rendered_texts_leave_no_liquid_and_no_blank_runs_behind() {
    let r = LiquidRenderer::builtin().unwrap();
    for locale in LiquidRenderer::BUILTIN_LOCALES {
        for send in SENDS {
            let m = r.render_email(&support::email(send, Some(locale))).unwrap();
            let html = m.html.unwrap_or_default();
            for part in [m.subject.as_str(), m.text.as_str(), html.as_str()] {
                assert!(
                    !part.contains("{{") && !part.contains("{%"),
                    "{locale}: {part}"
                );
            }
            assert!(!m.text.contains("\n\n\n"), "{locale} {send:?}:\n{}", m.text);
            assert!(m.text.ends_with('\n') && !m.text.starts_with('\n'));
            assert!(!m.subject.contains('\n'));
        }
    }
}

#[test]
fn an_email_without_a_link_still_renders_without_one() {
    let r = LiquidRenderer::builtin().unwrap();
    for locale in LiquidRenderer::BUILTIN_LOCALES {
        for send in SENDS {
            let mut ctx = support::email(send, Some(locale));
            ctx.link = None;
            let m = r.render_email(&ctx).unwrap();
            let html = m.html.unwrap();
            assert!(
                m.text.contains(CODE) && html.contains(CODE),
                "{locale} {send:?}"
            );
            assert!(!html.contains("href"), "{locale} {send:?}");
            assert!(!m.text.contains("https://"), "{locale} {send:?}");
        }
    }
}

#[test]
fn signup_and_login_read_differently() {
    let r = LiquidRenderer::builtin().unwrap();
    let mut ctx = support::email(SendMode::Link, Some("en"));
    ctx.operation = Operation::Signup;
    let signup = r.render_email(&ctx).unwrap();
    ctx.operation = Operation::Login;
    let login = r.render_email(&ctx).unwrap();
    assert!(signup.subject.starts_with("Finish signing up for"));
    assert!(login.subject.contains("sign-in link"));
    assert!(signup.text.starts_with("Welcome to"));
}

#[test]
fn one_minute_is_singular() {
    let r = LiquidRenderer::builtin().unwrap();
    let mut ctx = support::email(SendMode::Code, Some("en"));
    ctx.expires_in_minutes = 1;
    let m = r.render_email(&ctx).unwrap();
    assert!(m.text.contains("expires in 1 minute."), "{}", m.text);
}

#[test]
fn each_language_is_actually_that_language() {
    let r = LiquidRenderer::builtin().unwrap();
    for (locale, word) in [
        ("en", "verification code"),
        ("de", "Bestätigungscode"),
        ("fr", "code de vérification"),
        ("es", "código de verificación"),
    ] {
        let m = r
            .render_email(&support::email(SendMode::Code, Some(locale)))
            .unwrap();
        assert!(m.subject.contains(word), "{locale}: {}", m.subject);
        assert!(
            m.html
                .unwrap()
                .contains(&format!("<html lang=\"{locale}\">"))
        );
    }
}

#[test]
fn an_email_for_a_phone_number_is_the_wrong_connection() {
    let r = LiquidRenderer::builtin().unwrap();
    let err = r.render_email(&support::sms(None)).unwrap_err();
    assert!(matches!(err, RenderError::WrongConnection), "{err:?}");
    let err = r
        .render_sms(&support::email(SendMode::Code, None))
        .unwrap_err();
    assert!(matches!(err, RenderError::WrongConnection), "{err:?}");
}
