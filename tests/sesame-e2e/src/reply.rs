//! A response read whole, and the assertions every suite makes on it.

use reqwest::StatusCode;
use reqwest::header::HeaderMap;
use serde_json::Value;

/// A response: status, headers and the body (as JSON when it is JSON).
#[derive(Debug)]
pub struct Reply {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body as text.
    pub text: String,
    /// The body as JSON; `Null` when it is not JSON.
    pub body: Value,
}

impl Reply {
    /// Reads `response` whole.
    ///
    /// # Panics
    /// The body cannot be read.
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("reading the response body");
        let body = serde_json::from_str(&text).unwrap_or(Value::Null);
        Self {
            status,
            headers,
            text,
            body,
        }
    }

    /// The string at `key` of the JSON body, if there is one.
    #[must_use]
    pub fn str(&self, key: &str) -> Option<&str> {
        self.body.get(key).and_then(Value::as_str)
    }

    /// Header `name`, if present and text.
    #[must_use]
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Header `name` as a number.
    ///
    /// # Panics
    /// The header is missing or not a number.
    #[must_use]
    pub fn numeric_header(&self, name: &str) -> i64 {
        let raw = self
            .header(name)
            .unwrap_or_else(|| panic!("no {name} header in {self:#?}"));
        raw.parse()
            .unwrap_or_else(|_| panic!("{name}: {raw:?} is not a number"))
    }

    /// Asserts a success with status `status`; returns the body.
    ///
    /// # Panics
    /// Another status.
    #[track_caller]
    pub fn expect_status(&self, status: u16) -> &Value {
        assert_eq!(
            self.status.as_u16(),
            status,
            "expected {status}, got {} {}",
            self.status,
            self.text
        );
        &self.body
    }

    /// Asserts an error in Auth0's envelope: `status`, the `error` code and,
    /// when given, the exact `error_description`. Never a 5xx, always JSON.
    ///
    /// # Panics
    /// Any of that differs.
    #[track_caller]
    pub fn expect_error(&self, status: u16, error: &str, description: Option<&str>) {
        assert!(
            !self.status.is_server_error(),
            "a server error: {} {}",
            self.status,
            self.text
        );
        assert_eq!(
            (self.status.as_u16(), self.str("error")),
            (status, Some(error)),
            "body: {}",
            self.text
        );
        let content_type = self.header("content-type").unwrap_or_default();
        assert!(
            content_type.starts_with("application/json"),
            "content-type {content_type:?}"
        );
        assert!(
            self.str("error_description").is_some(),
            "no error_description: {}",
            self.text
        );
        if let Some(d) = description {
            assert_eq!(
                self.str("error_description"),
                Some(d),
                "body: {}",
                self.text
            );
        }
    }
}
