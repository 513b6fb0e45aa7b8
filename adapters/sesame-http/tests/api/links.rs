//! `/passwordless/verify_redirect` and the authorization-code grant, on a
//! mock service: what the GET shows, what the POST answers, which headers
//! keep the page safe, and how each refusal reads.

use http::{Request, StatusCode};
use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use sesame_domain::ports::PageRenderer as _;
use sesame_domain::service::{
    CodeGrantError, Grant, GrantError, LinkApp, LinkError, LinkPreview, LinkRedirect, LinkRequest,
    TokenError, TokenRequest,
};
use sesame_domain::{GrantType, RedirectUri};

use crate::common::*;
use crate::pages::EnglishPages;

const LINK: &str = "/passwordless/verify_redirect?verification_code=tok%2Ben&connection=email\
                    &client_id=app&email=a%40example.com&redirect_uri=https%3A%2F%2Fevil&state=s";
const FORM: &str =
    "client_id=app&connection=email&email=a%40example.com&verification_code=tok%2Ben";

fn preview(auto_submit: bool) -> LinkPreview {
    LinkPreview {
        application_name: "Acme <Shop>".to_owned(),
        auto_submit,
        redirect_uri: RedirectUri::parse("https://app.example.com/callback").unwrap(),
    }
}

fn html(r: &Reply) -> String {
    String::from_utf8(r.raw.clone()).unwrap()
}

/// The confirm page's POST, with the cookie its GET set.
fn post_link(body: &str) -> Request<axum::body::Body> {
    let mut req = post_form("/passwordless/verify_redirect", body);
    req.headers_mut()
        .insert("cookie", CONFIRM_COOKIE.parse().unwrap());
    req
}

#[tokio::test]
async fn the_get_shows_a_confirm_page_that_posts_the_link_back_without_spending_it() {
    let mut m = mock();
    let seen = slot::<LinkRequest>();
    let s = seen.clone();
    m.links
        .expect_inspect_link()
        .times(1)
        .returning(move |req| {
            *s.lock().unwrap() = Some(req);
            Ok(preview(false))
        });
    m.links.expect_redeem_link().never();
    let r = send(app(m), get(LINK)).await;
    assert_eq!(r.status, StatusCode::OK);
    let page = html(&r);
    assert!(page.contains("Sign in to Acme &lt;Shop&gt;"), "{page}");
    assert!(page.contains("<form id=\"confirm\" method=\"post\" action=\"verify_redirect\">"));
    assert!(page.contains("name=\"verification_code\" value=\"tok+en\""));
    assert!(page.contains("name=\"email\" value=\"a@example.com\""));
    assert!(
        !page.contains("evil") && !page.contains("name=\"state\""),
        "OAuth parameters come from the stored start, never from the link"
    );
    assert!(!page.contains("<script"), "auto_submit is off");
    let req = taken(&seen);
    assert_eq!(req.client_id.as_str(), "app");
    assert_eq!(req.email, "a@example.com");
    assert_eq!(req.verification_code.expose_secret(), "tok+en");
}

#[tokio::test]
async fn the_confirm_page_is_uncacheable_unframeable_and_runs_only_its_own_nonce() {
    let mut m = mock();
    m.links
        .expect_inspect_link()
        .returning(|_| Ok(preview(true)));
    let r = send(app(m), get(LINK)).await;
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(r.header("x-frame-options"), Some("DENY"));
    assert_eq!(r.header("content-language"), Some("en"));
    let csp = r.header("content-security-policy").unwrap();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|s| s.split('\'').next())
        .unwrap();
    assert!(nonce.len() >= 22, "{csp}");
    assert_eq!(
        csp,
        format!(
            "default-src 'none'; style-src 'nonce-{nonce}'; script-src 'nonce-{nonce}'; \
             form-action 'self' https://app.example.com; frame-ancestors 'none'; base-uri 'none'"
        )
    );
    let page = html(&r);
    assert!(
        page.contains(&format!("<script nonce=\"{nonce}\">")),
        "{page}"
    );
    assert!(page.contains(&format!("<style nonce=\"{nonce}\">")));
    let again = {
        let mut m = mock();
        m.links
            .expect_inspect_link()
            .returning(|_| Ok(preview(true)));
        send(app(m), get(LINK)).await
    };
    assert_ne!(
        again.header("content-security-policy").unwrap(),
        csp,
        "a fresh nonce per response"
    );
}

#[tokio::test]
async fn the_post_spends_the_link_and_redirects_with_the_code_and_state() {
    let mut m = mock();
    let seen = slot::<LinkRequest>();
    let s = seen.clone();
    m.links.expect_redeem_link().times(1).returning(move |req| {
        *s.lock().unwrap() = Some(req);
        Ok(LinkRedirect::Code {
            redirect_uri: RedirectUri::parse("https://app.example.com/callback").unwrap(),
            code: SecretString::from("the-code"),
            state: Some("a b&c".to_owned()),
        })
    });
    let r = send(app(m), post_link(FORM)).await;
    assert_eq!(r.status, StatusCode::FOUND);
    assert_eq!(
        r.header("location"),
        Some("https://app.example.com/callback?code=the-code&state=a+b%26c")
    );
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(taken(&seen).verification_code.expose_secret(), "tok+en");
}

#[tokio::test]
async fn the_post_puts_fragment_answers_after_the_hash() {
    let mut m = mock();
    m.links.expect_redeem_link().returning(|_| {
        Ok(LinkRedirect::Fragment {
            redirect_uri: RedirectUri::parse("https://app.example.com/callback").unwrap(),
            tokens: tokens(false),
            access_token: true,
            id_token: false,
            state: None,
        })
    });
    let r = send(app(m), post_link(FORM)).await;
    assert_eq!(r.status, StatusCode::FOUND);
    let location = r.header("location").unwrap();
    assert!(
        location.starts_with("https://app.example.com/callback#access_token=at.jwt&"),
        "{location}"
    );
    assert!(location.contains("token_type=Bearer"));
}

#[tokio::test]
async fn each_refused_link_is_a_localized_page_with_its_own_status_and_a_way_back() {
    let cases = [
        (
            LinkError::Invalid,
            StatusCode::BAD_REQUEST,
            "This link is not valid",
        ),
        (
            LinkError::Expired,
            StatusCode::GONE,
            "This link has expired",
        ),
        (
            LinkError::Used,
            StatusCode::GONE,
            "This link was already used",
        ),
        (
            LinkError::RedirectMismatch,
            StatusCode::BAD_REQUEST,
            "This link cannot be completed",
        ),
        (
            LinkError::NotAllowed(GrantType::Implicit),
            StatusCode::FORBIDDEN,
            "Sign-in links are not enabled",
        ),
        (
            LinkError::Blocked,
            StatusCode::FORBIDDEN,
            "You cannot sign in",
        ),
    ];
    for (error, status, title) in cases {
        let mut m = mock();
        let e = std::sync::Mutex::new(Some(error));
        m.links
            .expect_inspect_link()
            .returning(move |_| Err(e.lock().unwrap().take().unwrap()));
        m.links.expect_link_app().returning(|_| {
            Ok(Some(LinkApp {
                name: "Acme".to_owned(),
                back_url: Some("https://app.example.com".to_owned()),
            }))
        });
        let r = send(app(m), get(LINK)).await;
        assert_eq!(r.status, status, "{title}");
        assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
        assert_eq!(r.header("cache-control"), Some("no-store"));
        let page = html(&r);
        assert!(page.contains(title), "{page}");
        assert!(page.contains("href=\"https://app.example.com\">Back to Acme"));
    }
}

#[tokio::test]
async fn an_unavailable_backend_shows_a_try_again_page_without_asking_the_registry() {
    let mut m = mock();
    m.links
        .expect_redeem_link()
        .returning(|_| Err(LinkError::Unavailable(anyhow::anyhow!("down"))));
    m.links.expect_link_app().never();
    let r = send(app(m), post_link(FORM)).await;
    assert_eq!(r.status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(html(&r).contains("Something went wrong"));
}

#[tokio::test]
async fn an_incomplete_or_ambiguous_link_is_invalid_without_reaching_the_domain() {
    for path in [
        "/passwordless/verify_redirect",
        "/passwordless/verify_redirect?client_id=app&email=a%40example.com",
        "/passwordless/verify_redirect?client_id=app&connection=email&email=a%40b.c\
         &verification_code=x&verification_code=y",
        "/passwordless/verify_redirect?%zz",
    ] {
        let mut m = mock();
        m.links.expect_inspect_link().never();
        m.links.expect_link_app().returning(|_| Ok(None));
        let r = send(app(m), get(path)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{path}");
        assert!(html(&r).contains("This link is not valid"), "{path}");
    }
    for body in [
        "",
        "client_id=app",
        "%%%",
        &format!("{FORM}&email=b%40example.com"),
    ] {
        let mut m = mock();
        m.links.expect_redeem_link().never();
        let r = send(app(m), post_link(body)).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{body}");
        assert!(html(&r).contains("This link is not valid"));
    }
}

#[tokio::test]
async fn a_cross_site_post_cannot_spend_a_link() {
    let mut m = mock();
    m.links.expect_redeem_link().never();
    let mut req = post_link(FORM);
    req.headers_mut()
        .insert("sec-fetch-site", "cross-site".parse().unwrap());
    let r = send(app(m), req).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_error_page_follows_accept_language_into_the_renderer() {
    let mut m = mock();
    m.links
        .expect_inspect_link()
        .returning(|_| Err(LinkError::Expired));
    m.links.expect_link_app().returning(|_| Ok(None));
    let mut pages = MockPages::new();
    let seen = slot();
    let s = seen.clone();
    pages.expect_error_page().returning(move |p| {
        *s.lock().unwrap() = p.locale.clone();
        EnglishPages.error_page(p)
    });
    let mut req = get(LINK);
    req.headers_mut()
        .insert("accept-language", "fr-CA, en;q=0.5".parse().unwrap());
    send(app_with_pages(m, pages), req).await;
    assert_eq!(taken(&seen), "fr-CA");
}

fn code_form(extra: &str) -> String {
    format!("grant_type=authorization_code&client_id=app&code=the-code{extra}")
}

#[tokio::test]
async fn the_authorization_code_grant_reaches_the_domain_with_its_verifier() {
    let mut m = mock();
    let seen = slot::<TokenRequest>();
    let s = seen.clone();
    m.tokens.expect_token().times(1).returning(move |req| {
        *s.lock().unwrap() = Some(req);
        Ok(tokens(false))
    });
    let r = send(
        app(m),
        post_form(
            "/oauth/token",
            &code_form("&redirect_uri=https%3A%2F%2Fapp%2Fcb&code_verifier=v3r"),
        ),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.body["access_token"], json!("at.jwt"));
    assert_eq!(r.header("cache-control"), Some("no-store"));
    let Grant::AuthorizationCode(req) = taken(&seen).grant else {
        panic!("expected the authorization-code grant");
    };
    assert_eq!(req.code.expose_secret(), "the-code");
    assert_eq!(req.redirect_uri.as_deref(), Some("https://app/cb"));
    assert_eq!(
        req.code_verifier
            .as_ref()
            .map(|v| v.expose_secret().to_owned()),
        Some("v3r".to_owned())
    );
}

#[tokio::test]
async fn a_code_grant_without_a_code_is_an_invalid_request() {
    let r = send(
        app(mock()),
        post_form(
            "/oauth/token",
            "grant_type=authorization_code&client_id=app",
        ),
    )
    .await;
    r.assert_error(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        "Missing required parameter: code",
    );
}

#[tokio::test]
async fn code_grant_refusals_read_as_auth0_answers_them() {
    let cases = [
        (
            TokenError::Grant(GrantError::AuthorizationCode(CodeGrantError::InvalidGrant)),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "Invalid authorization code",
        ),
        (
            TokenError::Grant(GrantError::AuthorizationCode(
                CodeGrantError::InvalidVerifier,
            )),
            StatusCode::FORBIDDEN,
            "invalid_grant",
            "Failed to verify code verifier",
        ),
        (
            TokenError::InvalidClient,
            StatusCode::UNAUTHORIZED,
            "access_denied",
            "Unauthorized",
        ),
        (
            TokenError::GrantNotAllowed(GrantType::AuthorizationCode),
            StatusCode::FORBIDDEN,
            "unauthorized_client",
            "Grant type 'authorization_code' not allowed for the client.",
        ),
        (
            TokenError::Unavailable(anyhow::anyhow!("down")),
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is temporarily unavailable. Please try again later.",
        ),
    ];
    for (error, status, code, description) in cases {
        let mut m = mock();
        let e = std::sync::Mutex::new(Some(error));
        m.tokens
            .expect_token()
            .returning(move |_| Err(e.lock().unwrap().take().unwrap()));
        let r = send(app(m), post_form("/oauth/token", &code_form(""))).await;
        r.assert_error(status, code, description);
    }
}
