//! `GET /api/v2/users`: search (`q`, `search_engine=v3`), paging (`page`,
//! `per_page` up to 100, `include_totals`), `sort`, `fields` and
//! `include_fields`, and `connection`, in the Management API's shapes.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use serde::Deserialize;
use serde_json::{Value, json};
use sesame_domain::Connection;
use sesame_domain::service::{ListUsers, ManagementError};

use crate::AppState;
use crate::management::{Refusal, UserBody, caller, refusal};

/// The query of `GET /api/v2/users`, as strings: each is checked by name.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(crate) struct ListParams {
    q: Option<String>,
    search_engine: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
    include_totals: Option<String>,
    sort: Option<String>,
    fields: Option<String>,
    include_fields: Option<String>,
    connection: Option<String>,
}

pub(crate) fn number(name: &str, v: Option<&str>) -> Result<Option<u32>, ManagementError> {
    v.map(|s| {
        s.parse::<u32>()
            .map_err(|_| ManagementError::InvalidQuery(format!("{name} must be a whole number")))
    })
    .transpose()
}

pub(crate) fn flag(name: &str, v: Option<&str>, default: bool) -> Result<bool, ManagementError> {
    match v {
        None => Ok(default),
        Some("true") => Ok(true),
        Some("false") => Ok(false),
        Some(_) => Err(ManagementError::InvalidQuery(format!(
            "{name} must be true or false"
        ))),
    }
}

/// Keeps (or, with `include_fields=false`, drops) the comma-separated
/// `fields` of each user.
pub(crate) fn select(mut user: Value, fields: &[&str], include: bool) -> Value {
    if let Value::Object(map) = &mut user {
        map.retain(|k, _| fields.contains(&k.as_str()) == include);
    }
    user
}

/// `GET /api/v2/users`: search (`q`, `search_engine=v3`), paging (`page`,
/// `per_page` up to 100, `include_totals`), `sort`, `fields` and
/// `include_fields`, `connection`.
pub(crate) async fn list_users(
    State(state): State<AppState>,
    Query(p): Query<ListParams>,
    headers: HeaderMap,
) -> Response {
    let answer = async {
        let caller = caller(&state, &headers).await?;
        let params = list_params(&p).map_err(refusal)?;
        let (query, page) = state
            .services
            .management
            .management_list_users(&caller, &params)
            .await
            .map_err(refusal)?;
        let fields: Vec<&str> = p
            .fields
            .as_deref()
            .map(|f| f.split(',').map(str::trim).collect())
            .unwrap_or_default();
        let include = flag("include_fields", p.include_fields.as_deref(), true).map_err(refusal)?;
        let users: Vec<Value> = page
            .users
            .iter()
            .map(|u| {
                let json = serde_json::to_value(UserBody::from(u)).unwrap_or(Value::Null);
                if fields.is_empty() {
                    json
                } else {
                    select(json, &fields, include)
                }
            })
            .collect();
        let body = if flag("include_totals", p.include_totals.as_deref(), false).map_err(refusal)? {
            json!({
                "start": u64::from(query.page) * u64::from(query.per_page),
                "limit": query.per_page,
                "length": users.len(),
                "total": page.total,
                "users": users,
            })
        } else {
            Value::Array(users)
        };
        Ok::<_, Refusal>(Json(body))
    };
    answer.await.into_response()
}

fn list_params(p: &ListParams) -> Result<ListUsers, ManagementError> {
    if let Some(engine) = p.search_engine.as_deref()
        && engine != "v3"
    {
        return Err(ManagementError::InvalidQuery(format!(
            "search_engine {engine:?} is not supported: use v3"
        )));
    }
    let connection = match p.connection.as_deref() {
        None => None,
        Some(c) => Some(c.parse::<Connection>().map_err(|_| {
            ManagementError::InvalidQuery("connection must be email or sms".to_owned())
        })?),
    };
    Ok(ListUsers {
        q: p.q.clone(),
        connection,
        page: number("page", p.page.as_deref())?,
        per_page: number("per_page", p.per_page.as_deref())?,
        sort: p.sort.clone(),
    })
}
