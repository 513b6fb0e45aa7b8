//! `GET /openapi.json`: the OpenAPI 3.1 document of every route, generated
//! from the route table in `lib.rs` (each handler's `#[utoipa::path]`, and
//! the request and response types it names), built once and served as bytes.

use std::sync::OnceLock;

use axum::body::Bytes;
use axum::response::{IntoResponse, Response};
use http::HeaderValue;
use http::header::{CACHE_CONTROL, CONTENT_TYPE};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi};

/// The tags that group the operations.
pub(crate) mod tags {
    /// Auth0's Authentication API: start, token, revoke, userinfo.
    pub(crate) const AUTHENTICATION: &str = "Authentication";
    /// The magic link's pages.
    pub(crate) const MAGIC_LINK: &str = "Magic link";
    /// Auth0's MFA API.
    pub(crate) const MFA: &str = "MFA";
    /// The subset of Auth0's Management API v2.
    pub(crate) const MANAGEMENT: &str = "Management";
    /// OIDC discovery, the JWKS and this document.
    pub(crate) const DISCOVERY: &str = "Discovery";
    /// Liveness and readiness probes.
    pub(crate) const HEALTH: &str = "Health";
}

/// The document's frame: everything but the paths and their schemas, which
/// the route table adds.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Sesame",
        description = "Passwordless authentication that speaks Auth0's Authentication API, \
            its MFA API and a subset of its Management API v2. Request bodies are read as \
            JSON or as a form, whatever the `Content-Type` says; a JSON `null` is absent. \
            Errors answer Auth0's envelope `{error, error_description}`, except the \
            Management API's `{statusCode, error, message, errorCode}` and the magic \
            link's HTML pages. A path no route serves answers 404 `not_found`, a method a \
            path does not serve 405 `method_not_allowed` (see `components.responses`)."
    ),
    tags(
        (name = tags::AUTHENTICATION, description = "Auth0's Authentication API."),
        (name = tags::MAGIC_LINK, description = "The magic link: HTML pages for a person."),
        (name = tags::MFA, description = "Auth0's MFA API."),
        (name = tags::MANAGEMENT, description = "A subset of Auth0's Management API v2."),
        (name = tags::DISCOVERY, description = "OIDC discovery, the keys, this document."),
        (name = tags::HEALTH, description = "Probes."),
    ),
    // Referenced only by `ManagementRefusals`, whose derived responses do
    // not register the schemas they name.
    components(schemas(crate::management_body::ManagementUnavailable)),
    modifiers(&Frame),
)]
struct ApiDoc;

/// Adds the security schemes and the fallback answers.
struct Frame;

impl Modify for Frame {
    fn modify(&self, doc: &mut Document) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "An access token: for `/userinfo`; for the MFA API (or an \
                         `mfa_token`); for the Management API, with its scopes.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "dpop",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                "Authorization",
                "`DPoP <access token>` with a `DPoP` proof header (RFC 9449): a token \
                 bound to a DPoP key.",
            ))),
        );
        components.add_security_scheme(
            "client_secret_basic",
            SecurityScheme::Http(
                Http::builder()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "The client id and secret (RFC 6749 §2.3.1). They may come in the \
                         body instead (`client_secret_post`); a public client sends only \
                         its `client_id`.",
                    ))
                    .build(),
            ),
        );
        for (name, description) in [
            ("NotFound", "`not_found`: no route serves the path."),
            (
                "MethodNotAllowed",
                "`method_not_allowed`: the path is served, not with this method; `Allow` \
                 lists the methods.",
            ),
        ] {
            components.responses.insert(
                name.to_owned(),
                ResponseBuilder::new()
                    .description(description)
                    .content(
                        "application/json",
                        ContentBuilder::new()
                            .schema(Some(Ref::from_schema_name("OAuthError")))
                            .build(),
                    )
                    .build()
                    .into(),
            );
        }
    }
}

/// The frame every route is added to.
pub(crate) fn frame() -> Document {
    ApiDoc::openapi()
}

/// The document, serialized once.
pub fn json() -> Bytes {
    static DOCUMENT: OnceLock<Bytes> = OnceLock::new();
    DOCUMENT
        .get_or_init(|| {
            let doc = crate::routes(&|r| r).into_openapi();
            Bytes::from(doc.to_pretty_json().unwrap_or_default())
        })
        .clone()
}

/// This document
///
/// The OpenAPI 3.1 document of every route, generated from the handlers'
/// request and response types.
#[utoipa::path(
    get,
    path = "/openapi.json",
    operation_id = "openapi",
    tag = tags::DISCOVERY,
    responses((status = 200, description = "The document.", content_type = "application/json",
        body = Object)),
)]
pub(crate) async fn serve() -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("application/json")),
            (
                CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=3600"),
            ),
        ],
        json(),
    )
        .into_response()
}
