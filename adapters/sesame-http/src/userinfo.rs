//! `GET|POST /userinfo`: the profile behind an access token, presented as
//! `Bearer`, or as `DPoP` with a proof (RFC 9449 §7).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use sesame_domain::DpopProof;

use crate::AppState;
use crate::domain_errors::userinfo_error;
use crate::error::ApiError;
use crate::token::no_store;

/// The token of `headers` under `scheme`, if the `Authorization` header
/// carries one.
fn credential<'h>(headers: &'h HeaderMap, scheme: &str) -> Option<&'h str> {
    let value = headers.get(AUTHORIZATION)?.to_str().ok()?.trim();
    let (presented, token) = value.split_once(' ')?;
    let token = token.trim();
    (presented.eq_ignore_ascii_case(scheme) && !token.is_empty()).then_some(token)
}

/// The bearer token of `headers`, if the `Authorization` header carries one.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    credential(headers, "bearer")
}

/// 401 with the RFC 6750 challenge.
fn invalid_token(description: &str) -> ApiError {
    ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token", description).with_header(
        WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer error="invalid_token""#),
    )
}

/// The handler.
pub(crate) async fn handle(
    State(state): State<AppState>,
    method: Method,
    headers: HeaderMap,
) -> Response {
    let answer = if let Some(token) = credential(&headers, "dpop") {
        // RFC 9449 §7: the DPoP scheme, with a proof of the token's key.
        let proof = crate::dpop::proof(&headers, &method).unwrap_or_else(|| DpopProof {
            headers: Vec::new(),
            method: method.as_str().to_owned(),
        });
        state.services.userinfo.userinfo_dpop(token, &proof).await
    } else if let Some(token) = bearer(&headers) {
        state.services.userinfo.userinfo(token).await
    } else {
        return no_store(invalid_token("Missing bearer access token.").into_response());
    };
    let response = match answer {
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
