//! Applications that sign in with magic links: registered with the
//! `authorization_code` grant, callbacks and a `magic_link` table, as an
//! operator would write them. Tests whose callback is a server of their own
//! (a [`crate::callback::CallbackServer`]) register one with its URL.

use crate::backend::quote;
use crate::config::{CALLBACK, OTP_GRANT};

/// A public client whose links land on [`CALLBACK`].
pub const LINK_CLIENT: &str = "e2e-link";
/// Its display name: the confirm page's "Sign in to …".
pub const LINK_APP_NAME: &str = "E2E Link App";
/// Its `magic_link.login_uri`: the error pages' way back.
pub const LINK_LOGIN_URI: &str = "https://app.e2e.test/login";
/// A public client that may also get tokens in the fragment (`implicit`).
pub const IMPLICIT_LINK_CLIENT: &str = "e2e-link-implicit";
/// A public client whose code exchanges also return a refresh token.
pub const REFRESHING_LINK_CLIENT: &str = "e2e-link-refresh";

/// One `[[clients]]` entry for magic links.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkClient {
    /// `client_id`.
    pub client_id: String,
    /// `name`.
    pub name: String,
    /// `client_secret`; `None` for a public client.
    pub secret: Option<String>,
    /// `callbacks`; links land on the first unless the start names another.
    pub callbacks: Vec<String>,
    /// Whether `implicit` is among its grants (fragment answers).
    pub implicit: bool,
    /// `magic_link.auto_submit`.
    pub auto_submit: bool,
    /// `magic_link.refresh_tokens`.
    pub refresh_tokens: bool,
    /// `magic_link.login_uri`.
    pub login_uri: Option<String>,
    /// `magic_link.require_pkce`.
    pub require_pkce: bool,
}

impl LinkClient {
    /// A public client named `name` whose links land on `callback`, with
    /// the default grants (the OTP grant, `authorization_code`,
    /// `refresh_token`) and every `magic_link` setting at its default.
    #[must_use]
    pub fn public(client_id: &str, name: &str, callback: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            name: name.to_owned(),
            secret: None,
            callbacks: vec![callback.to_owned()],
            implicit: false,
            auto_submit: false,
            refresh_tokens: false,
            login_uri: None,
            require_pkce: false,
        }
    }

    /// The link clients every server has: [`LINK_CLIENT`],
    /// [`IMPLICIT_LINK_CLIENT`] and [`REFRESHING_LINK_CLIENT`], all landing
    /// on [`CALLBACK`].
    #[must_use]
    pub fn defaults() -> Vec<Self> {
        vec![
            Self {
                login_uri: Some(LINK_LOGIN_URI.to_owned()),
                ..Self::public(LINK_CLIENT, LINK_APP_NAME, CALLBACK)
            },
            Self {
                implicit: true,
                ..Self::public(IMPLICIT_LINK_CLIENT, "E2E Implicit App", CALLBACK)
            },
            Self {
                refresh_tokens: true,
                ..Self::public(REFRESHING_LINK_CLIENT, "E2E Refreshing App", CALLBACK)
            },
        ]
    }

    /// The `[[clients]]` table.
    #[must_use]
    pub fn toml(&self) -> String {
        let mut grants = vec![
            quote(OTP_GRANT),
            quote("authorization_code"),
            quote("refresh_token"),
        ];
        if self.implicit {
            grants.push(quote("implicit"));
        }
        let callbacks: Vec<String> = self.callbacks.iter().map(|c| quote(c)).collect();
        let mut magic_link = format!(
            "auto_submit = {}, refresh_tokens = {}, require_pkce = {}",
            self.auto_submit, self.refresh_tokens, self.require_pkce
        );
        if let Some(uri) = &self.login_uri {
            magic_link.push_str(&format!(", login_uri = {}", quote(uri)));
        }
        let secret = self
            .secret
            .as_ref()
            .map(|s| format!("client_secret = {}\n", quote(s)))
            .unwrap_or_default();
        format!(
            "\n[[clients]]\nclient_id = {id}\nname = {name}\n{secret}callbacks = [{callbacks}]\n\
             grant_types = [{grants}]\nmagic_link = {{ {magic_link} }}\n",
            id = quote(&self.client_id),
            name = quote(&self.name),
            callbacks = callbacks.join(", "),
            grants = grants.join(", "),
        )
    }
}
