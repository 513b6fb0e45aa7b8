//! Request bodies: JSON or form-urlencoded, read into an endpoint's typed
//! body (a struct of [`crate::param::Param`]s).
//!
//! JSON `null` means absent, as does a form key without a value for the OAuth
//! endpoints (RFC 6749 §3.1, applied by their handlers). A form key like
//! `authParams[scope]` becomes a nested object, as Auth0's body parser does.
//! Every failure is an [`ApiError`] in the endpoint's dialect, never axum's
//! plain-text rejection.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use http::{HeaderMap, StatusCode, header::CONTENT_TYPE};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{ApiError, clip};

/// Which family of error codes an endpoint speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// `/passwordless/start`: `bad.request`, `bad.<property>`.
    Start,
    /// The OAuth endpoints: `invalid_request`.
    OAuth,
}

impl Dialect {
    /// The code for a malformed request.
    pub(crate) const fn bad_request(self) -> &'static str {
        match self {
            Self::Start => "bad.request",
            Self::OAuth => "invalid_request",
        }
    }

    fn error(self, status: StatusCode, description: impl Into<String>) -> ApiError {
        ApiError::new(status, self.bad_request(), description)
    }
}

/// The essence of the `Content-Type`, lower-cased, without parameters.
fn media_type(headers: &HeaderMap) -> Option<String> {
    let raw = headers.get(CONTENT_TYPE)?.to_str().ok()?;
    let essence = raw.split(';').next().unwrap_or_default().trim();
    Some(essence.to_ascii_lowercase())
}

/// Reads the body as JSON or a form, whichever its `Content-Type` says, into
/// the endpoint's typed body `T`.
///
/// An empty body has no parameters, whatever the type.
///
/// # Errors
/// 413 for a body over the limit, 415 for another media type, 400 for a body
/// that does not parse or is not an object.
pub(crate) fn parse_body<T: DeserializeOwned>(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    dialect: Dialect,
) -> Result<T, ApiError> {
    let map = read_object(headers, body, dialect)?;
    // The fields of a typed body accept any JSON value, so this fails only
    // for a body no endpoint could take (say, a form key that is both a
    // value and a bracketed object).
    serde_json::from_value(Value::Object(map)).map_err(|_| {
        dialect.error(
            StatusCode::BAD_REQUEST,
            "The request body could not be read.",
        )
    })
}

/// The body's parameters as one JSON object.
fn read_object(
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
    dialect: Dialect,
) -> Result<Map<String, Value>, ApiError> {
    let bytes = body.map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            dialect.error(
                StatusCode::PAYLOAD_TOO_LARGE,
                "The request body is too large.",
            )
        } else {
            dialect.error(
                StatusCode::BAD_REQUEST,
                "The request body could not be read.",
            )
        }
    })?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(Map::new());
    }
    match media_type(headers).as_deref() {
        Some("application/json") => parse_json(&bytes, dialect),
        Some(t) if t.starts_with("application/") && t.ends_with("+json") => {
            parse_json(&bytes, dialect)
        }
        Some("application/x-www-form-urlencoded") => parse_form(&bytes, dialect),
        _ => Err(dialect.error(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Content-Type must be application/json or application/x-www-form-urlencoded.",
        )),
    }
}

fn parse_json(bytes: &[u8], dialect: Dialect) -> Result<Map<String, Value>, ApiError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|_| dialect.error(StatusCode::BAD_REQUEST, "The body is not valid JSON."))?;
    let Value::Object(mut map) = value else {
        return Err(dialect.error(StatusCode::BAD_REQUEST, "The body must be a JSON object."));
    };
    drop_nulls(&mut map);
    for v in map.values_mut() {
        if let Value::Object(inner) = v {
            drop_nulls(inner);
        }
    }
    Ok(map)
}

fn drop_nulls(map: &mut Map<String, Value>) {
    map.retain(|_, v| !v.is_null());
}

fn parse_form(bytes: &[u8], dialect: Dialect) -> Result<Map<String, Value>, ApiError> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(bytes).map_err(|_| {
        dialect.error(
            StatusCode::BAD_REQUEST,
            "The body is not valid form-urlencoded data.",
        )
    })?;
    let mut map = Map::new();
    for (key, value) in pairs {
        let duplicate = || {
            dialect.error(
                StatusCode::BAD_REQUEST,
                format!("Parameter {} is included more than once.", clip(&key, 64)),
            )
        };
        let (outer, inner) = split_bracketed(&key);
        let Some(inner) = inner else {
            if map.insert(key.clone(), Value::String(value)).is_some() {
                return Err(duplicate());
            }
            continue;
        };
        let slot = map
            .entry(outer.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        let Value::Object(nested) = slot else {
            return Err(duplicate());
        };
        if nested
            .insert(inner.to_owned(), Value::String(value))
            .is_some()
        {
            return Err(duplicate());
        }
    }
    Ok(map)
}

/// `outer[inner]` into its parts; any other key has no inner part.
fn split_bracketed(key: &str) -> (&str, Option<&str>) {
    if let Some(rest) = key.strip_suffix(']')
        && let Some((outer, inner)) = rest.split_once('[')
        && !outer.is_empty()
        && !inner.is_empty()
        && !inner.contains(['[', ']'])
    {
        return (outer, Some(inner));
    }
    (key, None)
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;
    use serde::Deserialize;

    use super::*;
    use crate::param::Param;

    /// A typed body of the kind every endpoint declares.
    #[derive(Debug, Deserialize)]
    struct Body {
        #[serde(default)]
        a: Param,
        #[serde(default)]
        b: Param,
        #[serde(default)]
        client_id: Param,
        #[serde(default)]
        otp: Param,
        #[serde(default)]
        o: Option<Value>,
        #[serde(default, rename = "authParams")]
        auth_params: Option<Value>,
    }

    fn headers(ct: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
        h
    }

    fn parse(ct: &str, body: &str) -> Result<Body, ApiError> {
        parse_body(
            &headers(ct),
            Ok(Bytes::from(body.to_owned())),
            Dialect::OAuth,
        )
    }

    #[test]
    fn json_nulls_are_absent_at_the_top_and_one_level_down() {
        let p = parse(
            "application/json; charset=utf-8",
            r#"{"a": null, "b": "x", "o": {"s": null, "t": "y"}}"#,
        )
        .unwrap();
        assert_eq!(p.a, Param::Absent);
        assert_eq!(p.b, Param::Str("x".into()));
        assert_eq!(p.o.unwrap(), serde_json::json!({"t": "y"}));
    }

    #[test]
    fn form_brackets_make_a_nested_object() {
        let p = parse(
            "application/x-www-form-urlencoded",
            "client_id=abc&authParams%5Bscope%5D=openid+email&authParams[state]=s%26t",
        )
        .unwrap();
        assert_eq!(p.client_id.str().unwrap(), Some("abc"));
        assert_eq!(
            p.auth_params.unwrap(),
            serde_json::json!({"scope": "openid email", "state": "s&t"})
        );
    }

    #[test]
    fn a_repeated_form_parameter_is_refused() {
        let e = parse("application/x-www-form-urlencoded", "a=1&a=2").unwrap_err();
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn a_non_string_is_reported_with_its_type() {
        let p = parse("application/json", r#"{"otp": 123456}"#).unwrap();
        assert_eq!(
            crate::param::wrong_type("string", p.otp.str().unwrap_err()),
            "Expected type string but found type number"
        );
    }

    #[test]
    fn an_empty_body_has_no_parameters_whatever_its_type() {
        let p = parse("text/plain", "  ").unwrap();
        assert_eq!(
            (p.a, p.b, p.client_id),
            (Param::Absent, Param::Absent, Param::Absent)
        );
    }

    #[test]
    fn other_media_types_and_json_arrays_are_refused() {
        assert_eq!(
            parse("text/plain", "a=b").unwrap_err().status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        );
        assert_eq!(
            parse("application/json", "[1]").unwrap_err().status(),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            parse("application/vnd.api+json", r#"{"a":"b"}"#)
                .unwrap()
                .a
                .str()
                .unwrap(),
            Some("b")
        );
    }
}
