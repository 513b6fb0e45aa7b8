//! Where a spent link sends the browser: the app's callback with an
//! authorization code in the query, or tokens in the fragment.

use std::fmt;

use secrecy::{ExposeSecret, SecretString};

use crate::redirect_uri::RedirectUri;
use crate::token::TokenSet;

/// The answer to a spent link, delivered to `redirect_uri`.
#[derive(Clone)]
pub enum LinkRedirect {
    /// `response_type=code`: `{redirect_uri}?code=…&state=…`.
    Code {
        /// The registered callback.
        redirect_uri: RedirectUri,
        /// The authorization code, to be exchanged within a minute.
        code: SecretString,
        /// `state` from the start request, unchanged.
        state: Option<String>,
    },
    /// `token`, `id_token` or `id_token token`:
    /// `{redirect_uri}#access_token=…&id_token=…&token_type=Bearer&expires_in=…&state=…`.
    Fragment {
        /// The registered callback.
        redirect_uri: RedirectUri,
        /// The minted tokens; only those the response type names are sent.
        tokens: TokenSet,
        /// Whether the access token is part of the answer.
        access_token: bool,
        /// Whether the id token is part of the answer.
        id_token: bool,
        /// `state` from the start request, unchanged.
        state: Option<String>,
    },
}

impl LinkRedirect {
    /// The `Location` to redirect to.
    #[must_use]
    pub fn location(&self) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        match self {
            Self::Code {
                redirect_uri,
                code,
                state,
            } => {
                q.append_pair("code", code.expose_secret());
                if let Some(s) = state {
                    q.append_pair("state", s);
                }
                // A callback may carry a query of its own (matched exactly
                // at registration); the code joins it.
                let uri = redirect_uri.as_str();
                let sep = if uri.contains('?') { '&' } else { '?' };
                format!("{uri}{sep}{}", q.finish())
            }
            Self::Fragment {
                redirect_uri,
                tokens,
                access_token,
                id_token,
                state,
            } => {
                if *access_token {
                    q.append_pair("access_token", tokens.access_token());
                }
                if *id_token && let Some(t) = tokens.id_token() {
                    q.append_pair("id_token", t);
                }
                if *access_token {
                    q.append_pair("token_type", tokens.token_type)
                        .append_pair("expires_in", &tokens.expires_in.to_string())
                        .append_pair("scope", &tokens.scope);
                }
                if let Some(s) = state {
                    q.append_pair("state", s);
                }
                // A redirect URI has no fragment: the tokens are all of it.
                let base = redirect_uri.as_str();
                format!("{base}#{}", q.finish())
            }
        }
    }
}

impl fmt::Debug for LinkRedirect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Code { .. } => "LinkRedirect::Code(<redacted>)",
            Self::Fragment { .. } => "LinkRedirect::Fragment(<redacted>)",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens() -> TokenSet {
        TokenSet {
            access_token: SecretString::from("at.x.y"),
            id_token: Some(SecretString::from("it.x.y")),
            refresh_token: None,
            token_type: "Bearer",
            expires_in: 86_400,
            scope: "openid email".to_owned(),
            recovery_code: None,
        }
    }

    #[test]
    fn a_code_joins_the_callback_query_and_state_is_passed_through_encoded() {
        let r = LinkRedirect::Code {
            redirect_uri: RedirectUri::parse("https://app.example/cb?x=1").unwrap(),
            code: SecretString::from("abc"),
            state: Some("a b&c".to_owned()),
        };
        assert_eq!(
            r.location(),
            "https://app.example/cb?x=1&code=abc&state=a+b%26c"
        );
        let plain = LinkRedirect::Code {
            redirect_uri: RedirectUri::parse("https://app.example/cb").unwrap(),
            code: SecretString::from("abc"),
            state: None,
        };
        assert_eq!(plain.location(), "https://app.example/cb?code=abc");
        assert!(!format!("{plain:?}").contains("abc"));
    }

    #[test]
    fn a_fragment_carries_only_the_tokens_the_response_type_names() {
        let both = LinkRedirect::Fragment {
            redirect_uri: RedirectUri::parse("https://app.example/cb").unwrap(),
            tokens: tokens(),
            access_token: true,
            id_token: true,
            state: Some("s1".to_owned()),
        };
        assert_eq!(
            both.location(),
            "https://app.example/cb#access_token=at.x.y&id_token=it.x.y&token_type=Bearer\
             &expires_in=86400&scope=openid+email&state=s1"
        );
        let id_only = LinkRedirect::Fragment {
            redirect_uri: RedirectUri::parse("https://app.example/cb").unwrap(),
            tokens: tokens(),
            access_token: false,
            id_token: true,
            state: None,
        };
        assert_eq!(id_only.location(), "https://app.example/cb#id_token=it.x.y");
    }
}
