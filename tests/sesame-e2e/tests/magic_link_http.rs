//! Magic links over plain HTTP on every backend: the confirm page a GET
//! shows (and that spends nothing), the POST that spends the link, the
//! single-use PKCE-bound code it hands the callback, the error pages, and
//! tokens in the fragment for implicit clients. The browser flows are in
//! `magic_links.rs`.
#![expect(
    clippy::expect_used,
    reason = "scenarios are plain async fns behind #[tokio::test] wrappers, which clippy does not treat as tests"
)]

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use sesame_domain::Recipient;
use sesame_e2e::callback::param;
use sesame_e2e::jwt::verify;
use sesame_e2e::link::{
    LinkLogin, code_grant, confirm_cookie, confirm_form_fields, location_pairs,
};
use sesame_e2e::{
    Backend, CALLBACK, IMPLICIT_LINK_CLIENT, LINK_APP_NAME, LINK_CLIENT, LINK_LOGIN_URI, Options,
    REFRESHING_LINK_CLIENT, Reply, TestApp, fresh_email,
};

/// A link for a fresh address from `client_id`, with `extra` authParams.
async fn issue(app: &TestApp, client_id: &str, extra: &Value) -> (Recipient, LinkLogin, String) {
    let who = fresh_email();
    let login = LinkLogin::new(client_id);
    let link = app.issue_link(&who, &login.start_body(&who, extra)).await;
    (who, login, link)
}

/// The code a spent link handed the callback, after checking the redirect.
async fn code_of(app: &TestApp, login: &LinkLogin, link: &str) -> String {
    let location = app.redirect_of(link).await;
    assert!(
        location.starts_with(&format!("{CALLBACK}?")),
        "the redirect does not go to the registered callback"
    );
    let pairs = location_pairs(&location, false);
    assert_eq!(param(&pairs, "state"), Some(login.state.as_str()));
    param(&pairs, "code").expect("a code").to_owned()
}

/// Asserts an HTML error page with `status` and `title`.
#[track_caller]
fn assert_error_page(reply: &Reply, status: u16, title: &str) {
    assert_eq!(reply.status.as_u16(), status, "{}", reply.text);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|c| c.starts_with("text/html")),
        "not HTML: {:?}",
        reply.header("content-type")
    );
    assert!(
        reply.text.contains(&format!("<h1>{title}</h1>")),
        "{}",
        reply.text
    );
    assert_eq!(reply.header("cache-control"), Some("no-store"));
}

async fn the_confirm_page_is_private_unframeable_and_spends_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, link) = issue(&app, LINK_CLIENT, &json!({})).await;
    let page = app.open_link(&link).await;
    page.expect_status(200);
    assert!(
        page.header("content-type")
            .is_some_and(|c| c.starts_with("text/html"))
    );
    assert!(
        page.text
            .contains(&format!("<h1>Sign in to {LINK_APP_NAME}</h1>"))
    );
    assert!(
        page.text
            .contains("<form id=\"confirm\" method=\"post\" action=\"verify_redirect\">")
    );
    assert!(
        page.text
            .contains("<button type=\"submit\">Continue</button>")
    );
    assert!(!page.text.contains("<script"), "no auto-submit by default");
    let names: Vec<String> = confirm_form_fields(&page.text)
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        names,
        ["client_id", "connection", "email", "verification_code"]
    );
    assert_eq!(page.header("cache-control"), Some("no-store"));
    assert_eq!(page.header("referrer-policy"), Some("no-referrer"));
    assert_eq!(page.header("x-frame-options"), Some("DENY"));
    let csp = page.header("content-security-policy").expect("a CSP");
    assert!(csp.starts_with("default-src 'none'; "), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("a nonce in the CSP");
    assert!(page.text.contains(&format!("<style nonce=\"{nonce}\">")));
    // Looking did not spend it: the same link still signs in, once.
    assert_eq!(app.open_link(&link).await.status.as_u16(), 200);
    assert_eq!(app.confirm_link(&link).await.status.as_u16(), 302);
    assert_eq!(app.outbox.count(), 1);
}

async fn a_magic_link_code_exchanges_once_for_tokens_that_carry_the_nonce(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // offline_access is asked for, but this client gets no refresh tokens.
    let extra = json!({"scope": "openid email offline_access"});
    let (who, login, link) = issue(&app, LINK_CLIENT, &extra).await;
    let code = code_of(&app, &login, &link).await;
    let grant = code_grant(LINK_CLIENT, &code, CALLBACK, &login.pkce.verifier);

    let reply = app.token_form(&grant).await;
    let tokens = reply.expect_status(200).clone();
    assert_eq!(reply.header("cache-control"), Some("no-store"));
    assert_eq!(tokens["token_type"], "Bearer");
    assert!(tokens.get("refresh_token").is_none(), "{tokens}");
    let id = verify(
        tokens["id_token"].as_str().expect("an id token"),
        &app.jwks().await,
        &app.issuer,
        LINK_CLIENT,
    );
    assert_eq!(id.claims["nonce"], login.nonce.as_str());
    assert_eq!(id.claims["email"], who.as_str());
    assert_eq!(id.claims["email_verified"], true);
    let info = app
        .userinfo(tokens["access_token"].as_str().expect("an access token"))
        .await;
    assert_eq!(info.expect_status(200)["sub"], id.claims["sub"]);

    app.token_form(&grant).await.expect_error(
        403,
        "invalid_grant",
        Some("Invalid authorization code"),
    );
}

async fn a_wrong_pkce_verifier_is_refused_and_burns_the_code(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, login, link) = issue(&app, LINK_CLIENT, &json!({})).await;
    let code = code_of(&app, &login, &link).await;
    let other = sesame_e2e::link::Pkce::new();
    app.token_form(&code_grant(LINK_CLIENT, &code, CALLBACK, &other.verifier))
        .await
        .expect_error(403, "invalid_grant", Some("Failed to verify code verifier"));
    app.token_form(&code_grant(
        LINK_CLIENT,
        &code,
        CALLBACK,
        &login.pkce.verifier,
    ))
    .await
    .expect_error(403, "invalid_grant", Some("Invalid authorization code"));
}

async fn a_replayed_code_revokes_the_refresh_token_of_its_first_exchange(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let extra = json!({"scope": "openid email offline_access"});
    let (_, login, link) = issue(&app, REFRESHING_LINK_CLIENT, &extra).await;
    let code = code_of(&app, &login, &link).await;
    let grant = code_grant(
        REFRESHING_LINK_CLIENT,
        &code,
        CALLBACK,
        &login.pkce.verifier,
    );
    let tokens = app.token_json(&grant).await.expect_status(200).clone();
    let refresh = tokens["refresh_token"]
        .as_str()
        .expect("a refresh token for a client with magic_link.refresh_tokens")
        .to_owned();

    app.token_json(&grant).await.expect_error(
        403,
        "invalid_grant",
        Some("Invalid authorization code"),
    );
    let refreshed = app
        .token_json(&json!({
            "grant_type": "refresh_token",
            "client_id": REFRESHING_LINK_CLIENT,
            "refresh_token": refresh,
        }))
        .await;
    refreshed.expect_error(403, "invalid_grant", None);
}

async fn a_tampered_magic_link_is_a_400_error_page_with_a_way_back(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, link) = issue(&app, LINK_CLIENT, &json!({})).await;
    let mut url = url::Url::parse(&link).expect("the link is a URL");
    let pairs: Vec<(String, String)> = url
        .query_pairs()
        .into_owned()
        .map(|(k, v)| {
            if k == "verification_code" {
                let flipped = if v.starts_with('A') { "B" } else { "A" };
                (k, format!("{flipped}{}", &v[1..]))
            } else {
                (k, v)
            }
        })
        .collect();
    url.query_pairs_mut().clear().extend_pairs(&pairs);

    let page = app.open_link(url.as_str()).await;
    assert_error_page(&page, 400, "This link is not valid");
    assert!(
        page.text.contains(&format!(
            "<a href=\"{LINK_LOGIN_URI}\">Back to {LINK_APP_NAME}</a>"
        )),
        "{}",
        page.text
    );
    // The same answer without a token, or for a client nobody registered.
    let bare = app.get("/passwordless/verify_redirect").await;
    assert_error_page(&bare, 400, "This link is not valid");
    // Posted without the confirm page's cookie, it is refused before it
    // is even looked at.
    let posted = app.post_form("/passwordless/verify_redirect", &pairs).await;
    assert_error_page(&posted, 403, "Open the link again");
    // None of that hurt the real link.
    assert_eq!(app.confirm_link(&link).await.status.as_u16(), 302);
}

async fn a_used_magic_link_is_a_410_error_page_in_the_browsers_language(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, link) = issue(&app, LINK_CLIENT, &json!({})).await;
    let page = app.open_link(&link).await;
    app.redirect_of(&link).await;

    assert_error_page(
        &app.open_link(&link).await,
        410,
        "This link was already used",
    );
    let again = app.post_confirm_form(&page).await;
    assert_error_page(&again, 410, "This link was already used");
    let german = app
        .send(
            app.client
                .get(&link)
                .header("accept-language", "de-DE,de;q=0.9"),
        )
        .await;
    assert_error_page(&german, 410, "Dieser Link wurde bereits verwendet");
    assert_eq!(german.header("content-language"), Some("de"));
}

async fn an_expired_magic_link_is_a_410_error_page(backend: Backend) {
    let options = Options {
        code_ttl_secs: 1,
        ..Options::default()
    };
    let app = TestApp::spawn_with(backend, options).await;
    let (_, _, link) = issue(&app, LINK_CLIENT, &json!({})).await;
    // Polls until the one-second lifetime is over (bounded).
    let deadline = Instant::now() + Duration::from_secs(10);
    let page = loop {
        let page = app.open_link(&link).await;
        if page.status.as_u16() != 200 || Instant::now() > deadline {
            break page;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_error_page(&page, 410, "This link has expired");
}

async fn an_implicit_clients_link_answers_with_tokens_in_the_fragment(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let extra = json!({"response_type": "token"});
    let (who, login, link) = issue(&app, IMPLICIT_LINK_CLIENT, &extra).await;
    let location = app.redirect_of(&link).await;
    assert!(
        location.starts_with(&format!("{CALLBACK}#access_token=")),
        "not a fragment answer on the callback"
    );
    let pairs = location_pairs(&location, true);
    assert_eq!(param(&pairs, "token_type"), Some("Bearer"));
    assert_eq!(param(&pairs, "state"), Some(login.state.as_str()));
    assert!(param(&pairs, "expires_in").is_some_and(|s| s.parse::<u64>().is_ok()));
    assert!(param(&pairs, "code").is_none());
    assert!(
        param(&pairs, "id_token").is_none(),
        "response_type token only"
    );
    let info = app
        .userinfo(param(&pairs, "access_token").expect("an access token"))
        .await;
    assert_eq!(info.expect_status(200)["email"], who.as_str());
}

async fn a_cross_site_post_of_the_confirm_form_is_refused_and_spends_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let (_, _, link) = issue(&app, LINK_CLIENT, &json!({})).await;
    let fields = confirm_form_fields(&app.open_link(&link).await.text);
    let forged = app
        .send(
            app.client
                .post(app.url("/passwordless/verify_redirect"))
                .header("sec-fetch-site", "cross-site")
                .form(&fields),
        )
        .await;
    assert_error_page(&forged, 400, "This link is not valid");
    assert_eq!(app.confirm_link(&link).await.status.as_u16(), 302);
}

async fn a_post_without_the_confirm_pages_cookie_is_refused_and_the_link_still_works(
    backend: Backend,
) {
    let app = TestApp::spawn(backend).await;
    let (_, _, link) = issue(&app, LINK_CLIENT, &json!({})).await;
    // Another site (or a client without Sec-Fetch-Site) posts the link's
    // form on the victim's behalf: the victim's browser never opened it.
    let page = app.open_link(&link).await;
    let fields = confirm_form_fields(&page.text);
    let forged = app
        .post_form("/passwordless/verify_redirect", &fields)
        .await;
    assert_error_page(&forged, 403, "Open the link again");
    // With the cookie but from a foreign origin: refused too.
    let cookie = confirm_cookie(&page).expect("the confirm page sets a cookie");
    let foreign = app
        .send(
            app.client
                .post(app.url("/passwordless/verify_redirect"))
                .header("cookie", &cookie)
                .header("origin", "https://evil.example")
                .form(&fields),
        )
        .await;
    assert_error_page(&foreign, 403, "Open the link again");
    // Neither spent it: the browser that opened it signs in.
    assert!(app.redirect_of(&link).await.starts_with(CALLBACK));
}

sesame_e2e::on_every_backend!(
    the_confirm_page_is_private_unframeable_and_spends_nothing,
    a_magic_link_code_exchanges_once_for_tokens_that_carry_the_nonce,
    a_wrong_pkce_verifier_is_refused_and_burns_the_code,
    a_replayed_code_revokes_the_refresh_token_of_its_first_exchange,
    a_tampered_magic_link_is_a_400_error_page_with_a_way_back,
    a_used_magic_link_is_a_410_error_page_in_the_browsers_language,
    an_expired_magic_link_is_a_410_error_page,
    an_implicit_clients_link_answers_with_tokens_in_the_fragment,
    a_cross_site_post_of_the_confirm_form_is_refused_and_spends_nothing,
    a_post_without_the_confirm_pages_cookie_is_refused_and_the_link_still_works,
);
