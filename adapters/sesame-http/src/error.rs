//! The one error envelope of the edge: `{"error", "error_description"}` with a
//! status and, sometimes, extra headers (rate limits, `WWW-Authenticate`).

use std::borrow::Cow;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::Serialize;

/// An error answer, Auth0-style. Boxed: it travels in every `Result` of the
/// request path.
#[derive(Debug)]
pub(crate) struct ApiError(Box<Inner>);

#[derive(Debug)]
struct Inner {
    status: StatusCode,
    error: Cow<'static, str>,
    description: String,
    headers: HeaderMap,
    /// Members beside `error` and `error_description` (`mfa_required`'s
    /// `mfa_token` and `mfa_requirements`).
    extra: serde_json::Map<String, serde_json::Value>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    error: &'a str,
    error_description: &'a str,
    #[serde(flatten)]
    extra: &'a serde_json::Map<String, serde_json::Value>,
}

impl ApiError {
    /// `status` with the `error` code and a human `description`.
    pub(crate) fn new(
        status: StatusCode,
        error: impl Into<Cow<'static, str>>,
        description: impl Into<String>,
    ) -> Self {
        Self(Box::new(Inner {
            status,
            error: error.into(),
            description: description.into(),
            headers: HeaderMap::new(),
            extra: serde_json::Map::new(),
        }))
    }

    /// Adds a member to the body, beside `error` and `error_description`.
    pub(crate) fn with_member(mut self, name: &str, value: serde_json::Value) -> Self {
        self.0.extra.insert(name.to_owned(), value);
        self
    }

    /// Adds a response header.
    pub(crate) fn with_header(mut self, name: HeaderName, value: HeaderValue) -> Self {
        self.0.headers.insert(name, value);
        self
    }

    /// Adds response headers.
    pub(crate) fn with_headers(mut self, headers: HeaderMap) -> Self {
        self.0.headers.extend(headers);
        self
    }

    /// 400 `invalid_request`.
    pub(crate) fn invalid_request(description: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request", description)
    }

    /// 503 `temporarily_unavailable`.
    pub(crate) fn unavailable() -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "temporarily_unavailable",
            "The service is temporarily unavailable. Please try again later.",
        )
    }

    /// 500 `server_error`. The cause is logged by the caller, never sent.
    pub(crate) fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "server_error",
            "An unexpected error occurred.",
        )
    }

    /// The `error` code, for the metrics.
    pub(crate) fn code(&self) -> &str {
        &self.0.error
    }

    /// The status this error answers with.
    #[cfg(test)]
    pub(crate) const fn status(&self) -> StatusCode {
        self.0.status
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let Inner {
            status,
            error,
            description,
            headers,
            extra,
        } = *self.0;
        let body = Envelope {
            error: &error,
            error_description: &description,
            extra: &extra,
        };
        let mut response = (status, Json(body)).into_response();
        response.headers_mut().extend(headers);
        response
    }
}

/// At most `max` characters of `s`, control characters dropped: for echoing
/// caller input (a client id, an audience) back without echoing a megabyte.
pub(crate) fn clip(s: &str, max: usize) -> String {
    let mut out: String = s.chars().filter(|c| !c.is_control()).take(max).collect();
    if s.chars().filter(|c| !c.is_control()).nth(max).is_some() {
        out.push('…');
    }
    out
}

/// An error and its sources, joined with `: `, for a log line.
pub(crate) fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(source) = next {
        out.push_str(": ");
        out.push_str(&source.to_string());
        next = source.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_keeps_short_input_and_marks_cut_input() {
        assert_eq!(clip("abc", 5), "abc");
        assert_eq!(clip("abcdef", 3), "abc…");
        assert_eq!(clip("a\nb\u{0}c", 5), "abc");
    }

    #[test]
    fn the_chain_names_every_source() {
        let e = anyhow::anyhow!("root cause").context("outer");
        let boxed: Box<dyn std::error::Error + 'static> = e.into();
        assert_eq!(chain(boxed.as_ref()), "outer: root cause");
    }
}
