//! The magic-link pages: language, escaping, and what a strict CSP allows.

use sesame_domain::page::{ConfirmPage, ErrorPage, LinkProblem};
use sesame_domain::ports::PageRenderer;
use sesame_templates::{HtmlPages, LoadError};

use crate::support::{APP, html_escape};

const PROBLEMS: [LinkProblem; 8] = [
    LinkProblem::Invalid,
    LinkProblem::Expired,
    LinkProblem::Used,
    LinkProblem::RedirectMismatch,
    LinkProblem::NotAllowed,
    LinkProblem::AccessDenied,
    LinkProblem::Unavailable,
    LinkProblem::Unconfirmed,
];
const NONCE: &str = "n0nce+/=";
const ACTION: &str = "/passwordless/verify_redirect?a=1&b=\"2\"";
const BACK: &str = "https://app.example.test/cb?x=1&y=<2>";

fn confirm(locale: Option<&str>, auto_submit: bool) -> ConfirmPage {
    ConfirmPage {
        application_name: APP.to_owned(),
        action: ACTION.to_owned(),
        fields: vec![
            ("verification_code".to_owned(), "Zm9v_YmFy-OQ".to_owned()),
            ("email".to_owned(), "ann\"><script>@example.test".to_owned()),
            ("state".to_owned(), "a'b&c".to_owned()),
        ],
        auto_submit,
        csp_nonce: NONCE.to_owned(),
        locale: locale.map(str::to_owned),
    }
}

fn error(problem: LinkProblem, locale: Option<&str>, back: bool) -> ErrorPage {
    ErrorPage {
        problem,
        application_name: Some(APP.to_owned()),
        back_url: back.then(|| BACK.to_owned()),
        csp_nonce: NONCE.to_owned(),
        locale: locale.map(str::to_owned),
    }
}

/// Every page the renderer can make for `locale`.
#[expect(clippy::unwrap_used, reason = "test fixtures fail loudly")]
fn every_page(pages: &HtmlPages, locale: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    for auto in [false, true] {
        out.push(pages.confirm_page(&confirm(locale, auto)).unwrap().html);
    }
    for problem in PROBLEMS {
        for back in [false, true] {
            let page = error(problem, locale, back);
            out.push(pages.error_page(&page).html);
        }
    }
    out
}

/// The `<h1>` and the first `<p>` of an error page.
#[expect(clippy::unwrap_used, reason = "test fixtures fail loudly")]
fn heading_and_text(html: &str) -> (String, String) {
    let between = |open: &str, close: &str| {
        let start = html.find(open).unwrap() + open.len();
        html[start..][..html[start..].find(close).unwrap()].to_owned()
    };
    (between("<h1>", "</h1>"), between("<p>", "</p>"))
}

/// What the English error page says about each problem.
const ENGLISH_PROBLEMS: [(LinkProblem, &str, &str); 8] = [
    (
        LinkProblem::Invalid,
        "This link is not valid",
        "It may be incomplete, or a newer link was sent. Request a new one.",
    ),
    (
        LinkProblem::Expired,
        "This link has expired",
        "Request a new link to sign in.",
    ),
    (
        LinkProblem::Used,
        "This link was already used",
        "Each link works once. Request a new one to sign in again.",
    ),
    (
        LinkProblem::RedirectMismatch,
        "This link cannot be completed",
        "The application's return address is not registered.",
    ),
    (
        LinkProblem::NotAllowed,
        "Sign-in links are not enabled",
        "This application does not accept sign-in links.",
    ),
    (
        LinkProblem::AccessDenied,
        "You cannot sign in",
        "This account may not sign in to this application.",
    ),
    (
        LinkProblem::Unavailable,
        "Something went wrong",
        "We could not complete your sign-in. Please try again in a moment.",
    ),
    (
        LinkProblem::Unconfirmed,
        "Open the link again",
        "This page was not opened in this browser, or it was open too long. Open the link from your email again: it still works.",
    ),
];

#[test]
fn english_pages_say_the_english_words() {
    let pages = HtmlPages::default();
    let app = html_escape(APP);
    for auto in [false, true] {
        let page = pages.confirm_page(&confirm(Some("en-US"), auto)).unwrap();
        assert_eq!(page.language, "en");
        let heading = format!("Sign in to {app}");
        assert!(page.html.contains("<html lang=\"en\">"));
        assert!(page.html.contains(&format!("<title>{heading}</title>")));
        assert!(page.html.contains(&format!(
            "<h1>{heading}</h1><p>Continue to finish signing in.</p>"
        )));
        assert!(
            page.html
                .contains("<button type=\"submit\">Continue</button>")
        );
    }
    for (problem, title, text) in ENGLISH_PROBLEMS {
        for back in [false, true] {
            let mut page = error(problem, None, back);
            let named = pages.error_page(&page);
            assert_eq!(named.language, "en");
            assert!(named.html.contains(&format!("<title>{title}</title>")));
            assert!(
                named
                    .html
                    .contains(&format!("<h1>{title}</h1><p>{text}</p>")),
                "{}",
                named.html
            );
            assert_eq!(named.html.contains(&format!("Back to {app}</a>")), back);
            page.application_name = None;
            let unnamed = pages.error_page(&page).html;
            assert!(unnamed.contains(&format!("<h1>{title}</h1><p>{text}</p>")));
            assert_eq!(unnamed.contains("Back to the application</a>"), back);
        }
    }
}

#[test]
fn the_page_language_is_the_negotiated_one() {
    let pages = HtmlPages::new("es").unwrap();
    for (requested, expected) in [
        (Some("fr-CA"), "fr"),
        (Some("de"), "de"),
        (Some("EN_gb"), "en"),
        (Some("pt-BR"), "es"),
        (Some("\"><x"), "es"),
        (None, "es"),
    ] {
        let c = pages.confirm_page(&confirm(requested, false)).unwrap();
        let e = pages.error_page(&error(LinkProblem::Expired, requested, true));
        for page in [c, e] {
            assert_eq!(page.language, expected, "{requested:?}");
            let lang = format!("<html lang=\"{expected}\">");
            assert!(page.html.contains(&lang), "{requested:?}");
        }
    }
}

#[test]
fn french_pages_are_in_french() {
    let pages = HtmlPages::default();
    let c = pages.confirm_page(&confirm(Some("fr-CA"), false)).unwrap();
    assert!(
        c.html
            .contains("<button type=\"submit\">Continuer</button>")
    );
    assert!(
        c.html
            .contains(&format!("Connexion à {}", html_escape(APP)))
    );
    let e = pages.error_page(&error(LinkProblem::Expired, Some("fr"), true));
    assert!(e.html.contains("<h1>Ce lien a expiré</h1>"));
    assert!(
        e.html
            .contains(&format!("Retour à {}</a>", html_escape(APP)))
    );
}

#[test]
fn every_locale_explains_every_problem_in_its_own_words() {
    let pages = HtmlPages::default();
    for problem in PROBLEMS {
        let en = pages.error_page(&error(problem, Some("en"), false));
        let (en_title, en_text) = heading_and_text(&en.html);
        for locale in HtmlPages::LOCALES {
            let at = format!("{locale} {}", problem.as_str());
            let page = pages.error_page(&error(problem, Some(locale), false));
            assert_eq!(page.language, locale, "{at}");
            let (title, text) = heading_and_text(&page.html);
            assert!(!title.trim().is_empty(), "{at}: no title");
            assert!(!text.trim().is_empty(), "{at}: no text");
            assert!(
                page.html.contains(&format!("<title>{title}</title>")),
                "{at}"
            );
            if locale != "en" {
                assert_ne!(title, en_title, "{at}: English title");
                assert_ne!(text, en_text, "{at}: English text");
            }
        }
    }
}

#[test]
fn the_confirm_page_escapes_the_name_the_action_and_every_field() {
    let pages = HtmlPages::default();
    for locale in HtmlPages::LOCALES {
        let html = pages
            .confirm_page(&confirm(Some(locale), true))
            .unwrap()
            .html;
        assert!(!html.contains(APP), "{locale}: raw app name");
        assert!(html.contains(&html_escape(APP)), "{locale}");
        let form = format!(
            "<form id=\"confirm\" method=\"post\" action=\"{}\">",
            html_escape(ACTION)
        );
        assert!(html.contains(&form), "{locale}: {html}");
        let inputs = "<input type=\"hidden\" name=\"verification_code\" value=\"Zm9v_YmFy-OQ\">\
            <input type=\"hidden\" name=\"email\" value=\"ann&quot;&gt;&lt;script&gt;@example.test\">\
            <input type=\"hidden\" name=\"state\" value=\"a&#39;b&amp;c\"><button type=\"submit\">";
        assert!(html.contains(inputs), "{locale}: {html}");
        assert_eq!(html.matches("<script").count(), 1, "{locale}");
    }
}

#[test]
fn the_error_page_escapes_the_back_link_and_shows_it_only_when_set() {
    let pages = HtmlPages::default();
    for locale in HtmlPages::LOCALES {
        let with = pages
            .error_page(&error(LinkProblem::Used, Some(locale), true))
            .html;
        let link = format!("<a href=\"{}\">", html_escape(BACK));
        assert!(with.contains(&link), "{locale}: {with}");
        assert!(!with.contains(APP) && !with.contains(BACK), "{locale}: raw");
        assert!(
            with.contains(&format!("{}</a>", html_escape(APP))),
            "{locale}"
        );
        let without = pages
            .error_page(&error(LinkProblem::Used, Some(locale), false))
            .html;
        assert!(!without.contains("<a "), "{locale}: {without}");
        assert!(!without.contains("href="), "{locale}");
    }
}

#[test]
fn a_back_link_without_an_app_name_says_the_application() {
    let pages = HtmlPages::default();
    for (locale, back) in [
        ("en", "Back to the application"),
        ("de", "Zurück zur Anwendung"),
        ("fr", "Retour à l'application"),
        ("es", "Volver a la aplicación"),
    ] {
        let mut page = error(LinkProblem::Invalid, Some(locale), true);
        page.application_name = None;
        let html = pages.error_page(&page).html;
        assert!(html.contains(&format!("{back}</a>")), "{locale}: {html}");
    }
}

#[test]
fn every_style_and_script_carries_the_nonce_and_nothing_loads_from_outside() {
    let pages = HtmlPages::default();
    let nonce = format!(" nonce=\"{}\">", html_escape(NONCE));
    for locale in HtmlPages::LOCALES {
        for html in every_page(&pages, Some(locale)) {
            for tag in ["<style", "<script"] {
                let tagged = format!("{tag}{nonce}");
                assert_eq!(html.matches(tag).count(), html.matches(&tagged).count());
            }
            assert_eq!(html.matches("<style").count(), 1, "{locale}");
            assert!(html.contains("<meta name=\"referrer\" content=\"no-referrer\">"));
            let rest = html.replace(&format!("href=\"{}\"", html_escape(BACK)), "");
            for banned in [
                "src=", "href=", "<link", "<img", "<iframe", "url(", "@import", "://",
            ] {
                assert!(!rest.contains(banned), "{locale}: {banned} in {html}");
            }
        }
    }
}

#[test]
fn the_script_is_there_only_when_auto_submit_is_asked_for() {
    let pages = HtmlPages::default();
    let script = format!(
        "<script nonce=\"{}\">document.getElementById('confirm').submit();</script>",
        html_escape(NONCE)
    );
    for locale in HtmlPages::LOCALES {
        let off = pages.confirm_page(&confirm(Some(locale), false)).unwrap();
        assert!(!off.html.contains("<script"), "{locale}");
        let on = pages.confirm_page(&confirm(Some(locale), true)).unwrap();
        assert!(on.html.contains(&script), "{locale}");
        for problem in PROBLEMS {
            let page = pages.error_page(&error(problem, Some(locale), true));
            assert!(!page.html.contains("<script"), "{locale}");
        }
    }
}

#[test]
fn the_default_locale_is_read_like_the_messages_one() {
    assert_eq!(
        HtmlPages::new("pt_BR").unwrap(),
        HtmlPages::new("pt-br").unwrap()
    );
    assert!(matches!(
        HtmlPages::new("e n"),
        Err(LoadError::BadLocale(_))
    ));
}
