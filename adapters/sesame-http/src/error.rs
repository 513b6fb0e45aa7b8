//! The one error envelope of the edge: `{"error", "error_description"}` with a
//! status and, sometimes, extra headers (rate limits, `WWW-Authenticate`).

use std::borrow::Cow;

use axum::Json;
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde::Serialize;
use utoipa::ToSchema;

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
    /// What `mfa_required` adds beside `error` and `error_description`.
    mfa: Option<MfaChallenge>,
}

/// The error envelope of every JSON endpoint except the Management API:
/// `error` and `error_description`, nothing else.
#[derive(Serialize, ToSchema)]
#[schema(as = OAuthError)]
#[serde(deny_unknown_fields)]
pub(crate) struct ErrorBody {
    /// The error code: `invalid_request`, `invalid_grant`, `bad.email`, …
    #[schema(value_type = String, example = "invalid_request")]
    error: Cow<'static, str>,
    /// What went wrong, for a person.
    #[schema(example = "Missing required parameter: grant_type")]
    error_description: String,
}

/// `POST /oauth/token`'s 403 when a second factor is needed: the envelope
/// plus the `mfa_token` and what to challenge or enroll.
#[derive(Serialize, ToSchema)]
#[schema(as = MfaRequiredError)]
#[serde(deny_unknown_fields)]
pub(crate) struct MfaRequiredBody {
    /// `mfa_required`.
    #[schema(value_type = String, example = "mfa_required")]
    error: Cow<'static, str>,
    /// `Multifactor authentication required`.
    error_description: String,
    /// The factors to challenge (enrolled) or to enroll (none yet).
    mfa_requirements: MfaRequirements,
    /// The token for the MFA API and the MFA grants.
    mfa_token: String,
}

/// What an `mfa_required` answer carries beside the envelope.
#[derive(Debug, Clone)]
pub(crate) struct MfaChallenge {
    /// What to challenge or enroll.
    pub(crate) requirements: MfaRequirements,
    /// The token for the MFA API and the MFA grants.
    pub(crate) mfa_token: String,
}

/// `{"challenge": [...]}` or `{"enroll": [...]}`.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub(crate) enum MfaRequirements {
    /// Pass one of these enrolled factors.
    Challenge(Vec<RequiredFactor>),
    /// Enroll one of these first.
    Enroll(Vec<RequiredFactor>),
}

/// One factor of `mfa_requirements`, by Auth0's name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct RequiredFactor {
    /// `otp`, `phone`, `email` or `recovery-code`.
    #[serde(rename = "type")]
    #[schema(value_type = String, example = "otp")]
    pub(crate) kind: &'static str,
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
            mfa: None,
        }))
    }

    /// Adds the `mfa_required` members to the body.
    pub(crate) fn with_mfa(mut self, mfa: MfaChallenge) -> Self {
        self.0.mfa = Some(mfa);
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
            mfa,
        } = *self.0;
        let mut response = match mfa {
            None => (
                status,
                Json(ErrorBody {
                    error,
                    error_description: description,
                }),
            )
                .into_response(),
            Some(m) => (
                status,
                Json(MfaRequiredBody {
                    error,
                    error_description: description,
                    mfa_requirements: m.requirements,
                    mfa_token: m.mfa_token,
                }),
            )
                .into_response(),
        };
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
