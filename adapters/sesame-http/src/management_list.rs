//! `GET /api/v2/users`: search (`q`, `search_engine=v3`), paging (`page`,
//! `per_page` up to 100, `include_totals`), `sort`, `fields` and
//! `include_fields`, and `connection`, in the Management API's shapes.

use axum::Json;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use http::HeaderMap;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use sesame_domain::Connection;
use sesame_domain::service::{ListUsers, ManagementError};

use crate::AppState;
use crate::management::{Refusal, UserBody, caller, refusal};
use crate::management_body::{
    ListedUser, ManagementErrorBody, ManagementRefusals, UserList, UsersPage,
};
use crate::openapi::tags;

/// The query of `GET /api/v2/users`, as strings: each is checked by name.
#[derive(Deserialize, Default, utoipa::IntoParams)]
#[serde(default)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListParams {
    /// A Lucene-style query (search engine v3): `email:"a@example.com"`,
    /// `blocked:true`, `logins_count:[1 TO *]`, `user_metadata.plan:pro`, …
    q: Option<String>,
    /// `v3`, the only one.
    search_engine: Option<String>,
    /// The page, from 0.
    #[param(value_type = Option<u32>)]
    page: Option<String>,
    /// Users per page, at most 100 (default 50).
    #[param(value_type = Option<u32>)]
    per_page: Option<String>,
    /// `true` for the page with its totals instead of the bare array.
    #[param(value_type = Option<bool>)]
    include_totals: Option<String>,
    /// `field:1` (ascending) or `field:-1`.
    sort: Option<String>,
    /// Comma-separated members to keep (or drop, with `include_fields=false`).
    fields: Option<String>,
    /// Whether `fields` keeps (default) or drops its members.
    #[param(value_type = Option<bool>)]
    include_fields: Option<String>,
    /// `email` or `sms`: only that connection's users.
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

/// Each of `items` (as JSON) with only the comma-separated `fields` kept
/// (or, with `include_fields=false`, dropped), read back as the listing's
/// typed member `T`; every member when `fields` is absent or empty.
///
/// # Errors
/// [`ManagementError::InvalidQuery`] for an `include_fields` that is not a
/// boolean; [`ManagementError::Unknown`] when a projection does not read
/// back as `T`.
pub(crate) fn project<T: DeserializeOwned>(
    items: impl Iterator<Item = Value>,
    fields: Option<&str>,
    include_fields: Option<&str>,
) -> Result<Vec<T>, ManagementError> {
    let fields: Vec<&str> = fields
        .map(|f| f.split(',').map(str::trim).collect())
        .unwrap_or_default();
    let include = flag("include_fields", include_fields, true)?;
    items
        .map(|mut json| {
            if !fields.is_empty()
                && let Value::Object(map) = &mut json
            {
                map.retain(|k, _| fields.contains(&k.as_str()) == include);
            }
            serde_json::from_value::<T>(json)
        })
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| ManagementError::Unknown(e.into()))
}

/// List or search users
///
/// Search (`q`, `search_engine=v3`), paging (`page`, `per_page` up to 100,
/// `include_totals`), `sort`, `fields` and `include_fields`, `connection`.
#[utoipa::path(
    get,
    path = "/api/v2/users",
    operation_id = "management_list_users",
    tag = tags::MANAGEMENT,
    params(ListParams),
    security(("bearer" = ["read:users"])),
    responses(
        (status = 200, description = "The users (members in alphabetical order), or the \
            page with its totals.", body = UserList),
        (status = 400, description = "`invalid_query_string`.", body = ManagementErrorBody),
        ManagementRefusals,
    ),
)]
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
        let users: Vec<ListedUser> = project(
            page.users
                .iter()
                .map(|u| serde_json::to_value(UserBody::from(u)).unwrap_or(Value::Null)),
            p.fields.as_deref(),
            p.include_fields.as_deref(),
        )
        .map_err(refusal)?;
        let body = if flag("include_totals", p.include_totals.as_deref(), false).map_err(refusal)? {
            UserList::Page(UsersPage {
                start: u64::from(query.page) * u64::from(query.per_page),
                limit: query.per_page,
                length: users.len(),
                total: page.total,
                users,
            })
        } else {
            UserList::Users(users)
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
