//! A fake SNS on 127.0.0.1:0 that records each form-encoded request and
//! answers with a canned status and XML body.
#![expect(
    clippy::unwrap_used,
    reason = "test helpers: a broken fixture should fail the test loudly"
)]

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

/// The decoded form fields of one request, in order.
pub type Form = Vec<(String, String)>;

/// A running capture server.
pub struct Capture {
    /// Its base URL, to use as the SNS endpoint.
    pub endpoint: String,
    requests: Arc<Mutex<Vec<Form>>>,
}

#[derive(Clone)]
struct Canned {
    status: StatusCode,
    xml: String,
    requests: Arc<Mutex<Vec<Form>>>,
}

impl Capture {
    /// Starts a server answering every request with `status` and `xml`.
    pub async fn start(status: u16, xml: &str) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let canned = Canned {
            status: StatusCode::from_u16(status).unwrap(),
            xml: xml.to_owned(),
            requests: Arc::clone(&requests),
        };
        let app = Router::new().fallback(answer).with_state(canned);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Self { endpoint, requests }
    }

    /// Every request received so far.
    pub fn requests(&self) -> Vec<Form> {
        self.requests.lock().unwrap().clone()
    }
}

async fn answer(State(c): State<Canned>, body: String) -> impl IntoResponse {
    let form = form_urlencoded::parse(body.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    c.requests.lock().unwrap().push(form);
    (c.status, [(header::CONTENT_TYPE, "text/xml")], c.xml)
}

/// The value of `key` in `form`.
pub fn field<'a>(form: &'a Form, key: &str) -> Option<&'a str> {
    form.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

/// The message attributes of a `Publish` form: name → (data type, value).
pub fn attributes(form: &Form) -> BTreeMap<String, (String, String)> {
    let mut out = BTreeMap::new();
    for n in 1.. {
        let Some(name) = field(form, &format!("MessageAttributes.entry.{n}.Name")) else {
            break;
        };
        let get = |part: &str| {
            field(form, &format!("MessageAttributes.entry.{n}.Value.{part}"))
                .unwrap_or_default()
                .to_owned()
        };
        out.insert(name.to_owned(), (get("DataType"), get("StringValue")));
    }
    out
}

/// A successful `Publish` answer with `message_id`.
pub fn publish_response(message_id: &str) -> String {
    format!(
        r#"<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <PublishResult><MessageId>{message_id}</MessageId></PublishResult>
  <ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>
</PublishResponse>"#
    )
}

/// An SNS error answer.
pub fn error_response(kind: &str, code: &str, message: &str) -> String {
    format!(
        r#"<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/">
  <Error><Type>{kind}</Type><Code>{code}</Code><Message>{message}</Message></Error>
  <RequestId>req-2</RequestId>
</ErrorResponse>"#
    )
}
