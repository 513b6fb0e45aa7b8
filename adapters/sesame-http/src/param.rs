//! One request-body parameter, as sent: the field type of every typed body.
//!
//! A body is deserialized into a struct of [`Param`]s, which never fails on
//! a value's type. The endpoint then reads each field in Auth0's order and
//! answers the first problem in Auth0's words, which a derived `Deserialize`
//! could not do: JSON `null` is absent, and a value of the wrong type is
//! reported with the type found.

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::error::ApiError;

/// A parameter: absent (or `null`), a string, or a value of another JSON type.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) enum Param {
    /// Not sent, or sent as `null`.
    #[default]
    Absent,
    /// A string, possibly empty.
    Str(String),
    /// Any other JSON value; holds its type name (`number`, `object`, …).
    Wrong(&'static str),
}

impl<'de> Deserialize<'de> for Param {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Value::deserialize(d)? {
            Value::Null => Self::Absent,
            Value::String(s) => Self::Str(s),
            other => Self::Wrong(type_name(&other)),
        })
    }
}

impl Param {
    /// The string, when one was sent; `Err(type)` for another type.
    pub(crate) fn str(&self) -> Result<Option<&str>, &'static str> {
        match self {
            Self::Absent => Ok(None),
            Self::Str(s) => Ok(Some(s)),
            Self::Wrong(t) => Err(t),
        }
    }

    /// An OAuth parameter (RFC 6749 §3.1): an empty value means absent.
    ///
    /// # Errors
    /// 400 `invalid_request` naming `name` when it is not a string.
    pub(crate) fn oauth(&self, name: &str) -> Result<Option<&str>, ApiError> {
        self.str()
            .map(|v| v.filter(|s| !s.is_empty()))
            .map_err(|_| {
                ApiError::invalid_request(format!("Invalid parameter: {name} must be a string"))
            })
    }

    /// An OAuth parameter that must be there.
    ///
    /// # Errors
    /// 400 `invalid_request` when it is absent, empty or not a string.
    pub(crate) fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.oauth(name)?
            .ok_or_else(|| ApiError::invalid_request(format!("Missing required parameter: {name}")))
    }
}

/// JSON-schema wording for a value of the wrong type, as Auth0 reports it.
pub(crate) fn wrong_type(expected: &str, found: &str) -> String {
    format!("Expected type {expected} but found type {found}")
}

/// The JSON type name of `v`.
pub(crate) const fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(json: &str) -> Param {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn null_is_absent_and_other_types_are_named() {
        assert_eq!(param("null"), Param::Absent);
        assert_eq!(param(r#""x""#), Param::Str("x".into()));
        assert_eq!(param("123"), Param::Wrong("number"));
        assert_eq!(param("{}"), Param::Wrong("object"));
        assert_eq!(
            wrong_type("string", param("[]").str().unwrap_err()),
            "Expected type string but found type array"
        );
    }

    #[test]
    fn an_empty_oauth_parameter_is_absent_and_a_required_one_must_be_there() {
        assert_eq!(Param::Str(String::new()).oauth("scope").unwrap(), None);
        assert!(Param::Str(String::new()).required("code").is_err());
        assert_eq!(Param::Str("c".into()).required("code").unwrap(), "c");
        assert!(Param::Wrong("number").oauth("scope").is_err());
    }
}
