//! [`HtmlPages`]: the domain's `PageRenderer` in every built-in language.
//!
//! The markup is the domain's `PlainPages` with the words translated and
//! `lang` set: the HTTP layer and the browser test rely on the form's id,
//! method and button. Pages run under `default-src 'none'`, so nothing is
//! loaded from outside and the one `<style>` (and `<script>`) carries the
//! response's nonce.

use std::fmt::Write as _;

use sesame_domain::page::{ConfirmPage, ErrorPage, RenderedPage};
use sesame_domain::ports::{PageRenderer, RenderError};

use crate::error::LoadError;
use crate::escape::html;
use crate::locale;
use crate::pages_text::{self, APP, PageText};

/// The same look as the domain's plain pages.
const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;\
padding:0 1rem;color:#1d1d1f}button{font-size:1rem;padding:.6rem 1.4rem;border:0;\
border-radius:.4rem;background:#1d4ed8;color:#fff;cursor:pointer}";

/// Renders the magic-link confirm and error pages in English, German,
/// French or Spanish.
///
/// The language is negotiated like the messages': the page's locale
/// (`fr-CA`), then its shorter forms (`fr`), then the default locale, then
/// English. The pages are built in and cannot be overridden.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HtmlPages {
    /// Normalized (lower-case) default locale.
    default_locale: String,
}

impl HtmlPages {
    /// The languages the pages are written in.
    pub const LOCALES: [&'static str; 4] = crate::builtin::LOCALES;

    /// Pages with `default_locale` (e.g. `"en"`) for requests that name no
    /// language the pages have. A default the pages lack (`"it"`) is
    /// accepted and falls back to English, as [`crate::LiquidRenderer::new`]
    /// does for the messages.
    ///
    /// # Errors
    /// [`LoadError::BadLocale`] when `default_locale` is not a language tag.
    pub fn new(default_locale: &str) -> Result<Self, LoadError> {
        let default_locale = locale::normalize(default_locale)
            .ok_or_else(|| LoadError::BadLocale(default_locale.to_owned()))?;
        Ok(Self { default_locale })
    }

    /// The texts for a page that asked for `requested`.
    fn text(&self, requested: Option<&str>) -> &'static PageText {
        locale::candidates(requested, &self.default_locale)
            .iter()
            .find_map(|key| pages_text::get(key))
            .unwrap_or(&pages_text::ENGLISH)
    }
}

impl Default for HtmlPages {
    /// English as the default locale.
    fn default() -> Self {
        Self {
            default_locale: locale::LAST_RESORT.to_owned(),
        }
    }
}

impl PageRenderer for HtmlPages {
    fn confirm_page(&self, page: &ConfirmPage) -> Result<RenderedPage, RenderError> {
        let t = self.text(page.locale.as_deref());
        let heading = t.sign_in_to.replace(APP, &html(&page.application_name));
        let mut body = format!(
            "<main><h1>{heading}</h1><p>{}</p>\
             <form id=\"confirm\" method=\"post\" action=\"{}\">",
            t.confirm_hint,
            html(&page.action)
        );
        for (name, value) in &page.fields {
            let _ = write!(
                body,
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                html(name),
                html(value)
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
                html(&page.csp_nonce)
            );
        }
        Ok(rendered(t, &heading, &page.csp_nonce, &body))
    }

    fn error_page(&self, page: &ErrorPage) -> Result<RenderedPage, RenderError> {
        let t = self.text(page.locale.as_deref());
        let problem = t.problem(page.problem);
        let mut body = format!("<main><h1>{}</h1><p>{}</p>", problem.title, problem.text);
        if let Some(url) = &page.back_url {
            let back = match &page.application_name {
                Some(app) => t.back_to.replace(APP, &html(app)),
                None => t.back_to_the_application.to_owned(),
            };
            let _ = write!(body, "<p><a href=\"{}\">{back}</a></p>", html(url));
        }
        body.push_str("</main>");
        Ok(rendered(t, problem.title, &page.csp_nonce, &body))
    }
}

/// The whole document in `t`'s language; `title` and `body` are HTML
/// already, `nonce` is raw.
fn rendered(t: &PageText, title: &str, nonce: &str, body: &str) -> RenderedPage {
    let language = locale::display(t.locale);
    let html = format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{title}</title>\
         <style nonce=\"{}\">{STYLE}</style></head><body>{body}</body></html>",
        html(&language),
        html(nonce),
    );
    RenderedPage { html, language }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negotiation_picks_french_for_canadian_french() {
        let pages = HtmlPages::new("de").unwrap();
        assert_eq!(pages.text(Some("fr-CA")).locale, "fr");
        assert_eq!(pages.text(Some("ES_mx")).locale, "es");
    }

    #[test]
    fn negotiation_falls_back_to_the_default_then_to_english() {
        let german = HtmlPages::new("de-AT").unwrap();
        assert_eq!(german.text(Some("pt-BR")).locale, "de");
        assert_eq!(german.text(None).locale, "de");
        assert_eq!(german.text(Some("<script>")).locale, "de");
        let italian = HtmlPages::new("it").unwrap();
        assert_eq!(italian.text(Some("pt")).locale, "en");
        assert_eq!(HtmlPages::default().text(None).locale, "en");
    }

    #[test]
    fn a_default_locale_that_is_not_a_tag_is_refused() {
        let err = HtmlPages::new("../fr").unwrap_err();
        assert!(
            matches!(err, LoadError::BadLocale(ref l) if l == "../fr"),
            "{err:?}"
        );
    }
}
