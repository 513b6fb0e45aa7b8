//! The app's side of a magic link: a tiny web server on 127.0.0.1 and an
//! ephemeral port whose `/callback` records the query it was called with
//! and answers a small HTML page, as an app's redirect handler would.

use std::time::Duration;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::response::Html;
use axum::routing::get;
use tokio::net::TcpListener;
use tokio::sync::{Mutex, mpsc};
use tokio::task::JoinHandle;

/// What the callback page says: no parameter is echoed into it.
pub const CALLBACK_PAGE_HEADING: &str = "Signed in to the E2E app";

/// A running callback server.
#[derive(Debug)]
pub struct CallbackServer {
    /// `http://127.0.0.1:<port>/callback`: register this as the client's
    /// callback.
    pub url: String,
    calls: Mutex<mpsc::UnboundedReceiver<Vec<(String, String)>>>,
    server: JoinHandle<()>,
}

impl CallbackServer {
    /// Starts one.
    ///
    /// # Panics
    /// 127.0.0.1:0 cannot be bound.
    pub async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the callback server to 127.0.0.1:0");
        let port = listener.local_addr().expect("the bound address").port();
        let (tx, rx) = mpsc::unbounded_channel();
        let app = Router::new()
            .route("/callback", get(callback))
            .with_state(tx);
        let server = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Self {
            url: format!("http://127.0.0.1:{port}/callback"),
            calls: Mutex::new(rx),
            server,
        }
    }

    /// The query of the next call to `/callback`, as pairs, waiting at most
    /// `timeout` for it.
    ///
    /// # Panics
    /// No call arrives in time.
    pub async fn next_call(&self, timeout: Duration) -> Vec<(String, String)> {
        let mut calls = self.calls.lock().await;
        tokio::time::timeout(timeout, calls.recv())
            .await
            .unwrap_or_else(|_| panic!("the callback was not called within {timeout:?}"))
            .expect("the callback server stopped")
    }

    /// Whether `/callback` was called and the call not yet taken.
    pub async fn was_called(&self) -> bool {
        !self.calls.lock().await.is_empty()
    }
}

impl Drop for CallbackServer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn callback(
    State(calls): State<mpsc::UnboundedSender<Vec<(String, String)>>>,
    RawQuery(query): RawQuery,
) -> Html<String> {
    let pairs = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .into_owned()
        .collect();
    let _ = calls.send(pairs);
    Html(format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>E2E app</title></head><body><h1>{CALLBACK_PAGE_HEADING}</h1>\
         <p>The app received its authorization code.</p></body></html>"
    ))
}

/// The value of `name` among `pairs`.
#[must_use]
pub fn param<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}
