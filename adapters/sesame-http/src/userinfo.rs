//! `GET|POST /userinfo`: the profile behind a bearer access token.

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, StatusCode};

use crate::AppState;
use crate::domain_errors::userinfo_error;
use crate::error::ApiError;
use crate::token::no_store;

/// The bearer token of `headers`, if the `Authorization` header carries one.
fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// 401 with the RFC 6750 challenge.
fn invalid_token(description: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", description).with_header(
        WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer error="invalid_token""#),
    )
}

/// The handler.
pub(crate) async fn handle(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let Some(token) = bearer(&headers) else {
        return no_store(invalid_token("Missing bearer access token.").into_response());
    };
    let response = match state.services.userinfo.userinfo(token).await {
        Ok(profile) => Json(profile).into_response(),
        Err(e) => userinfo_error(e)
            .unwrap_or_else(|| invalid_token("The access token is invalid or has expired."))
            .into_response(),
    };
    no_store(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, v.parse().unwrap());
        h
    }

    #[test]
    fn the_bearer_scheme_is_case_insensitive_and_needs_a_token() {
        assert_eq!(bearer(&auth("Bearer abc")), Some("abc"));
        assert_eq!(bearer(&auth("bearer   abc ")), Some("abc"));
        assert_eq!(bearer(&auth("Bearer ")), None);
        assert_eq!(bearer(&auth("Basic abc")), None);
        assert_eq!(bearer(&HeaderMap::new()), None);
    }
}
