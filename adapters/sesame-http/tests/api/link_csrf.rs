//! Login CSRF on the confirm page, on a mock service: the GET sets a
//! short-lived, `SameSite=Strict`, `HttpOnly`, `__Host-` cookie bound to
//! the link, and a POST without it, or from a foreign `Origin`, gets the
//! 403 page without reaching `redeem_link`.

use http::{Request, StatusCode};
use secrecy::SecretString;
use sesame_domain::RedirectUri;
use sesame_domain::service::{Issuer, MockDiscovery};
use sesame_domain::service::{LinkPreview, LinkRedirect};

use crate::common::*;

const LINK: &str = "/passwordless/verify_redirect?verification_code=tok%2Ben&connection=email\
                    &client_id=app&email=a%40example.com";
const FORM: &str =
    "client_id=app&connection=email&email=a%40example.com&verification_code=tok%2Ben";

fn post(cookie: Option<&str>, origin: Option<&str>) -> Request<axum::body::Body> {
    let mut req = post_form("/passwordless/verify_redirect", FORM);
    if let Some(c) = cookie {
        req.headers_mut().insert("cookie", c.parse().unwrap());
    }
    if let Some(o) = origin {
        req.headers_mut().insert("origin", o.parse().unwrap());
    }
    req
}

fn redirect() -> LinkRedirect {
    LinkRedirect::Code {
        redirect_uri: RedirectUri::parse("https://app.example.com/callback").unwrap(),
        code: SecretString::from("the-code"),
        state: None,
    }
}

#[tokio::test]
async fn the_confirm_page_sets_a_strict_http_only_host_cookie_bound_to_the_link() {
    let mut m = mock();
    m.links.expect_inspect_link().returning(|_| {
        Ok(LinkPreview {
            application_name: "Acme".to_owned(),
            auto_submit: false,
            redirect_uri: RedirectUri::parse("https://app.example.com/callback").unwrap(),
        })
    });
    let r = send(app(m), get(LINK)).await;
    assert_eq!(r.status, StatusCode::OK);
    let cookie = r.header("set-cookie").expect("a cookie");
    assert!(
        cookie.starts_with(&format!("{CONFIRM_COOKIE};")),
        "{cookie}"
    );
    for attribute in [
        "Path=/",
        "Max-Age=900",
        "HttpOnly",
        "SameSite=Strict",
        "Secure",
    ] {
        assert!(
            cookie.split("; ").any(|a| a == attribute),
            "{attribute}: {cookie}"
        );
    }
    assert!(
        !cookie.contains("tok"),
        "the token itself never goes in the cookie"
    );
}

#[tokio::test]
async fn over_plain_http_the_cookie_has_no_host_prefix_and_is_not_secure() {
    let mut m = mock();
    m.discovery = MockDiscovery::new();
    m.discovery
        .expect_issuer()
        .return_const(Issuer::parse("http://127.0.0.1:3000/").unwrap());
    m.links.expect_inspect_link().returning(|_| {
        Ok(LinkPreview {
            application_name: "Acme".to_owned(),
            auto_submit: false,
            redirect_uri: RedirectUri::parse("http://localhost/callback").unwrap(),
        })
    });
    let r = send(app(m), get(LINK)).await;
    let cookie = r.header("set-cookie").expect("a cookie");
    assert!(
        cookie.starts_with("sesame-link-c0ffee00c0ffee00="),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
}

#[tokio::test]
async fn a_post_without_the_confirm_pages_cookie_is_refused_without_spending_the_link() {
    let wrong = CONFIRM_COOKIE.replace("=c0ffee00", "=deadbeef");
    let other_link = CONFIRM_COOKIE.replace("link-c0ffee00c0ffee00", "link-0123456789abcdef");
    for cookie in [
        None,
        Some(wrong.as_str()),
        Some(other_link.as_str()),
        Some("unrelated=1"),
    ] {
        let mut m = mock();
        m.links.expect_redeem_link().never();
        m.links.expect_link_app().returning(|_| Ok(None));
        let r = send(app(m), post(cookie, None)).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{cookie:?}");
        assert!(
            r.header("content-type")
                .is_some_and(|c| c.starts_with("text/html")),
            "{cookie:?}"
        );
        assert!(
            String::from_utf8(r.raw.clone())
                .unwrap()
                .contains("Open the link again"),
            "{cookie:?}"
        );
    }
}

#[tokio::test]
async fn a_post_from_a_foreign_origin_is_refused_even_with_the_cookie() {
    for origin in [
        "https://evil.example",
        "https://auth.example.com.evil.example",
        "http://auth.example.com",
    ] {
        let mut m = mock();
        m.links.expect_redeem_link().never();
        m.links.expect_link_app().returning(|_| Ok(None));
        let r = send(app(m), post(Some(CONFIRM_COOKIE), Some(origin))).await;
        assert_eq!(r.status, StatusCode::FORBIDDEN, "{origin}");
    }
}

#[tokio::test]
async fn a_post_with_the_cookie_from_the_issuer_or_an_opaque_origin_spends_the_link() {
    // `null` is what a browser sends for the page's own form under its
    // `Referrer-Policy: no-referrer`.
    for origin in [None, Some("https://auth.example.com"), Some("null")] {
        let mut m = mock();
        m.links
            .expect_redeem_link()
            .times(1)
            .returning(|_| Ok(redirect()));
        let r = send(app(m), post(Some(CONFIRM_COOKIE), origin)).await;
        assert_eq!(r.status, StatusCode::FOUND, "{origin:?}");
    }
}
