//! English magic-link pages for these tests. The HTTP crate renders no page
//! of its own and adapters do not depend on each other, so the tests bring
//! a renderer: just the markup and words they read (the form and its
//! fields, the nonces, the headings, the way back).

use std::fmt::Write as _;

use sesame_domain::page::{ConfirmPage, ErrorPage, LinkProblem, RenderedPage};
use sesame_domain::ports::{PageRenderer, RenderError};

/// Renders both pages in English.
pub struct EnglishPages;

impl PageRenderer for EnglishPages {
    fn confirm_page(&self, page: &ConfirmPage) -> Result<RenderedPage, RenderError> {
        let nonce = escape(&page.csp_nonce);
        let mut body = format!(
            "<h1>Sign in to {}</h1><form id=\"confirm\" method=\"post\" action=\"{}\">",
            escape(&page.application_name),
            escape(&page.action)
        );
        for (name, value) in &page.fields {
            let _ = write!(
                body,
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(name),
                escape(value)
            );
        }
        body.push_str("<button type=\"submit\">Continue</button></form>");
        if page.auto_submit {
            let _ = write!(
                body,
                "<script nonce=\"{nonce}\">document.getElementById('confirm').submit();</script>"
            );
        }
        Ok(document(&nonce, &body))
    }

    fn error_page(&self, page: &ErrorPage) -> RenderedPage {
        let mut body = format!("<h1>{}</h1>", title(page.problem));
        if let Some(url) = &page.back_url {
            let app = page
                .application_name
                .as_deref()
                .unwrap_or("the application");
            let _ = write!(
                body,
                "<a href=\"{}\">Back to {}</a>",
                escape(url),
                escape(app)
            );
        }
        document(&escape(&page.csp_nonce), &body)
    }
}

/// The page around `body`, styled through `nonce`.
fn document(nonce: &str, body: &str) -> RenderedPage {
    RenderedPage {
        html: format!(
            "<!doctype html><html lang=\"en\"><style nonce=\"{nonce}\"></style>{body}</html>"
        ),
        language: "en".to_owned(),
    }
}

/// The error page's heading for `problem`.
const fn title(problem: LinkProblem) -> &'static str {
    match problem {
        LinkProblem::Invalid => "This link is not valid",
        LinkProblem::Expired => "This link has expired",
        LinkProblem::Used => "This link was already used",
        LinkProblem::RedirectMismatch => "This link cannot be completed",
        LinkProblem::NotAllowed => "Sign-in links are not enabled",
        LinkProblem::AccessDenied => "You cannot sign in",
        LinkProblem::Unavailable => "Something went wrong",
        LinkProblem::Unconfirmed => "Open the link again",
    }
}

/// `s` with the HTML specials escaped.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}
