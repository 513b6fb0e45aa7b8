//! `GET /api/v2/logs` and `GET /api/v2/users/{id}/logs`: log events in the
//! Management API's shape, with `q` (or `search`, which the SDKs send),
//! `page`, `per_page`, `sort`, `include_totals`, `fields`, `include_fields`,
//! and checkpoint paging by `from` and `take`.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use sesame_domain::service::{ListLogs, ManagementError};

use crate::AppState;
use crate::management::{Refusal, caller, refusal};
use crate::management_list::{flag, number, select};

/// The query of a log listing, as strings: each is checked by name.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct LogParams {
    q: Option<String>,
    search: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    sort: Option<String>,
    include_totals: Option<String>,
    fields: Option<String>,
    include_fields: Option<String>,
    from: Option<String>,
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
        let fields: Vec<&str> = p
            .fields
            .as_deref()
            .map(|f| f.split(',').map(str::trim).collect())
            .unwrap_or_default();
        let include = flag("include_fields", p.include_fields.as_deref(), true).map_err(refusal)?;
        let logs: Vec<Value> = page
            .events
            .iter()
            .map(|e| {
                let json = e.auth0_json();
                if fields.is_empty() {
                    json
                } else {
                    select(json, &fields, include)
                }
            })
            .collect();
        let body = match page.total {
            Some(total) => json!({
                "start": query.offset,
                "limit": query.limit,
                "length": logs.len(),
                "total": total,
                "logs": logs,
            }),
            None => Value::Array(logs),
        };
        Ok::<_, Refusal>(Json(body))
    };
    body.await.into_response()
}

/// `GET /api/v2/logs` (scope `read:logs`).
pub(crate) async fn list_logs(
    State(state): State<AppState>,
    Query(p): Query<LogParams>,
    headers: HeaderMap,
) -> Response {
    answer(&state, &p, &headers, None).await
}

/// `GET /api/v2/users/{id}/logs` (scope `read:logs`).
pub(crate) async fn user_logs(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(p): Query<LogParams>,
    headers: HeaderMap,
) -> Response {
    answer(&state, &p, &headers, Some(&id)).await
}
