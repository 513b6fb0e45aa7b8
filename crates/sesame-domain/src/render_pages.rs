//! The built-in English magic-link pages, used when no template adapter is
//! plugged in: self-contained HTML that runs under a `default-src 'none'`
//! Content-Security-Policy, styled and scripted only through the nonce.

use std::fmt::Write as _;

use crate::page::{ConfirmPage, ErrorPage, LinkProblem, RenderedPage};
use crate::ports::{PageRenderer, RenderError};

/// Renders plain English confirm and error pages.
#[derive(Debug, Clone, Copy, Default)]
pub struct PlainPages;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;\
padding:0 1rem;color:#1d1d1f}button{font-size:1rem;padding:.6rem 1.4rem;border:0;\
border-radius:.4rem;background:#1d4ed8;color:#fff;cursor:pointer}";

/// `s` with `&`, `<`, `>`, `"` and `'` escaped, for text and attributes.
#[must_use]
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
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

fn document(title: &str, nonce: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{}</title>\
         <style nonce=\"{}\">{STYLE}</style></head><body>{body}</body></html>",
        escape_html(title),
        escape_html(nonce),
    )
}

impl PageRenderer for PlainPages {
    fn confirm_page(&self, page: &ConfirmPage) -> Result<RenderedPage, RenderError> {
        let app = escape_html(&page.application_name);
        let mut body = format!(
            "<main><h1>Sign in to {app}</h1><p>Continue to finish signing in.</p>\
             <form id=\"confirm\" method=\"post\" action=\"{}\">",
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
        body.push_str("<button type=\"submit\">Continue</button></form></main>");
        if page.auto_submit {
            let _ = write!(
                body,
                "<script nonce=\"{}\">document.getElementById('confirm').submit();</script>",
                escape_html(&page.csp_nonce)
            );
        }
        Ok(RenderedPage {
            html: document(
                &format!("Sign in to {}", page.application_name),
                &page.csp_nonce,
                &body,
            ),
            language: "en".to_owned(),
        })
    }

    fn error_page(&self, page: &ErrorPage) -> Result<RenderedPage, RenderError> {
        let (title, text) = match page.problem {
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
        };
        let mut body = format!("<main><h1>{title}</h1><p>{text}</p>");
        if let Some(url) = &page.back_url {
            let app = page
                .application_name
                .as_deref()
                .unwrap_or("the application");
            let _ = write!(
                body,
                "<p><a href=\"{}\">Back to {}</a></p>",
                escape_html(url),
                escape_html(app)
            );
        }
        body.push_str("</main>");
        Ok(RenderedPage {
            html: document(title, &page.csp_nonce, &body),
            language: "en".to_owned(),
        })
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
        let html = PlainPages
            .error_page(&page)
            .map(|p| p.html)
            .unwrap_or_default();
        assert!(html.contains("This link has expired"));
        assert!(html.contains("href=\"https://acme.example/\""));
        let none = ErrorPage {
            back_url: None,
            ..page
        };
        let html = PlainPages
            .error_page(&none)
            .map(|p| p.html)
            .unwrap_or_default();
        assert!(!html.contains("href="));
    }
}
