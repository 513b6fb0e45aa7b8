//! OIDC discovery (`/.well-known/openid-configuration`, built once) and the
//! JWKS (`/.well-known/jwks.json`, asked of the service on each request so a
//! key rotation shows up).

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use http::{HeaderValue, StatusCode};
use serde::{Deserialize, Serialize};
use sesame_domain::service::Issuer;
use utoipa::ToSchema;

use crate::AppState;
use crate::domain_errors::store_error;
use crate::error::{ApiError, ErrorBody};
use crate::openapi::tags;

/// Both documents may be cached briefly; a rotated key shows within a minute.
const CACHEABLE: HeaderValue = HeaderValue::from_static("public, max-age=60");

/// The OpenID Provider Metadata (OIDC Discovery 1.0 §3), members in
/// alphabetical order.
#[derive(Serialize, ToSchema)]
#[schema(as = OpenIdConfiguration)]
pub(crate) struct DiscoveryBody {
    /// Required by OIDC discovery; passwordless flows never use it, and
    /// Sesame does not serve it.
    authorization_endpoint: String,
    /// The claims the ID token and `/userinfo` can carry.
    claims_supported: Vec<&'static str>,
    /// PKCE: `S256`.
    code_challenge_methods_supported: Vec<&'static str>,
    /// The algorithms DPoP proofs may use.
    dpop_signing_alg_values_supported: Vec<&'static str>,
    /// The grants of `POST /oauth/token` (and the magic link's `implicit`).
    grant_types_supported: Vec<&'static str>,
    /// The ID token's algorithms.
    id_token_signing_alg_values_supported: Vec<&'static str>,
    /// The issuer, as in every token's `iss`.
    issuer: String,
    /// `GET /.well-known/jwks.json`.
    jwks_uri: String,
    /// How the magic link's redirect carries its answer.
    response_modes_supported: Vec<&'static str>,
    /// The magic link's response types.
    response_types_supported: Vec<&'static str>,
    /// `POST /oauth/revoke`.
    revocation_endpoint: String,
    /// The scopes a client may ask for.
    scopes_supported: Vec<&'static str>,
    /// `public`.
    subject_types_supported: Vec<&'static str>,
    /// `POST /oauth/token`.
    token_endpoint: String,
    /// How clients authenticate at the token and revocation endpoints.
    token_endpoint_auth_methods_supported: Vec<&'static str>,
    /// `GET|POST /userinfo`.
    userinfo_endpoint: String,
}

/// The discovery document for `issuer`, serialized.
///
/// `authorization_endpoint` is required by OIDC discovery, so it is listed
/// even though the passwordless flows never use it.
pub(crate) fn document(issuer: &Issuer) -> Bytes {
    let doc = DiscoveryBody {
        issuer: issuer.as_str().to_owned(),
        // Required by OIDC discovery; passwordless flows never use it, and
        // Sesame does not serve it (docs/api.md).
        authorization_endpoint: issuer.endpoint("authorize"),
        token_endpoint: issuer.endpoint("oauth/token"),
        userinfo_endpoint: issuer.endpoint("userinfo"),
        jwks_uri: issuer.endpoint(".well-known/jwks.json"),
        revocation_endpoint: issuer.endpoint("oauth/revoke"),
        response_types_supported: vec!["code", "token", "id_token", "id_token token"],
        subject_types_supported: vec!["public"],
        id_token_signing_alg_values_supported: vec!["RS256", "ES256", "EdDSA"],
        token_endpoint_auth_methods_supported: vec![
            "client_secret_basic",
            "client_secret_post",
            "none",
        ],
        grant_types_supported: vec![
            "http://auth0.com/oauth/grant-type/passwordless/otp",
            "authorization_code",
            "implicit",
            "refresh_token",
            "client_credentials",
            "http://auth0.com/oauth/grant-type/mfa-otp",
            "http://auth0.com/oauth/grant-type/mfa-oob",
            "http://auth0.com/oauth/grant-type/mfa-recovery-code",
        ],
        response_modes_supported: vec!["query", "fragment"],
        scopes_supported: vec!["openid", "profile", "email", "phone", "offline_access"],
        claims_supported: vec![
            "aud",
            "azp",
            "email",
            "email_verified",
            "exp",
            "iat",
            "iss",
            "name",
            "nickname",
            "nonce",
            "phone_number",
            "phone_verified",
            "sub",
            "updated_at",
        ],
        code_challenge_methods_supported: vec!["S256"],
        dpop_signing_alg_values_supported: sesame_domain::dpop::SUPPORTED_ALGS.to_vec(),
    };
    Bytes::from(serde_json::to_vec(&doc).unwrap_or_default())
}

/// The JSON Web Key Set: the public signing keys, current ones first.
#[derive(Serialize, Deserialize, ToSchema)]
#[schema(as = JsonWebKeySet)]
pub(crate) struct JwksBody {
    /// The keys.
    keys: Vec<Jwk>,
}

/// One public signing key (RFC 7517), members in alphabetical order. Only
/// these members are published, whatever else a stored key holds.
#[derive(Serialize, Deserialize, ToSchema)]
#[schema(as = JsonWebKey)]
pub(crate) struct Jwk {
    /// `RS256`, `ES256` or `EdDSA`.
    alg: String,
    /// EC and OKP keys: `P-256` or `Ed25519`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    crv: Option<String>,
    /// RSA keys: the exponent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    e: Option<String>,
    /// The key id, as in the tokens' `kid` header.
    kid: String,
    /// `RSA`, `EC` or `OKP`.
    kty: String,
    /// RSA keys: the modulus.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    n: Option<String>,
    /// `sig`.
    #[serde(rename = "use")]
    key_use: String,
    /// EC and OKP keys: the x coordinate or the public key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    x: Option<String>,
    /// EC keys: the y coordinate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    y: Option<String>,
}

/// Get the OpenID configuration
///
/// OIDC discovery: the issuer and every endpoint, derived from it.
#[utoipa::path(
    get,
    path = "/.well-known/openid-configuration",
    operation_id = "openid_configuration",
    tag = tags::DISCOVERY,
    responses(
        (status = 200, description = "The metadata; may be cached for a minute.",
            body = DiscoveryBody),
    ),
)]
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

/// Get the signing keys
///
/// The JSON Web Key Set that verifies the tokens; a rotated key shows
/// within a minute.
#[utoipa::path(
    get,
    path = "/.well-known/jwks.json",
    operation_id = "jwks",
    tag = tags::DISCOVERY,
    responses(
        (status = 200, description = "The keys; may be cached for a minute.", body = JwksBody),
        (status = 500, description = "`server_error`.", body = ErrorBody),
        (status = 503, description = "`temporarily_unavailable`: the key store is down.",
            body = ErrorBody),
    ),
)]
pub(crate) async fn jwks(State(state): State<AppState>) -> Response {
    let doc = match state.services.discovery.jwks().await {
        Ok(doc) => doc,
        Err(e) => return store_error(e).into_response(),
    };
    match serde_json::from_value::<JwksBody>(doc) {
        Ok(keys) => (StatusCode::OK, [(CACHE_CONTROL, CACHEABLE)], Json(keys)).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "the key set is not a set of public signing keys");
            ApiError::internal().into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;

    #[test]
    fn the_discovery_document_lists_its_members_in_alphabetical_order() {
        let issuer = Issuer::parse("https://auth.example.com/").unwrap();
        let bytes = document(&issuer);
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        let text = String::from_utf8(bytes.to_vec()).unwrap();
        let mut at: Vec<usize> = keys
            .iter()
            .map(|k| text.find(&format!("\"{k}\":")).unwrap())
            .collect();
        let served = at.clone();
        at.sort_unstable();
        assert_eq!(served, at, "{text}");
        assert_eq!(keys.len(), 16);
    }

    #[test]
    fn the_published_keys_are_the_stored_ones() {
        for jwk in [
            json!({"kty": "RSA", "n": "0vx7", "e": "AQAB", "kid": "r", "alg": "RS256", "use": "sig"}),
            json!({"kty": "EC", "crv": "P-256", "x": "a", "y": "b", "kid": "e", "alg": "ES256",
                "use": "sig"}),
            json!({"kty": "OKP", "crv": "Ed25519", "x": "a", "kid": "o", "alg": "EdDSA",
                "use": "sig"}),
        ] {
            let set = json!({"keys": [jwk]});
            let typed: JwksBody = serde_json::from_value(set.clone()).unwrap();
            assert_eq!(serde_json::to_value(&typed).unwrap(), set);
        }
        // Only public members are published, whatever a stored key holds.
        let leaky = json!({"keys": [{"kty": "OKP", "crv": "Ed25519", "x": "a", "d": "secret",
            "kid": "o", "alg": "EdDSA", "use": "sig"}]});
        let typed: JwksBody = serde_json::from_value(leaky).unwrap();
        assert!(!serde_json::to_string(&typed).unwrap().contains("secret"));
    }
}
