//! Magic links in a real browser (headless Chromium over WebDriver): the
//! link arrives in the SMTP sink's mailbox, the browser opens it, confirms,
//! and lands on an app callback served by the test, whose code exchanges
//! for tokens that verify against the served JWKS. Screenshots of the
//! confirm and error pages go to `target/screenshots/`.
//!
//! Needs Chromium and chromedriver (`scripts/test-services/run up` installs
//! them) and the test services' SMTP sink; without them these tests fail,
//! naming the command to run.
#![expect(
    clippy::expect_used,
    reason = "test code: a failed step must fail the test loudly"
)]

use std::time::Duration;

use serde_json::{Value, json};
use sesame_domain::Recipient;
use sesame_e2e::browser::Browser;
use sesame_e2e::callback::{CALLBACK_PAGE_HEADING, CallbackServer, param};
use sesame_e2e::jwt::verify;
use sesame_e2e::link::{LinkLogin, code_grant};
use sesame_e2e::mailbox::Mailbox;
use sesame_e2e::{Backend, LinkClient, Options, TestApp, fresh_email};

/// The application the browser signs in to.
const BROWSER_CLIENT: &str = "e2e-browser";
/// Its name, as the confirm and error pages show it.
const BROWSER_APP: &str = "Sesame Browser Test";
/// How long the browser may take from Continue to the callback.
const CALLBACK_TIMEOUT: Duration = Duration::from_secs(30);
/// How many times the scanner test fetches the link.
const SCANNER_GETS: usize = 10;

/// A server whose only link client lands on `callback`, configured by
/// `client`; email goes over SMTP when `mailbox` is given.
async fn spawn(
    callback: &CallbackServer,
    client: impl FnOnce(LinkClient) -> LinkClient,
    mailbox: Option<&Mailbox>,
) -> TestApp {
    let options = Options {
        link_clients: vec![client(LinkClient::public(
            BROWSER_CLIENT,
            BROWSER_APP,
            &callback.url,
        ))],
        ..Options::default()
    };
    let options = match mailbox {
        Some(m) => m.options(options),
        None => options,
    };
    TestApp::spawn_with(Backend::Sqlite, options).await
}

/// The start request for `who`, naming the callback as `redirect_uri`.
fn start_body(login: &LinkLogin, who: &Recipient, callback: &CallbackServer) -> Value {
    login.start_body(who, &json!({"redirect_uri": callback.url}))
}

/// Takes the next callback call, checks its state and that the browser shows
/// the callback page, and exchanges its code; returns the id token's claims
/// after checking them.
async fn land_and_exchange(
    app: &TestApp,
    browser: &Browser,
    callback: &CallbackServer,
    login: &LinkLogin,
    who: &Recipient,
) -> Value {
    let call = callback.next_call(CALLBACK_TIMEOUT).await;
    assert_eq!(param(&call, "state"), Some(login.state.as_str()));
    let code = param(&call, "code").expect("the callback got a code");
    browser
        .wait_for_url_starting_with(&format!("{}?", callback.url), CALLBACK_TIMEOUT)
        .await;
    assert!(
        browser.text().await.contains(CALLBACK_PAGE_HEADING),
        "the browser shows the app's callback page"
    );

    let grant = code_grant(BROWSER_CLIENT, code, &callback.url, &login.pkce.verifier);
    let tokens = app.token_form(&grant).await.expect_status(200).clone();
    let id = verify(
        tokens["id_token"].as_str().expect("an id token"),
        &app.jwks().await,
        &app.issuer,
        BROWSER_CLIENT,
    );
    assert_eq!(id.claims["aud"], BROWSER_CLIENT);
    assert_eq!(id.claims["nonce"], login.nonce.as_str());
    assert_eq!(id.claims["email"], who.as_str());
    assert_eq!(id.claims["email_verified"], true);
    id.claims
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_magic_link_from_the_mailbox_signs_the_browser_in_once() {
    let mailbox = Mailbox::shared();
    let callback = CallbackServer::start().await;
    let app = spawn(&callback, |c| c, Some(&mailbox)).await;
    let browser = Browser::launch().await;
    let who = fresh_email();
    let login = LinkLogin::new(BROWSER_CLIENT);

    let seen = mailbox.count(who.as_str());
    app.start(&start_body(&login, &who, &callback))
        .await
        .expect_status(200);
    let mail = mailbox.wait_for_new(who.as_str(), seen).await;
    assert!(mail.subject.contains(BROWSER_APP), "{:?}", mail.subject);
    let link = mail.link_starting_with(&app.link_prefix());
    assert_eq!(app.outbox.count(), 0, "the email went over SMTP");

    browser.open(&link).await;
    let page = browser.text().await;
    assert!(
        page.contains(&format!("Sign in to {BROWSER_APP}")),
        "{page}"
    );
    assert!(page.contains("Continue"), "{page}");
    browser.screenshot("magic-link-confirm.png").await;
    assert!(
        !callback.was_called().await,
        "opening the link spent nothing"
    );

    browser.click("form#confirm button[type=submit]").await;
    land_and_exchange(&app, &browser, &callback, &login, &who).await;

    // The same link again: the error page, with a way back to the app.
    browser.open(&link).await;
    let page = browser.text().await;
    assert!(page.contains("This link was already used"), "{page}");
    browser.screenshot("magic-link-error.png").await;
    let back = browser.find("main a").await;
    assert_eq!(
        back.text().await.expect("the back link's text"),
        format!("Back to {BROWSER_APP}")
    );
    let origin = url::Url::parse(&callback.url)
        .expect("the callback is a URL")
        .origin()
        .ascii_serialization();
    assert_eq!(
        back.attr("href").await.expect("the back link's href"),
        Some(format!("{origin}/"))
    );
    assert!(!callback.was_called().await, "the used link went nowhere");
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_scanner_fetches_leave_the_link_usable_by_the_browser() {
    let callback = CallbackServer::start().await;
    let app = spawn(&callback, |c| c, None).await;
    let who = fresh_email();
    let login = LinkLogin::new(BROWSER_CLIENT);
    let link = app
        .issue_link(&who, &start_body(&login, &who, &callback))
        .await;

    // A scanner: plain GETs, no redirects followed, no cookies kept.
    let scanner = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("an HTTP client");
    for _ in 0..SCANNER_GETS {
        let page = app.send(scanner.get(&link)).await;
        page.expect_status(200);
        assert!(
            page.text
                .contains(&format!("<h1>Sign in to {BROWSER_APP}</h1>"))
                && page.text.contains("<form id=\"confirm\""),
            "the confirm page"
        );
    }
    assert!(!callback.was_called().await);

    let browser = Browser::launch().await;
    browser.open(&link).await;
    browser.click("form#confirm button[type=submit]").await;
    land_and_exchange(&app, &browser, &callback, &login, &who).await;
    browser.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auto_submit_link_lands_on_the_callback_without_a_click() {
    let callback = CallbackServer::start().await;
    let auto = |c: LinkClient| LinkClient {
        auto_submit: true,
        ..c
    };
    let app = spawn(&callback, auto, None).await;
    let who = fresh_email();
    let login = LinkLogin::new(BROWSER_CLIENT);
    let link = app
        .issue_link(&who, &start_body(&login, &who, &callback))
        .await;
    // Without a browser, the page still waits for its form to be sent.
    let page = app.open_link(&link).await;
    page.expect_status(200);
    assert!(
        page.text.contains("<script nonce="),
        "the auto-submit script"
    );

    let browser = Browser::launch().await;
    browser.open(&link).await;
    land_and_exchange(&app, &browser, &callback, &login, &who).await;
    browser.close().await;
}
