//! Rendering the magic-link pages.

use super::RenderError;
use crate::page::{ConfirmPage, ErrorPage, RenderedPage};

/// Turns the magic-link pages into HTML in the right language.
///
/// Pages are served under a strict Content-Security-Policy
/// (`default-src 'none'`, styles and scripts only with the page's nonce), so
/// a renderer MUST NOT reference external assets and MUST put
/// `nonce="{csp_nonce}"` on every `<style>` and `<script>` element.
pub trait PageRenderer: Send + Sync {
    /// Renders the confirm page: the application's name, one "Continue"
    /// button in a form that POSTs `page.fields` to `page.action`, and, when
    /// `page.auto_submit` is set, a script that submits it.
    ///
    /// # Errors
    /// - MUST HTML-escape every value taken from `page`.
    /// - [`RenderError::Template`] when the template fails.
    fn confirm_page(&self, page: &ConfirmPage) -> Result<RenderedPage, RenderError>;

    /// Renders the error page: what went wrong and, when `page.back_url` is
    /// set, a link back to the application.
    ///
    /// # Errors
    /// - MUST HTML-escape every value taken from `page`.
    /// - [`RenderError::Template`] when the template fails.
    fn error_page(&self, page: &ErrorPage) -> Result<RenderedPage, RenderError>;
}
