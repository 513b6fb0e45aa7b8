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
    /// - [`RenderError::Template`] when the template fails; the user then
    ///   sees the error page for
    ///   [`LinkProblem::Unavailable`](crate::page::LinkProblem::Unavailable).
    fn confirm_page(&self, page: &ConfirmPage) -> Result<RenderedPage, RenderError>;

    /// Renders the error page: what went wrong and, when `page.back_url` is
    /// set, a link back to the application.
    ///
    /// # Errors
    /// None: this page is the last thing a user is shown when something else
    /// failed, so there is nothing left to fall back to.
    /// - MUST HTML-escape every value taken from `page`.
    /// - MUST NOT fail: a renderer whose template can fail MUST fall back to
    ///   a page of its own that still says what went wrong.
    fn error_page(&self, page: &ErrorPage) -> RenderedPage;
}
