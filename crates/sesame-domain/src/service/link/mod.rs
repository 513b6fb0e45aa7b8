//! Magic links: checking a link without spending it (the confirm page) and
//! spending it (the confirm page's POST). The authorization code it produces
//! is exchanged by the token pipeline (`token/code.rs`).
//!
//! The link's query carries only what finds its challenge (`client_id`,
//! `email`, `verification_code`); every OAuth parameter comes from the
//! challenge stored at start, so editing the link's `redirect_uri`, `scope`
//! or `state` changes nothing.

mod confirm;
mod errors;
mod redirect;
mod verify;

use std::fmt;

use secrecy::SecretString;

pub use errors::LinkError;
pub use redirect::LinkRedirect;

use crate::client::ClientId;
use crate::redirect_uri::RedirectUri;

/// A magic link as it comes back from the browser, for
/// [`Passwordless::inspect_link`](super::Passwordless::inspect_link) (GET)
/// and [`Passwordless::redeem_link`](super::Passwordless::redeem_link) (POST).
#[derive(Clone)]
pub struct LinkRequest {
    /// `client_id`.
    pub client_id: ClientId,
    /// `connection`; only `email` carries links.
    pub connection: String,
    /// `email`, as in the link.
    pub email: String,
    /// `verification_code`: the link's token.
    pub verification_code: SecretString,
}

impl fmt::Debug for LinkRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LinkRequest")
            .field("client_id", &self.client_id)
            .field("connection", &self.connection)
            .finish_non_exhaustive()
    }
}

/// A usable link, as the confirm page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPreview {
    /// The application's display name.
    pub application_name: String,
    /// Whether the confirm page submits itself.
    pub auto_submit: bool,
    /// Where the POST will redirect: the page's CSP must allow it as a
    /// `form-action`, since browsers apply that to the redirect too.
    pub redirect_uri: RedirectUri,
}

/// What the link's error page may show about the application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkApp {
    /// The application's display name.
    pub name: String,
    /// Where "back to the application" leads.
    pub back_url: Option<String>,
}
