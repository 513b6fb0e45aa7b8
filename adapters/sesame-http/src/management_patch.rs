//! The body of `PATCH /api/v2/users/{id}`, read member by member so that
//! each refusal is in Auth0's words.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use serde_json::Value;
use sesame_domain::service::{ManagementError, UserPatch};
use sesame_domain::user::Metadata;
use utoipa::ToSchema;

use crate::param::{type_name, wrong_type};

/// The body of `PATCH /api/v2/users/{id}`: any of these, and no other
/// property (it is refused by name).
#[derive(ToSchema)]
#[schema(as = UserUpdate)]
#[expect(
    dead_code,
    reason = "documents the request body; read member by member"
)]
pub(crate) struct UserPatchBody {
    /// Blocks or unblocks the user.
    #[schema(nullable = false)]
    blocked: Option<bool>,
    /// For the email connection.
    #[schema(nullable = false)]
    email_verified: Option<bool>,
    /// For the sms connection.
    #[schema(nullable = false)]
    phone_verified: Option<bool>,
    /// Merged into the user's at the root: a top-level `null` removes a
    /// property, `{}` removes them all.
    #[schema(nullable = false, value_type = Option<Object>)]
    user_metadata: Option<Metadata>,
    /// Merged into the user's, as `user_metadata` is.
    #[schema(nullable = false, value_type = Option<Object>)]
    app_metadata: Option<Metadata>,
}

/// The body of a PATCH, in Auth0's words when it does not fit its schema:
/// each property of the right JSON type, and no other property.
pub(crate) fn patch(body: Result<Bytes, BytesRejection>) -> Result<UserPatch, ManagementError> {
    let bytes =
        body.map_err(|_| ManagementError::InvalidBody("the body could not be read".into()))?;
    let Ok(Value::Object(map)) = serde_json::from_slice::<Value>(&bytes) else {
        return Err(ManagementError::InvalidBody(
            "the body must be a JSON object".into(),
        ));
    };
    let mut patch = UserPatch::default();
    for (k, v) in map {
        match k.as_str() {
            "blocked" => patch.blocked = Some(boolean(&k, v)?),
            "email_verified" => patch.email_verified = Some(boolean(&k, v)?),
            "phone_verified" => patch.phone_verified = Some(boolean(&k, v)?),
            "user_metadata" => patch.user_metadata = Some(object(&k, v)?),
            "app_metadata" => patch.app_metadata = Some(object(&k, v)?),
            other => {
                return Err(ManagementError::InvalidBody(format!(
                    "'Additional properties not allowed: {}'",
                    crate::error::clip(other, 64)
                )));
            }
        }
    }
    Ok(patch)
}

/// Property `name`'s boolean.
fn boolean(name: &str, v: Value) -> Result<bool, ManagementError> {
    match v {
        Value::Bool(b) => Ok(b),
        other => Err(type_refused(name, "boolean", &other)),
    }
}

/// Property `name`'s object.
fn object(name: &str, v: Value) -> Result<Metadata, ManagementError> {
    match v {
        Value::Object(m) => Ok(m),
        other => Err(type_refused(name, "object", &other)),
    }
}

/// `'Expected type boolean but found type string' on property blocked`.
fn type_refused(name: &str, expected: &str, found: &Value) -> ManagementError {
    ManagementError::InvalidBody(format!(
        "'{}' on property {name}",
        wrong_type(expected, type_name(found))
    ))
}
