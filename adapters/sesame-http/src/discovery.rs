//! OIDC discovery (`/.well-known/openid-configuration`, built once) and the
//! JWKS (`/.well-known/jwks.json`, asked of the service on each request so a
//! key rotation shows up).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use serde_json::json;
use sesame_domain::service::Issuer;

use crate::AppState;
use crate::domain_errors::store_error;

/// Both documents may be cached briefly; a rotated key shows within a minute.
const CACHEABLE: HeaderValue = HeaderValue::from_static("public, max-age=60");

/// The discovery document for `issuer`, serialized.
///
/// `authorization_endpoint` is required by OIDC discovery, so it is listed
/// even though the passwordless flows never use it.
pub(crate) fn document(issuer: &Issuer) -> Bytes {
    let doc = json!({
        "issuer": issuer.as_str(),
        // Required by OIDC discovery; passwordless flows never use it, and
        // Sesame does not serve it (docs/api.md).
        "authorization_endpoint": issuer.endpoint("authorize"),
        "token_endpoint": issuer.endpoint("oauth/token"),
        "userinfo_endpoint": issuer.endpoint("userinfo"),
        "jwks_uri": issuer.endpoint(".well-known/jwks.json"),
        "revocation_endpoint": issuer.endpoint("oauth/revoke"),
        "response_types_supported": ["code", "token", "id_token", "id_token token"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
        "token_endpoint_auth_methods_supported":
            ["client_secret_basic", "client_secret_post", "none"],
        "grant_types_supported": [
            "http://auth0.com/oauth/grant-type/passwordless/otp",
            "authorization_code",
            "implicit",
            "refresh_token",
            "client_credentials",
            "http://auth0.com/oauth/grant-type/mfa-otp",
            "http://auth0.com/oauth/grant-type/mfa-oob",
            "http://auth0.com/oauth/grant-type/mfa-recovery-code",
        ],
        "response_modes_supported": ["query", "fragment"],
        "scopes_supported": ["openid", "profile", "email", "phone", "offline_access"],
        "claims_supported": [
            "aud", "azp", "email", "email_verified", "exp", "iat", "iss", "name",
            "nickname", "nonce", "phone_number", "phone_verified", "sub", "updated_at",
        ],
        "code_challenge_methods_supported": ["S256"],
        "dpop_signing_alg_values_supported": sesame_domain::dpop::SUPPORTED_ALGS,
    });
    Bytes::from(doc.to_string())
}

/// `GET /.well-known/openid-configuration`.
pub(crate) async fn openid_configuration(State(state): State<AppState>) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (CACHE_CONTROL, CACHEABLE),
        ],
        state.discovery,
    )
        .into_response()
}

/// `GET /.well-known/jwks.json`.
pub(crate) async fn jwks(State(state): State<AppState>) -> Response {
    match state.services.discovery.jwks().await {
        Ok(doc) => (StatusCode::OK, [(CACHE_CONTROL, CACHEABLE)], Json(doc)).into_response(),
        Err(e) => store_error(e).into_response(),
    }
}
