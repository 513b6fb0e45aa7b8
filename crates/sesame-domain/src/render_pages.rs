//! The magic-link pages' markup, and the built-in English [`PlainPages`]
//! used when no template adapter is plugged in.
//!
//! The markup lives here once, parameterised by [`PageWords`], so every
//! renderer produces what the HTTP layer and browsers rely on (the form's
//! id, method and button) and what the CSP allows: self-contained HTML,
//! styled and scripted only through the response's nonce.

use std::fmt::Write as _;

use crate::page::{ConfirmPage, ErrorPage, LinkProblem, RenderedPage};
use crate::ports::{PageRenderer, RenderError};

/// Renders plain English confirm and error pages.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainPages;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;\
padding:0 1rem;color:#1d1d1f}button{font-size:1rem;padding:.6rem 1.4rem;border:0;\
border-radius:.4rem;background:#1d4ed8;color:#fff;cursor:pointer}";

/// Where the escaped application name goes in [`PageWords::sign_in_to`] and
/// [`PageWords::back_to`].
pub const APP: &str = "{app}";

/// What both pages say in one language, apart from the error texts.
///
/// Every string is trusted HTML text: it goes into the page unescaped, so it
/// must not contain `<`, `>`, `&` or `"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageWords<'a> {
    /// The BCP 47 tag for `<html lang>` and [`RenderedPage::language`].
    pub language: &'a str,
    /// The confirm page's heading and title, with [`APP`].
    pub sign_in_to: &'a str,
    /// The sentence under the confirm page's heading.
    pub confirm_hint: &'a str,
    /// The confirm button.
    pub continue_button: &'a str,
    /// The error page's link back, with [`APP`].
    pub back_to: &'a str,
    /// The link back when the application's name is unknown.
    pub back_to_the_application: &'a str,
}

/// [`PlainPages`]' words.
pub const ENGLISH: PageWords<'static> = PageWords {
    language: "en",
    sign_in_to: "Sign in to {app}",
    confirm_hint: "Continue to finish signing in.",
    continue_button: "Continue",
    back_to: "Back to {app}",
    back_to_the_application: "Back to the application",
};

/// `s` with `&`, `<`, `>`, `"` and `'` escaped, for text and attributes.
#[must_use]
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

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

/// The confirm page in `words`: the heading, one "Continue" button in a
/// form that POSTs `page.fields` to `page.action`, and with
/// `page.auto_submit` the script that submits it. Every value from `page` is
/// escaped.
#[must_use]
pub fn confirm_html(page: &ConfirmPage, words: &PageWords<'_>) -> RenderedPage {
    let heading = words
        .sign_in_to
        .replace(APP, &escape_html(&page.application_name));
    let mut body = format!(
        "<main><h1>{heading}</h1><p>{}</p>\
         <form id=\"confirm\" method=\"post\" action=\"{}\">",
        words.confirm_hint,
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
        words.continue_button
    );
    if page.auto_submit {
        let _ = write!(
            body,
            "<script nonce=\"{}\">document.getElementById('confirm').submit();</script>",
            escape_html(&page.csp_nonce)
        );
    }
    document(words.language, &heading, &page.csp_nonce, &body)
}

/// The error page in `words`, saying `title` and `text` (trusted HTML text,
/// like the words) and linking back when `page.back_url` is set. Every
/// value from `page` is escaped.
#[must_use]
pub fn error_html(
    page: &ErrorPage,
    words: &PageWords<'_>,
    title: &str,
    text: &str,
) -> RenderedPage {
    let mut body = format!("<main><h1>{title}</h1><p>{text}</p>");
    if let Some(url) = &page.back_url {
        let back = match &page.application_name {
            Some(app) => words.back_to.replace(APP, &escape_html(app)),
            None => words.back_to_the_application.to_owned(),
        };
        let _ = write!(body, "<p><a href=\"{}\">{back}</a></p>", escape_html(url));
    }
    body.push_str("</main>");
    document(words.language, title, &page.csp_nonce, &body)
}

/// What the English error page says about `problem`: its title and text.
#[must_use]
pub const fn english_problem(problem: LinkProblem) -> (&'static str, &'static str) {
    match problem {
        LinkProblem::Invalid => (
            "This link is not valid",
            "It may be incomplete, or a newer link was sent. Request a new one.",
        ),
        LinkProblem::Expired => ("This link has expired", "Request a new link to sign in."),
        LinkProblem::Used => (
            "This link was already used",
            "Each link works once. Request a new one to sign in again.",
        ),
        LinkProblem::RedirectMismatch => (
            "This link cannot be completed",
            "The application's return address is not registered.",
        ),
        LinkProblem::NotAllowed => (
            "Sign-in links are not enabled",
            "This application does not accept sign-in links.",
        ),
        LinkProblem::AccessDenied => (
            "You cannot sign in",
            "This account may not sign in to this application.",
        ),
        LinkProblem::Unavailable => (
            "Something went wrong",
            "We could not complete your sign-in. Please try again in a moment.",
        ),
    }
}

impl PageRenderer for PlainPages {
    fn confirm_page(&self, page: &ConfirmPage) -> Result<RenderedPage, RenderError> {
        Ok(confirm_html(page, &ENGLISH))
    }

    fn error_page(&self, page: &ErrorPage) -> RenderedPage {
        let (title, text) = english_problem(page.problem);
        error_html(page, &ENGLISH, title, text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let html = PlainPages
            .confirm_page(&page)
            .map(|p| p.html)
            .unwrap_or_default();
        assert!(html.contains("&lt;b&gt;App&lt;/b&gt;"));
        assert!(html.contains("value=\"a&quot;@b.example\""));
        assert!(html.contains("<style nonce=\"n0nce\">"));
        assert!(!html.contains("<script"));
        page.auto_submit = true;
        let html = PlainPages
            .confirm_page(&page)
            .map(|p| p.html)
            .unwrap_or_default();
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
        let html = PlainPages.error_page(&page).html;
        assert!(html.contains("This link has expired"));
        assert!(html.contains("href=\"https://acme.example/\""));
        let none = ErrorPage {
            back_url: None,
            ..page
        };
        let html = PlainPages.error_page(&none).html;
        assert!(!html.contains("href="));
    }
}
