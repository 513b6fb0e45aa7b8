//! The two HTML pages a magic link shows: the confirm page (a GET never
//! spends a link, so mail scanners that prefetch it cannot burn it) and the
//! error page for a link that cannot be used.
//!
//! The domain says what a page must tell; a [`crate::ports::PageRenderer`]
//! turns that into HTML in the user's language.

use std::fmt;

/// The confirm page behind `GET /passwordless/verify_redirect`.
#[derive(Clone)]
pub struct ConfirmPage {
    /// The application's display name.
    pub application_name: String,
    /// Where the form posts: the link's own path.
    pub action: String,
    /// Hidden form fields that carry the link to the POST, in order.
    pub fields: Vec<(String, String)>,
    /// Whether a tiny script submits the form by itself.
    pub auto_submit: bool,
    /// The per-response CSP nonce the page's `<style>` and `<script>` carry.
    pub csp_nonce: String,
    /// The requested language, e.g. from `Accept-Language`.
    pub locale: Option<String>,
}

impl fmt::Debug for ConfirmPage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The fields hold the link's token and the user's address.
        f.debug_struct("ConfirmPage")
            .field("application_name", &self.application_name)
            .field("auto_submit", &self.auto_submit)
            .field("locale", &self.locale)
            .finish_non_exhaustive()
    }
}

/// Why a link cannot be used, as the error page tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkProblem {
    /// Unknown, tampered or malformed link, or an unknown application.
    Invalid,
    /// The link was right but its time is up.
    Expired,
    /// The link was used already (or its code was, or a newer one was sent).
    Used,
    /// The link's `redirect_uri` is not a registered callback of the
    /// application: the page never redirects there.
    RedirectMismatch,
    /// The application may not use magic links (or this response type).
    NotAllowed,
    /// The user may not sign in: blocked, or sign-ups are closed.
    AccessDenied,
    /// Something on our side failed; trying again later may work.
    Unavailable,
    /// The confirm page was posted without the proof its GET gave this
    /// browser (or from another site): the link is unspent, and opening it
    /// again works.
    Unconfirmed,
}

impl LinkProblem {
    /// A stable machine name, e.g. for templates and tests.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Invalid => "invalid",
            Self::Expired => "expired",
            Self::Used => "used",
            Self::RedirectMismatch => "redirect_mismatch",
            Self::NotAllowed => "not_allowed",
            Self::AccessDenied => "access_denied",
            Self::Unavailable => "unavailable",
            Self::Unconfirmed => "unconfirmed",
        }
    }
}

/// The error page for a link that cannot be used.
#[derive(Debug, Clone)]
pub struct ErrorPage {
    /// What went wrong.
    pub problem: LinkProblem,
    /// The application's display name, when the link names a known one.
    pub application_name: Option<String>,
    /// Where "back to the application" leads, when there is a safe place.
    pub back_url: Option<String>,
    /// The per-response CSP nonce the page's `<style>` carries.
    pub csp_nonce: String,
    /// The requested language.
    pub locale: Option<String>,
}

/// A rendered page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedPage {
    /// The whole HTML document.
    pub html: String,
    /// The language it was rendered in (BCP 47), for `Content-Language`.
    pub language: String,
}
