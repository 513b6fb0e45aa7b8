//! `GET` and `POST /passwordless/verify_redirect`: the magic link.
//!
//! The GET only checks the link and shows a confirm page whose one button
//! POSTs it back; only the POST spends it. Mail scanners that prefetch links
//! (and never submit forms) therefore cannot burn them. Every answer is an
//! HTML page or a redirect, never JSON: a person is looking at it.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{RawQuery, State};
use axum::response::{IntoResponse, Response};
use http::header::{CACHE_CONTROL, LOCATION, REFERRER_POLICY, SET_COOKIE};
use http::request::Parts;
use http::{HeaderMap, HeaderValue, StatusCode};
use secrecy::{ExposeSecret as _, SecretString};
use sesame_domain::ClientId;
use sesame_domain::page::{ConfirmPage, LinkProblem};
use sesame_domain::service::{LinkError, LinkRequest};
use utoipa::ToSchema;

use crate::AppState;
use crate::error::ErrorBody;
use crate::link_cookie;
use crate::link_page::{self, error_page, html, nonce, origin_source};
use crate::locale::locale;
use crate::openapi::tags;

/// The route of the link and of its confirm page's form.
pub(crate) const PATH: &str = "/passwordless/verify_redirect";

/// The form posts to the link's own path, relative so that it works behind
/// a path prefix.
const ACTION: &str = "verify_redirect";

/// The parameters that identify a link; the rest of its query is ignored,
/// since the OAuth parameters come from the stored start request. A
/// repeated one makes the link invalid.
#[derive(utoipa::IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
#[schema(as = MagicLink)]
pub(crate) struct LinkParams {
    /// The application that started the login.
    #[schema(nullable = false)]
    client_id: Option<String>,
    /// `email`.
    #[schema(nullable = false)]
    connection: Option<String>,
    /// The address the link went to.
    #[schema(nullable = false)]
    email: Option<String>,
    /// The link's secret.
    #[param(value_type = Option<String>)]
    #[schema(nullable = false, value_type = Option<String>)]
    verification_code: Option<SecretString>,
}

impl LinkParams {
    /// Reads `client_id`, `connection`, `email` and `verification_code` from a
    /// query string or form body. A repeated parameter makes the link
    /// invalid rather than picking one of its values.
    fn parse(raw: &[u8]) -> Result<Self, LinkProblem> {
        let pairs: Vec<(String, String)> =
            serde_urlencoded::from_bytes(raw).map_err(|_| LinkProblem::Invalid)?;
        let mut p = Self {
            client_id: None,
            connection: None,
            email: None,
            verification_code: None,
        };
        for (k, v) in pairs {
            let repeated = match k.as_str() {
                "client_id" => p.client_id.replace(v).is_some(),
                "connection" => p.connection.replace(v).is_some(),
                "email" => p.email.replace(v).is_some(),
                "verification_code" => p.verification_code.replace(SecretString::from(v)).is_some(),
                _ => false,
            };
            if repeated {
                return Err(LinkProblem::Invalid);
            }
        }
        Ok(p)
    }

    /// The domain request, when every part is there.
    fn request(&self) -> Option<LinkRequest> {
        Some(LinkRequest {
            client_id: ClientId::parse(self.client_id.clone()?).ok()?,
            connection: self.connection.clone()?,
            email: self.email.clone()?,
            verification_code: self.verification_code.clone()?,
        })
    }
}

/// Open a magic link
///
/// Checks the link and shows a page whose one button confirms it (so mail
/// scanners that prefetch links cannot spend them), and sets the cookie
/// that ties the confirmation to this browser. Every answer but the flood
/// guard's is an HTML page.
#[utoipa::path(
    get,
    path = PATH,
    operation_id = "magic_link_show",
    tag = tags::MAGIC_LINK,
    params(LinkParams),
    responses(
        (status = 200, description = "The confirm page.", content_type = "text/html",
            body = String, headers(("set-cookie" = String,
                description = "The `__Host-` cookie that ties the confirmation to this browser."))),
        (status = 400, description = "The link is invalid, or its callback is not allowed.",
            content_type = "text/html", body = String),
        (status = 403, description = "The link may not be used here.",
            content_type = "text/html", body = String),
        (status = 410, description = "The link has expired or was used.",
            content_type = "text/html", body = String),
        (status = 429, description = "`too_many_requests`: the per-IP flood guard.",
            body = ErrorBody),
        (status = 503, description = "A backend is down, or the request timed out.",
            content_type = "text/html", body = String),
    ),
)]
pub(crate) async fn show(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    let locale = locale(&headers);
    let params = match LinkParams::parse(query.unwrap_or_default().as_bytes()) {
        Ok(p) => p,
        Err(problem) => {
            return error_page(&*state.services.pages, problem, None, locale);
        }
    };
    let Some(req) = params.request() else {
        return refuse(&state, &params, LinkError::Invalid, locale).await;
    };
    let preview = match state.services.links.inspect_link(req).await {
        Ok(p) => p,
        Err(e) => {
            link_page::log(&e, "link check");
            return refuse(&state, &params, e, locale).await;
        }
    };
    let nonce = nonce();
    let fields = [
        ("client_id", params.client_id.clone()),
        ("connection", params.connection.clone()),
        ("email", params.email.clone()),
        (
            "verification_code",
            params
                .verification_code
                .as_ref()
                .map(|c| c.expose_secret().to_owned()),
        ),
    ]
    .into_iter()
    .filter_map(|(k, v)| Some((k.to_owned(), v?)))
    .collect();
    let page = ConfirmPage {
        application_name: preview.application_name,
        action: ACTION.to_owned(),
        fields,
        auto_submit: preview.auto_submit,
        csp_nonce: nonce.clone(),
        locale: locale.clone(),
    };
    match state.services.pages.confirm_page(&page) {
        Ok(rendered) => {
            let targets: Vec<String> = origin_source(preview.redirect_uri.as_str())
                .into_iter()
                .collect();
            let mut page = html(StatusCode::OK, rendered, &nonce, &targets);
            if let Some(cookie) = params
                .verification_code
                .as_ref()
                .and_then(|c| link_cookie::set_cookie(&state, c.expose_secret()))
            {
                page.headers_mut().append(SET_COOKIE, cookie);
            }
            page
        }
        Err(e) => {
            tracing::error!(error = %crate::error::chain(&e), "rendering the confirm page failed");
            error_page(
                &*state.services.pages,
                LinkProblem::Unavailable,
                None,
                locale,
            )
        }
    }
}

/// Confirm a magic link
///
/// The confirm page's form: spends the link and redirects to the
/// application's callback with the code or tokens. Only the browser that
/// opened the link (its cookie) may spend it, and not from another site.
#[utoipa::path(
    post,
    path = PATH,
    operation_id = "magic_link_confirm",
    tag = tags::MAGIC_LINK,
    request_body(content = LinkParams, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 302, description = "Signed in: to the callback.",
            headers(("location" = String, description = "The callback, with the answer."))),
        (status = 400, description = "The link is invalid, or its callback is not allowed.",
            content_type = "text/html", body = String),
        (status = 403, description = "Not confirmed by this browser, or not allowed.",
            content_type = "text/html", body = String),
        (status = 410, description = "The link has expired or was used.",
            content_type = "text/html", body = String),
        (status = 429, description = "`too_many_requests`: the per-IP flood guard.",
            body = ErrorBody),
        (status = 503, description = "A backend is down, or the request timed out.",
            content_type = "text/html", body = String),
    ),
)]
pub(crate) async fn confirm(
    State(state): State<AppState>,
    parts: Parts,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let locale = locale(&parts.headers);
    let invalid = |state: &AppState, locale| {
        error_page(&*state.services.pages, LinkProblem::Invalid, None, locale)
    };
    // Only the confirm page posts here. A cross-site form post is another
    // site trying to sign the browser in with a link of its choosing.
    if parts
        .headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return invalid(&state, locale);
    }
    let Ok(body) = body else {
        return invalid(&state, locale);
    };
    let params = match LinkParams::parse(&body) {
        Ok(p) => p,
        Err(_) => return invalid(&state, locale),
    };
    let Some(req) = params.request() else {
        return invalid(&state, locale);
    };
    // Login CSRF: only the browser that opened this link (and got the
    // confirm page's cookie) may spend it, and not from another origin.
    // Checked before anything is spent, so a refused POST leaves the link
    // usable.
    if !link_cookie::is_confirmed(
        &state,
        &parts.headers,
        req.verification_code.expose_secret(),
    ) {
        tracing::info!(problem = "unconfirmed", "link redemption refused");
        let app = state
            .services
            .links
            .link_app(&req.client_id)
            .await
            .ok()
            .flatten();
        return error_page(
            &*state.services.pages,
            LinkProblem::Unconfirmed,
            app,
            locale,
        );
    }
    match state.services.links.redeem_link(req).await {
        Ok(redirect) => match HeaderValue::from_str(&redirect.location()) {
            Ok(location) => (
                StatusCode::FOUND,
                [
                    (LOCATION, location),
                    (CACHE_CONTROL, HeaderValue::from_static("no-store")),
                    (REFERRER_POLICY, HeaderValue::from_static("no-referrer")),
                ],
            )
                .into_response(),
            Err(_) => {
                tracing::error!("the callback location is not a valid header value");
                refuse(&state, &params, LinkError::RedirectMismatch, locale).await
            }
        },
        Err(e) => {
            link_page::log(&e, "link redemption");
            refuse(&state, &params, e, locale).await
        }
    }
}

/// The error page for `e`, with the application's name and a way back when
/// the link names a known application.
async fn refuse(
    state: &AppState,
    params: &LinkParams,
    e: LinkError,
    locale: Option<String>,
) -> Response {
    let app = match (&params.client_id, &e) {
        // The registry is what failed: do not ask it again.
        (_, LinkError::Unavailable(_)) | (None, _) => None,
        (Some(id), _) => match ClientId::parse(id.as_str()) {
            Ok(id) => state.services.links.link_app(&id).await.ok().flatten(),
            Err(_) => None,
        },
    };
    error_page(&*state.services.pages, e.problem(), app, locale)
}
