//! `GET /api/v2/logs` and `GET /api/v2/users/{id}/logs`: log events in the
//! Management API's shape, with `q` (or `search`, which the SDKs send),
//! `page`, `per_page`, `sort`, `include_totals`, `fields`, `include_fields`,
//! and checkpoint paging by `from` and `take`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sesame_domain::service::{ListLogs, ManagementError};
use utoipa::ToSchema;

use crate::AppState;
use crate::management::{Refusal, caller, refusal};
use crate::management_body::{ManagementErrorBody, ManagementRefusals};
use crate::management_list::{flag, number, project};
use crate::openapi::tags;

/// The query of a log listing, as strings: each is checked by name.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(crate) struct LogParams {
    /// A Lucene-style query: `type:s`, `user_id:"email|…"`,
    /// `date:[2024-01-01 TO *]`, …
    q: Option<String>,
    /// `q` by the name the SDKs send; not both.
    search: Option<String>,
    /// The page, from 0.
    #[param(value_type = Option<u32>)]
    page: Option<String>,
    /// Events per page, at most 100 (default 50).
    #[param(value_type = Option<u32>)]
    per_page: Option<String>,
    /// `date:-1` (newest first, the default) or `date:1`.
    sort: Option<String>,
    /// `true` for the page with its totals instead of the bare array.
    #[param(value_type = Option<bool>)]
    include_totals: Option<String>,
    /// Comma-separated members to keep (or drop, with `include_fields=false`).
    fields: Option<String>,
    /// Whether `fields` keeps (default) or drops its members.
    #[param(value_type = Option<bool>)]
    include_fields: Option<String>,
    /// Checkpoint paging: the events after this `log_id`.
    from: Option<String>,
    /// Checkpoint paging: at most this many events (at most 100).
    #[param(value_type = Option<u32>)]
    take: Option<String>,
}

fn params(p: &LogParams) -> Result<ListLogs, ManagementError> {
    if p.q.is_some() && p.search.is_some() {
        return Err(ManagementError::InvalidQuery(
            "send q or search, not both".to_owned(),
        ));
    }
    Ok(ListLogs {
        q: p.q.clone().or_else(|| p.search.clone()),
        page: number("page", p.page.as_deref())?,
        per_page: number("per_page", p.per_page.as_deref())?,
        sort: p.sort.clone(),
        include_totals: flag("include_totals", p.include_totals.as_deref(), false)?,
        from: p.from.clone().filter(|f| !f.is_empty()),
        take: number("take", p.take.as_deref())?,
    })
}

async fn answer(
    state: &AppState,
    p: &LogParams,
    headers: &HeaderMap,
    user: Option<&str>,
) -> Response {
    let body = async {
        let caller = caller(state, headers).await?;
        let params = params(p).map_err(refusal)?;
        let (query, page) = state
            .services
            .management
            .management_logs(&caller, &params, user)
            .await
            .map_err(refusal)?;
        let logs: Vec<LogEventBody> = project(
            page.events.iter().map(|e| e.auth0_json()),
            p.fields.as_deref(),
            p.include_fields.as_deref(),
        )
        .map_err(refusal)?;
        let body = match page.total {
            Some(total) => LogList::Page(LogsPage {
                start: query.offset,
                limit: query.limit,
                length: logs.len(),
                total,
                logs,
            }),
            None => LogList::Logs(logs),
        };
        Ok::<_, Refusal>(Json(body))
    };
    body.await.into_response()
}

/// List or search log events
#[utoipa::path(
    get,
    path = "/api/v2/logs",
    operation_id = "management_list_logs",
    tag = tags::MANAGEMENT,
    params(LogParams),
    security(("bearer" = ["read:logs"])),
    responses(
        (status = 200, description = "The events (members in alphabetical order), or the \
            page with its totals.", body = LogList),
        (status = 400, description = "`invalid_query_string`.", body = ManagementErrorBody),
        ManagementRefusals,
    ),
)]
pub(crate) async fn list_logs(
    State(state): State<AppState>,
    Query(p): Query<LogParams>,
    headers: HeaderMap,
) -> Response {
    answer(&state, &p, &headers, None).await
}

/// List a user's log events
#[utoipa::path(
    get,
    path = "/api/v2/users/{id}/logs",
    operation_id = "management_user_logs",
    tag = tags::MANAGEMENT,
    params(("id" = String, Path, description = "The user id, `email|…` or `sms|…`."), LogParams),
    security(("bearer" = ["read:logs"])),
    responses(
        (status = 200, description = "The user's events (members in alphabetical order), or \
            the page with its totals.", body = LogList),
        (status = 400, description = "`invalid_query_string`.", body = ManagementErrorBody),
        (status = 404, description = "`inexistent_user`.", body = ManagementErrorBody),
        ManagementRefusals,
    ),
)]
pub(crate) async fn user_logs(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<LogParams>,
    headers: HeaderMap,
) -> Response {
    answer(&state, &p, &headers, Some(&id)).await
}

/// A log event as Auth0's log APIs show it, members in alphabetical order,
/// each left out when absent or when `fields` does not pick it.
#[derive(Serialize, Deserialize, ToSchema)]
#[schema(as = LogEvent)]
pub(crate) struct LogEventBody {
    /// The `log_id` again.
    #[serde(rename = "_id", default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    id: Option<String>,
    /// The application that asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    client_id: Option<String>,
    /// `email` or `sms`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    connection: Option<String>,
    /// RFC 3339.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    date: Option<String>,
    /// A human sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    description: Option<String>,
    /// More about it: masked names, the grant, the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false, value_type = Option<std::collections::BTreeMap<String, String>>)]
    details: Option<Value>,
    /// The caller's IP.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    ip: Option<String>,
    /// `false`.
    #[serde(rename = "isMobile", default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    is_mobile: Option<bool>,
    /// Unique, ordered as the events were made; `from` pages by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    log_id: Option<String>,
    /// The connection, for a passwordless one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    strategy: Option<String>,
    /// `passwordless`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    strategy_type: Option<String>,
    /// Auth0's event type code: `s`, `fp`, `sapi`, …
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    kind: Option<String>,
    /// The caller's `User-Agent`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    user_agent: Option<String>,
    /// The user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    user_id: Option<String>,
    /// The user's masked address or number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    user_name: Option<String>,
}

/// A log listing: the events, or with totals (`include_totals=true`) the
/// page.
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
pub(crate) enum LogList {
    /// The events of the page.
    Logs(Vec<LogEventBody>),
    /// The page with its totals.
    Page(LogsPage),
}

/// A page of log events with its totals, members in alphabetical order.
#[derive(Serialize, ToSchema)]
pub(crate) struct LogsPage {
    /// Events on this page.
    pub(crate) length: usize,
    /// `per_page`.
    pub(crate) limit: u32,
    /// The events of the page.
    pub(crate) logs: Vec<LogEventBody>,
    /// Events before this page.
    pub(crate) start: u64,
    /// Events matching, on every page.
    pub(crate) total: u64,
}
