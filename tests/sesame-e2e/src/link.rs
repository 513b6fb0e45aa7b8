//! Magic links over plain HTTP, as a mail scanner or an app's backend sees
//! them: starting one with PKCE, reading the confirm page's form, posting
//! it back, and exchanging the code at `/oauth/token`.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sesame_domain::Recipient;
use sha2::{Digest as _, Sha256};

use crate::app::TestApp;
use crate::reply::Reply;

/// The scope the link flows ask for.
pub const LINK_SCOPE: &str = "openid email";

/// A PKCE pair (RFC 7636, S256).
#[derive(Debug, Clone)]
pub struct Pkce {
    /// `code_verifier`: 43 characters of base64url.
    pub verifier: String,
    /// `code_challenge`: base64url(SHA-256(verifier)).
    pub challenge: String,
}

impl Pkce {
    /// A fresh pair.
    #[must_use]
    pub fn new() -> Self {
        let mut bytes = [0u8; 32];
        bytes[..16].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        bytes[16..].copy_from_slice(uuid::Uuid::new_v4().as_bytes());
        let verifier = URL_SAFE_NO_PAD.encode(bytes);
        let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
        Self {
            verifier,
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Self::new()
    }
}

/// What a link start asks for, and what the test checks afterwards.
#[derive(Debug, Clone)]
pub struct LinkLogin {
    /// The application.
    pub client_id: String,
    /// The PKCE pair; its challenge goes in `authParams`.
    pub pkce: Pkce,
    /// `authParams.state`.
    pub state: String,
    /// `authParams.nonce`.
    pub nonce: String,
}

impl LinkLogin {
    /// A login for `client_id` with fresh PKCE, state and nonce.
    #[must_use]
    pub fn new(client_id: &str) -> Self {
        Self {
            client_id: client_id.to_owned(),
            pkce: Pkce::new(),
            state: format!("state-{}", uuid::Uuid::new_v4().simple()),
            nonce: format!("nonce-{}", uuid::Uuid::new_v4().simple()),
        }
    }

    /// The start request for `recipient`: `send: "link"`, [`LINK_SCOPE`],
    /// S256 PKCE, state and nonce, plus `extra` authParams
    /// (`redirect_uri`, `response_type`, …).
    #[must_use]
    pub fn start_body(&self, recipient: &Recipient, extra: &Value) -> Value {
        let mut auth_params = json!({
            "scope": LINK_SCOPE,
            "state": self.state,
            "nonce": self.nonce,
            "code_challenge": self.pkce.challenge,
            "code_challenge_method": "S256",
        });
        if let (Some(p), Some(extra)) = (auth_params.as_object_mut(), extra.as_object()) {
            p.extend(extra.clone());
        }
        json!({
            "client_id": self.client_id,
            "connection": "email",
            "email": recipient.as_str(),
            "send": "link",
            "authParams": auth_params,
        })
    }
}

/// The `authorization_code` grant for `code` at `redirect_uri`, from the
/// public `client_id` with `verifier`.
#[must_use]
pub fn code_grant(client_id: &str, code: &str, redirect_uri: &str, verifier: &str) -> Value {
    json!({
        "grant_type": "authorization_code",
        "client_id": client_id,
        "code": code,
        "redirect_uri": redirect_uri,
        "code_verifier": verifier,
    })
}

/// The hidden inputs of the confirm page's `<form id="confirm">`, in page
/// order, HTML entities decoded.
///
/// # Panics
/// The page has no such form.
#[must_use]
pub fn confirm_form_fields(html: &str) -> Vec<(String, String)> {
    let start = html
        .find("<form id=\"confirm\"")
        .unwrap_or_else(|| panic!("no confirm form in the page: {html}"));
    let form = &html[start..];
    let form = form.find("</form>").map_or(form, |end| &form[..end]);
    form.split("<input ")
        .skip(1)
        .filter(|input| input.contains("type=\"hidden\""))
        .filter_map(|input| Some((attr(input, "name")?, attr(input, "value")?)))
        .collect()
}

/// The `name=value` of the cookie a confirm page set (its login-CSRF
/// proof), without its attributes.
#[must_use]
pub fn confirm_cookie(page: &Reply) -> Option<String> {
    page.headers
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("sesame-link-"))
        .and_then(|c| c.split(';').next())
        .map(str::to_owned)
}

/// The value of `name="…"` in a tag's text, entities decoded.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!("{name}=\"");
    let from = tag.find(&key)? + key.len();
    let len = tag[from..].find('"')?;
    Some(unescape(&tag[from..from + len]))
}

/// Undoes the HTML escaping the page templates apply.
fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The query pairs of a `Location`'s query, or of its fragment.
#[must_use]
pub fn location_pairs(location: &str, fragment: bool) -> Vec<(String, String)> {
    let url =
        url::Url::parse(location).unwrap_or_else(|e| panic!("the Location is not a URL ({e})"));
    let part = if fragment {
        url.fragment()
    } else {
        url.query()
    };
    url::form_urlencoded::parse(part.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

impl TestApp {
    /// The link prefix every magic link of this server starts with.
    #[must_use]
    pub fn link_prefix(&self) -> String {
        format!("{}passwordless/verify_redirect?", self.issuer)
    }

    /// Starts a link login and returns the link the outbox received.
    ///
    /// # Panics
    /// The start fails or no link was sent.
    pub async fn issue_link(&self, recipient: &Recipient, body: &Value) -> String {
        self.start(body).await.expect_status(200);
        let link = self
            .outbox
            .last_link_for(recipient)
            .expect("an email with a link was sent");
        assert!(
            link.starts_with(&self.link_prefix()),
            "the link does not point at this server's verify_redirect"
        );
        link
    }

    /// GETs `link` (no redirects, no cookies), as a mail scanner does.
    pub async fn open_link(&self, link: &str) -> Reply {
        self.send(self.client.get(link)).await
    }

    /// GETs `link`, checks it is the confirm page, and posts its form back
    /// as the Continue button does, with the cookie the page set, as a
    /// browser would. Returns the POST's answer.
    ///
    /// # Panics
    /// The GET is not a 200 confirm page.
    pub async fn confirm_link(&self, link: &str) -> Reply {
        let page = self.open_link(link).await;
        page.expect_status(200);
        self.post_confirm_form(&page).await
    }

    /// Posts the confirm form of `page` back with the cookie `page` set.
    pub async fn post_confirm_form(&self, page: &Reply) -> Reply {
        let fields = confirm_form_fields(&page.text);
        let mut request = self
            .client
            .post(self.url("/passwordless/verify_redirect"))
            .form(&fields);
        if let Some(cookie) = confirm_cookie(page) {
            request = request.header("cookie", cookie);
        }
        self.send(request).await
    }

    /// [`TestApp::confirm_link`], expecting a 302; returns its `Location`.
    ///
    /// # Panics
    /// Another answer.
    pub async fn redirect_of(&self, link: &str) -> String {
        let reply = self.confirm_link(link).await;
        assert_eq!(
            reply.status.as_u16(),
            302,
            "the confirm POST: {}",
            reply.text
        );
        reply
            .header("location")
            .expect("a Location header")
            .to_owned()
    }
}
