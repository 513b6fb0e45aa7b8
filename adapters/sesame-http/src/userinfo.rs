//! `GET|POST /userinfo`: the profile behind an access token, presented as
//! `Bearer`, or as `DPoP` with a proof (RFC 9449 §7).

use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::{AUTHORIZATION, WWW_AUTHENTICATE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use serde::Serialize;
use sesame_domain::{DpopProof, Profile};
use utoipa::ToSchema;

use crate::AppState;
use crate::domain_errors::userinfo_error;
use crate::error::{ApiError, ErrorBody};
use crate::openapi::tags;
use crate::token::no_store;

/// The user's profile claims, as Auth0 fills them for a passwordless user.
#[derive(Serialize, ToSchema)]
#[schema(as = UserInfo)]
pub(crate) struct UserinfoBody {
    /// The user id (`email|…` or `sms|…`).
    sub: String,
    /// The email address, for the email connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    email: Option<String>,
    /// Whether the address is verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    email_verified: Option<bool>,
    /// The phone number, for the sms connection.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    phone_number: Option<String>,
    /// Whether the number is verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    phone_verified: Option<bool>,
    /// The address or number.
    name: String,
    /// The local part of the address, or the number.
    nickname: String,
    /// RFC 3339.
    updated_at: String,
}

impl From<Profile> for UserinfoBody {
    fn from(p: Profile) -> Self {
        // Every claim by name: a claim added to the profile fails to build
        // here until it is documented.
        let Profile {
            sub,
            email,
            email_verified,
            phone_number,
            phone_verified,
            name,
            nickname,
            updated_at,
        } = p;
        Self {
            sub,
            email,
            email_verified,
            phone_number,
            phone_verified,
            name,
            nickname,
            updated_at,
        }
    }
}

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

/// Get the user's profile
///
/// The profile behind an access token, presented as `Bearer`, or as `DPoP`
/// with a proof (RFC 9449 §7). `GET` and `POST` answer alike.
#[utoipa::path(
    method(get, post),
    path = "/userinfo",
    operation_id = "userinfo",
    tag = tags::AUTHENTICATION,
    params(("DPoP" = Option<String>, Header, nullable = false,
        description = "A DPoP proof, with `Authorization: DPoP <token>`.")),
    security(("bearer" = []), ("dpop" = [])),
    responses(
        (status = 200, description = "The profile.", body = UserinfoBody),
        (status = 401, description = "`invalid_token` or `invalid_dpop_proof`, with a \
            `WWW-Authenticate` challenge.", body = ErrorBody),
        (status = 500, description = "`server_error`.", body = ErrorBody),
        (status = 503, description = "`temporarily_unavailable`.", body = ErrorBody),
    ),
)]
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
        Ok(profile) => Json(UserinfoBody::from(profile)).into_response(),
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
    fn the_userinfo_body_is_the_profile_as_the_domain_serializes_it() {
        let now = sesame_domain::Timestamp::from_unix_seconds(1_700_000_000);
        for recipient in [
            sesame_testkit::fixtures::fresh_email(),
            sesame_testkit::fixtures::fresh_phone(),
        ] {
            let profile = Profile::of(&sesame_testkit::fixtures::fresh_user(recipient, now));
            let domain = serde_json::to_string(&profile).unwrap();
            let served = serde_json::to_string(&UserinfoBody::from(profile)).unwrap();
            assert_eq!(served, domain);
        }
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
