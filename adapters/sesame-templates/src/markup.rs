//! The magic-link pages' markup, once for every language.
//!
//! The HTTP layer and browsers rely on it (the form's id, method and
//! button), and it runs under the CSP the HTTP layer sets: self-contained
//! HTML, styled and scripted only through the response's nonce.

use std::fmt::Write as _;

use sesame_domain::page::{ConfirmPage, ErrorPage, RenderedPage};

use crate::escape::html as escape_html;
use crate::pages_text::PageText;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;\
padding:0 1rem;color:#1d1d1f}button{font-size:1rem;padding:.6rem 1.4rem;border:0;\
border-radius:.4rem;background:#1d4ed8;color:#fff;cursor:pointer}";

/// Where the escaped application name goes in [`PageText::sign_in_to`] and
/// [`PageText::back_to`].
pub(crate) const APP: &str = "{app}";

/// The whole document; `title` and `body` are HTML already.
fn document(language: &str, title: &str, nonce: &str, body: &str) -> RenderedPage {
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{title}</title>\
         <style nonce=\"{}\">{STYLE}</style></head><body>{body}</body></html>",
        escape_html(language),
        escape_html(nonce),
    );
    RenderedPage {
        html,
        language: language.to_owned(),
    }
}

/// The confirm page in `t`'s words, tagged `language`: the heading, one
/// button in a form that POSTs `page.fields` to `page.action`, and with
/// `page.auto_submit` the script that submits it. Every value from `page` is
/// escaped; `t`'s texts are trusted HTML text.
pub(crate) fn confirm_html(page: &ConfirmPage, t: &PageText, language: &str) -> RenderedPage {
    let heading = t
        .sign_in_to
        .replace(APP, &escape_html(&page.application_name));
    let mut body = format!(
        "<main><h1>{heading}</h1><p>{}</p>\
         <form id=\"confirm\" method=\"post\" action=\"{}\">",
        t.confirm_hint,
        escape_html(&page.action)
    );
    for (name, value) in &page.fields {
        let _ = write!(
            body,
            "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
            escape_html(name),
            escape_html(value)
        );
    }
    let _ = write!(
        body,
        "<button type=\"submit\">{}</button></form></main>",
        t.continue_button
    );
    if page.auto_submit {
        let _ = write!(
            body,
            "<script nonce=\"{}\">document.getElementById('confirm').submit();</script>",
            escape_html(&page.csp_nonce)
        );
    }
    document(language, &heading, &page.csp_nonce, &body)
}

/// The error page in `t`'s words, tagged `language`: what `t` says about
/// `page.problem`, and a link back when `page.back_url` is set. Every value
/// from `page` is escaped.
pub(crate) fn error_html(page: &ErrorPage, t: &PageText, language: &str) -> RenderedPage {
    let problem = t.problem(page.problem);
    let mut body = format!("<main><h1>{}</h1><p>{}</p>", problem.title, problem.text);
    if let Some(url) = &page.back_url {
        let back = match &page.application_name {
            Some(app) => t.back_to.replace(APP, &escape_html(app)),
            None => t.back_to_the_application.to_owned(),
        };
        let _ = write!(body, "<p><a href=\"{}\">{back}</a></p>", escape_html(url));
    }
    body.push_str("</main>");
    document(language, problem.title, &page.csp_nonce, &body)
}

#[cfg(test)]
mod tests {
    use sesame_domain::page::LinkProblem;

    use super::*;
    use crate::pages_text::ENGLISH;

    #[test]
    fn the_confirm_page_escapes_its_values_and_scripts_only_when_asked() {
        let mut page = ConfirmPage {
            application_name: "<b>App</b>".to_owned(),
            action: "/passwordless/verify_redirect".to_owned(),
            fields: vec![("email".to_owned(), "a\"@b.example".to_owned())],
            auto_submit: false,
            csp_nonce: "n0nce".to_owned(),
            locale: None,
        };
        let html = confirm_html(&page, &ENGLISH, "en").html;
        assert!(html.contains("&lt;b&gt;App&lt;/b&gt;"));
        assert!(html.contains("value=\"a&quot;@b.example\""));
        assert!(html.contains("<style nonce=\"n0nce\">"));
        assert!(!html.contains("<script"));
        page.auto_submit = true;
        let html = confirm_html(&page, &ENGLISH, "en").html;
        assert!(html.contains("<script nonce=\"n0nce\">"));
    }

    #[test]
    fn the_error_page_links_back_only_when_there_is_somewhere_safe() {
        let page = ErrorPage {
            problem: LinkProblem::Expired,
            application_name: Some("Acme".to_owned()),
            back_url: Some("https://acme.example/".to_owned()),
            csp_nonce: "n".to_owned(),
            locale: None,
        };
        let html = error_html(&page, &ENGLISH, "en").html;
        assert!(html.contains("This link has expired"));
        assert!(html.contains("href=\"https://acme.example/\""));
        let none = ErrorPage {
            back_url: None,
            ..page
        };
        let html = error_html(&none, &ENGLISH, "en").html;
        assert!(!html.contains("href="));
    }
}
