//! # sesame-http
//!
//! The HTTP edge of Sesame: Auth0's passwordless endpoints
//! (`POST /passwordless/start`, the magic link's
//! `/passwordless/verify_redirect`, `POST /oauth/token` with the passwordless
//! OTP, authorization-code and refresh-token grants, `POST /oauth/revoke`, `GET /userinfo`), the
//! MFA API and a Management API subset, plus OIDC discovery, the JWKS,
//! health probes and `GET /openapi.json` (the OpenAPI 3.1 document of all of
//! it, generated from the handlers' types), as one [`axum::Router`].
//!
//! The router takes the domain's roles as [`Services`]: the real
//! [`sesame_domain::Passwordless`] behind every role in production, a mock of
//! one role in a handler test; the magic link's pages come from the
//! [`sesame_domain::ports::PageRenderer`] in it. It only translates: requests into the domain's request types, the domain's
//! errors into Auth0's `{"error", "error_description"}` envelope. Every error
//! the edge itself produces (bad body, unknown route, wrong method, body too
//! large, timeout) uses the same envelope, except on the magic link, whose every
//! answer is a page.
//!
//! Serve it with `into_make_service_with_connect_info::<SocketAddr>()` so
//! rate limits see the peer address; without it the client IP is unknown.
//!
//! ## Choices where Auth0's behaviour is not documented
//! - A confidential client with a missing or wrong secret at start: 401
//!   `unauthorized` "Unauthorized". An unknown client: 400 `bad.client_id`
//!   `"Unknown client: <id>"` (the id cut to 64 characters).
//! - A connection not enabled for the client: 400 `bad.connection`
//!   "Connection is disabled" at start (Auth0's documented text), 403
//!   `unauthorized_client` at the token endpoint.
//! - `send` absent means a link for email (as Auth0) and a code for SMS,
//!   which can carry nothing else; `send: "link"` on SMS is a code too.
//! - A `redirect_uri` that is not a callback: 403 `unauthorized_client`
//!   "Callback URL mismatch. …". A wider refresh scope: 403 `invalid_scope`
//!   (Auth0 answers grant errors with 403).
//! - Email delivery failures: 503 `email_provider_error`; SMS ones: 400
//!   `sms_provider_error`, as Auth0 documents.
//! - Body errors are `bad.request` at start and `invalid_request` elsewhere:
//!   400 for bad JSON or form data, 413 over the limit, 415 for another
//!   media type. A time-out is 503 `temporarily_unavailable`.
//! - `Basic` credentials are percent-decoded (RFC 6749 §2.3.1) but `+` stays
//!   `+`, since many clients do not encode and base64 secrets contain it.

mod client_auth;
mod config;
mod discovery;
mod domain_errors;
mod dpop;
mod edge;
mod error;
mod extract;
mod flood;
mod health;
mod ip;
mod link;
mod link_cookie;
mod link_page;
mod locale;
mod management;
mod management_body;
mod management_list;
mod management_logs;
mod management_patch;
mod management_stats;
mod metrics;
mod mfa;
mod mfa_body;
mod openapi;
mod param;
mod ratelimit_headers;
mod revoke;
mod services;
mod start;
mod start_body;
mod token;
mod token_body;
mod userinfo;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::DefaultBodyLimit;
use axum::routing::MethodRouter;
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouterExt};
use utoipa_axum::routes;

pub use config::{ClientIpSource, HttpConfig};
pub use management::user_json;
pub use services::Services;

/// What every handler shares: the roles, the IP policy and the discovery
/// document, built once.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The domain's roles.
    pub(crate) services: Services,
    /// Where the client IP comes from.
    pub(crate) ip_source: ClientIpSource,
    /// The serialized OpenID configuration.
    pub(crate) discovery: Bytes,
}

/// A route's own layers: the flood guard, on the endpoints that write.
type Guard<'a> = &'a dyn Fn(MethodRouter<AppState>) -> MethodRouter<AppState>;

/// The JSON API's routes. This table is the one source of both the router
/// and `GET /openapi.json`: each handler's `#[utoipa::path]` says its path,
/// methods, parameters, bodies and answers. Add a route here with
/// `.routes(routes!(…))`, never `.route(…)`, which would leave it out of the
/// document (a test fails on it).
fn api_routes(guarded: Guard<'_>) -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(openapi::frame())
        .routes(routes!(start::handle).map(guarded))
        .routes(routes!(token::handle).map(guarded))
        .routes(routes!(revoke::handle))
        .routes(routes!(management_list::list_users))
        .routes(routes!(
            management::get_user,
            management::update_user,
            management::delete_user
        ))
        .routes(routes!(management::users_by_email))
        .routes(routes!(management_logs::list_logs))
        .routes(routes!(management_stats::active_users))
        .routes(routes!(management_logs::user_logs))
        .routes(routes!(management::revoke_refresh_tokens))
        .routes(routes!(mfa::list))
        .routes(routes!(mfa::delete))
        .routes(routes!(mfa::associate).map(guarded))
        .routes(routes!(mfa::challenge).map(guarded))
        .routes(routes!(userinfo::handle))
        .routes(routes!(discovery::jwks))
        .routes(routes!(discovery::openid_configuration))
        .routes(routes!(openapi::serve))
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
}

/// The magic link's routes (HTML pages), likewise.
fn page_routes(guarded: Guard<'_>) -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(link::show, link::confirm).map(guarded))
}

/// Every route, for the document.
pub(crate) fn routes(guarded: Guard<'_>) -> OpenApiRouter<AppState> {
    api_routes(guarded).merge(page_routes(guarded))
}

/// The OpenAPI 3.1 document that `GET /openapi.json` serves: every route,
/// generated from the handlers' request and response types.
#[must_use]
pub fn openapi_json() -> Bytes {
    openapi::json()
}

/// The whole HTTP API over `services`, with the limits, CORS policy and
/// client-IP source of `config`.
///
/// Routes: `POST /passwordless/start`, `GET|POST
/// /passwordless/verify_redirect`, `POST /oauth/token`,
/// `POST /oauth/revoke`, `GET|POST /userinfo`, the MFA API (`/mfa/…`), the
/// Management API subset (`/api/v2/…`), `GET /.well-known/jwks.json`,
/// `GET /.well-known/openid-configuration`, `GET /openapi.json`,
/// `GET /healthz`, `GET /readyz`. Anything else answers 404 (or 405 for a
/// known path) in the error envelope.
pub fn router(services: Services, config: HttpConfig) -> Router {
    let discovery = discovery::document(services.discovery.issuer());
    let page_renderer = Arc::clone(&services.pages);
    let state = AppState {
        services,
        ip_source: config.client_ip,
        discovery,
    };
    // Built once per process, before the first request asks for it.
    drop(openapi::json());
    let timeout = Duration::from_secs(config.request_timeout_secs.max(1));
    // Before any handler, so before any store call: the endpoints that write.
    let flood = flood::FloodGuard::from_config(&config);
    let guarded = |route: MethodRouter<AppState>| match &flood {
        Some(guard) => route.layer(axum::middleware::from_fn_with_state(
            Arc::clone(guard),
            flood::limit,
        )),
        None => route,
    };
    // A program reads these: its time limit answers in the JSON envelope.
    let api = api_routes(&guarded)
        .route_layer(axum::middleware::from_fn_with_state(
            timeout,
            edge::time_limit,
        ))
        .route_layer(axum::middleware::from_fn(metrics::record));
    // A person looks at these: its time limit answers with an HTML page.
    let pages = page_routes(&guarded)
        .route_layer(axum::middleware::from_fn_with_state(
            link_page::PageTimeLimit {
                limit: timeout,
                pages: page_renderer,
            },
            link_page::time_limit,
        ))
        .route_layer(axum::middleware::from_fn(metrics::record));
    let (routes, _document) = api.merge(pages).split_for_parts();
    routes
        .fallback(edge::not_found)
        .method_not_allowed_fallback(edge::method_not_allowed)
        .with_state(state)
        .layer(DefaultBodyLimit::max(config.body_limit_bytes))
        .layer(edge::cors(&config.cors_allowed_origins))
        .layer(edge::trace())
}
