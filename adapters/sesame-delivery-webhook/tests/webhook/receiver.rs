//! A webhook receiver on 127.0.0.1:0 that records every request as received
//! (raw body bytes and headers) and answers as told.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a broken fixture should fail the test loudly"
)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

/// How the receiver answers.
#[derive(Clone, Debug)]
pub enum Answer {
    /// This status, with an `x-message-id` header when given.
    Status(u16, Option<&'static str>),
    /// Never: the request is read, then the handler sleeps for an hour.
    Hang,
    /// `302 Found` to `/elsewhere` on the same server.
    Redirect,
}

/// One recorded request.
#[derive(Clone, Debug)]
pub struct Received {
    /// The request path.
    pub path: String,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body, byte for byte.
    pub body: Bytes,
}

impl Received {
    /// A header's value as text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A running receiver.
pub struct Receiver {
    /// The URL to configure the sender with.
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
}

#[derive(Clone)]
struct Shared {
    answer: Answer,
    received: Arc<Mutex<Vec<Received>>>,
}

impl Receiver {
    /// Starts a receiver answering every request with `answer`.
    pub async fn start(answer: Answer) -> Self {
        let received = Arc::new(Mutex::new(Vec::new()));
        let shared = Shared {
            answer,
            received: Arc::clone(&received),
        };
        let app = Router::new().fallback(handle).with_state(shared);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hooks/sesame", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { url, received }
    }

    /// Every request so far.
    pub fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }

    /// The only request so far.
    pub fn only(&self) -> Received {
        let all = self.received();
        assert_eq!(all.len(), 1, "expected exactly one request");
        all.into_iter().next().unwrap()
    }
}

async fn handle(State(s): State<Shared>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    s.received.lock().unwrap().push(Received {
        path: uri.path().to_owned(),
        headers,
        body,
    });
    match s.answer {
        _ if uri.path() == "/elsewhere" => StatusCode::OK.into_response(),
        Answer::Status(code, id) => {
            let status = StatusCode::from_u16(code).unwrap();
            match id {
                Some(id) => (status, [("x-message-id", id)]).into_response(),
                None => status.into_response(),
            }
        }
        Answer::Hang => {
            tokio::time::sleep(Duration::from_secs(3600)).await;
            StatusCode::OK.into_response()
        }
        Answer::Redirect => (StatusCode::FOUND, [(header::LOCATION, "/elsewhere")]).into_response(),
    }
}
