//! Mocks of the domain's roles, requests and response reading for the API tests.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use http::{HeaderMap, Request, StatusCode};
use mockall::mock;
use secrecy::SecretString;
use serde_json::Value;
use sesame_domain::ports::{PageRenderer, RenderError};
use sesame_domain::service::{
    Issuer, MockDiscovery, MockIssueTokens, MockMagicLinks, MockManageUsers, MockMultiFactor,
    MockReadiness, MockRevocation, MockStartLogin, MockUserInfo,
};
use sesame_domain::{ConfirmPage, ErrorPage, RateDecision, RenderedPage, Timestamp, TokenSet};
use sesame_http::{HttpConfig, Services, router};
use tower::ServiceExt as _;

use crate::pages::EnglishPages;

mock! {
    pub Pages {}
    impl PageRenderer for Pages {
        fn confirm_page(&self, page: &ConfirmPage) -> Result<RenderedPage, RenderError>;
        fn error_page(&self, page: &ErrorPage) -> RenderedPage;
    }
}

/// The issuer every mock answers with.
pub const ISSUER: &str = "https://auth.example.com/";

/// What the mock derives as every link's confirmation.
pub const CONFIRMATION: &str = "c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

/// The cookie the confirm page of [`ISSUER`] sets for [`CONFIRMATION`].
pub const CONFIRM_COOKIE: &str = "__Host-sesame-link-c0ffee00c0ffee00=c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00c0ffee00";

/// One mock per role the router calls: a test sets expectations on the
/// roles it exercises, and any other call fails it.
pub struct MockAuth {
    pub start: MockStartLogin,
    pub tokens: MockIssueTokens,
    pub links: MockMagicLinks,
    pub revocation: MockRevocation,
    pub userinfo: MockUserInfo,
    pub discovery: MockDiscovery,
    pub readiness: MockReadiness,
    pub mfa: MockMultiFactor,
    pub management: MockManageUsers,
    pub pages: Arc<dyn PageRenderer>,
}

impl MockAuth {
    /// The router's services over these mocks.
    pub fn services(self) -> Services {
        Services {
            start: Arc::new(self.start),
            tokens: Arc::new(self.tokens),
            links: Arc::new(self.links),
            revocation: Arc::new(self.revocation),
            userinfo: Arc::new(self.userinfo),
            discovery: Arc::new(self.discovery),
            readiness: Arc::new(self.readiness),
            mfa: Arc::new(self.mfa),
            management: Arc::new(self.management),
            pages: self.pages,
        }
    }
}

/// Mocks that know their issuer and nothing else: any other call fails the
/// test.
pub fn mock() -> MockAuth {
    let mut discovery = MockDiscovery::new();
    discovery
        .expect_issuer()
        .return_const(Issuer::parse(ISSUER).unwrap());
    // The link confirmation is a pure derivation: the same stand-in for
    // every token, accepted only when presented exactly.
    let mut links = MockMagicLinks::new();
    links
        .expect_link_confirmation()
        .returning(|_| CONFIRMATION.to_owned());
    links
        .expect_confirms_link()
        .returning(|_, presented| presented == CONFIRMATION);
    MockAuth {
        start: MockStartLogin::new(),
        tokens: MockIssueTokens::new(),
        links,
        revocation: MockRevocation::new(),
        userinfo: MockUserInfo::new(),
        discovery,
        readiness: MockReadiness::new(),
        mfa: MockMultiFactor::new(),
        management: MockManageUsers::new(),
        pages: Arc::new(EnglishPages),
    }
}

/// The router over `m` with the default config and [`EnglishPages`].
pub fn app(m: MockAuth) -> Router {
    app_with(m, HttpConfig::default())
}

/// The router over `m` with `config` and [`EnglishPages`].
pub fn app_with(m: MockAuth, config: HttpConfig) -> Router {
    router(m.services(), config)
}

/// The router over `m` with the default config and `pages`.
pub fn app_with_pages(mut m: MockAuth, pages: impl PageRenderer + 'static) -> Router {
    m.pages = Arc::new(pages);
    router(m.services(), HttpConfig::default())
}

/// A slot a mock fills with the request it was given.
pub type Captured<T> = Arc<Mutex<Option<T>>>;

/// An empty slot.
pub fn slot<T>() -> Captured<T> {
    Arc::new(Mutex::new(None))
}

/// What the slot holds; panics when the mock was never called.
pub fn taken<T>(slot: &Captured<T>) -> T {
    slot.lock()
        .unwrap()
        .take()
        .expect("the service was not called")
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub raw: Vec<u8>,
}

impl Reply {
    /// The `error` code.
    pub fn error(&self) -> &str {
        self.body["error"].as_str().unwrap_or("<none>")
    }

    /// The `error_description`.
    pub fn description(&self) -> &str {
        self.body["error_description"].as_str().unwrap_or("<none>")
    }

    /// A header as a string.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// Asserts the error envelope and nothing more in the body.
    pub fn assert_error(&self, status: StatusCode, error: &str, description: &str) {
        assert_eq!(
            (self.status, self.error(), self.description()),
            (status, error, description),
            "body: {}",
            self.body
        );
        assert_eq!(
            self.body.as_object().unwrap().len(),
            2,
            "body: {}",
            self.body
        );
        assert!(
            self.header("content-type")
                .unwrap()
                .starts_with("application/json")
        );
    }
}

/// Sends `req` through `app`, and checks the answer against the OpenAPI
/// document (see [`crate::conformance`]): a test that receives an answer
/// the document does not describe fails.
pub async fn send(app: Router, req: Request<Body>) -> Reply {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let res = app.oneshot(req).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let raw = axum::body::to_bytes(res.into_body(), usize::MAX)
        .await
        .unwrap()
        .to_vec();
    let content_type = headers
        .get(http::header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap());
    if let Err(e) = crate::conformance::check(&method, &path, status, content_type, &raw) {
        panic!("{method} {path} answered {status}, not as /openapi.json says:\n{e}");
    }
    let body = serde_json::from_slice(&raw).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        raw,
    }
}

/// A JSON POST.
pub fn post_json(path: &str, body: &Value) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

/// A form POST.
pub fn post_form(path: &str, body: &str) -> Request<Body> {
    Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(Body::from(body.to_owned()))
        .unwrap()
}

/// A GET.
pub fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

/// `req` as if it came from `peer`.
pub fn from_peer(mut req: Request<Body>, peer: &str) -> Request<Body> {
    req.extensions_mut()
        .insert(ConnectInfo(peer.parse::<SocketAddr>().unwrap()));
    req
}

/// A rate decision whose window ends a minute from now.
pub fn decision(allowed: bool) -> RateDecision {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    RateDecision {
        allowed,
        limit: 50,
        remaining: if allowed { 49 } else { 0 },
        reset_at: Timestamp::from_unix_seconds(i64::try_from(now.as_secs()).unwrap() + 60),
    }
}

/// A token set with every token.
pub fn tokens(with_optional: bool) -> TokenSet {
    TokenSet {
        access_token: SecretString::from("at.jwt"),
        id_token: with_optional.then(|| SecretString::from("id.jwt")),
        refresh_token: with_optional.then(|| SecretString::from("rt-opaque")),
        token_type: "Bearer",
        expires_in: 86_400,
        scope: "openid email offline_access".to_owned(),
        recovery_code: None,
    }
}
