//! [`HtmlPages`]: the domain's `PageRenderer` in every built-in language:
//! one markup ([`crate::markup`]) and the words of the negotiated language
//! ([`crate::pages_text`]).

use sesame_domain::page::{ConfirmPage, ErrorPage, RenderedPage};
use sesame_domain::ports::{PageRenderer, RenderError};

use crate::error::LoadError;
use crate::locale;
use crate::markup::{confirm_html, error_html};
use crate::pages_text::{self, PageText};

/// Renders the magic-link confirm and error pages in English, German,
/// French or Spanish.
///
/// The language is negotiated like the messages': the page's locale
/// (`fr-CA`), then its shorter forms (`fr`), then the default locale, then
/// English. The pages are built in and cannot be overridden.
///
/// [`HtmlPages::default`] is the English renderer for embedders that want
/// no other language.
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
        Ok(confirm_html(page, t, &locale::display(t.locale)))
    }

    fn error_page(&self, page: &ErrorPage) -> RenderedPage {
        let t = self.text(page.locale.as_deref());
        error_html(page, t, &locale::display(t.locale))
    }
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
