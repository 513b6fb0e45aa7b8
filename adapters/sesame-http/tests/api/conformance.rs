//! Every answer the API tests receive, checked against `GET /openapi.json`:
//! the operation by method and route template, the response by status, its
//! media type, and a JSON body against the response's schema (JSON Schema
//! 2020-12, as OpenAPI 3.1 uses it, its `$ref`s resolved in the document).
//! [`crate::common::send`] calls [`check`], so a test that receives an answer
//! the document does not describe fails.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use http::{Method, StatusCode};
use jsonschema::Validator;
use serde_json::{Value, json};

/// The document, parsed once.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(|| serde_json::from_slice(&sesame_http::openapi_json()).unwrap())
}

/// The document's path template that `path` matches: literal segments
/// first, so `/api/v2/users-by-email` is never `/api/v2/users/{id}`.
pub fn template(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    let mut best: Option<(&'static str, usize)> = None;
    for t in document()["paths"].as_object().unwrap().keys() {
        let parts: Vec<&str> = t.split('/').collect();
        if parts.len() != segments.len() {
            continue;
        }
        let mut literal = 0;
        let fits = parts.iter().zip(&segments).all(|(p, s)| {
            if p.starts_with('{') && p.ends_with('}') {
                !s.is_empty()
            } else {
                literal += 1;
                p == s
            }
        });
        if fits && best.is_none_or(|(_, l)| literal > l) {
            best = Some((t.as_str(), literal));
        }
    }
    best.map(|(t, _)| t)
}

/// The response object `pointer` names, with a `$ref` to
/// `components.responses` followed.
fn response(pointer: &str) -> Option<&'static Value> {
    let r = document().pointer(pointer)?;
    match r.get("$ref").and_then(Value::as_str) {
        Some(target) => document().pointer(target.trim_start_matches('#')),
        None => Some(r),
    }
}

/// A validator for `schema`, whose `$ref`s point into the document.
fn validator(key: &str, schema: &Value) -> Arc<Validator> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(v) = cache.lock().unwrap().get(key) {
        return Arc::clone(v);
    }
    // The response's schema beside the document's components, so that
    // `#/components/schemas/…` resolves from this root.
    let root = json!({
        "allOf": [schema],
        "components": document()["components"],
    });
    let v = Arc::new(jsonschema::draft202012::new(&root).unwrap());
    cache.lock().unwrap().insert(key.to_owned(), Arc::clone(&v));
    v
}

/// Whether `body` fits the JSON schema of the response at `pointer`.
///
/// # Errors
/// What does not fit, one line per error.
pub fn validate_json(pointer: &str, body: &Value) -> Result<(), String> {
    let content = response(pointer)
        .and_then(|r| r.pointer("/content/application~1json"))
        .ok_or_else(|| format!("{pointer} has no application/json content"))?;
    let schema = content.get("schema").cloned().unwrap_or_else(|| json!({}));
    let v = validator(pointer, &schema);
    let errors: Vec<String> = v
        .iter_errors(body)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors.join("\n"))
    }
}

/// Checks one answer: `status`, `content_type` and `raw` body, to `method`
/// on `path`.
///
/// # Errors
/// How the answer differs from what the document says.
pub fn check(
    method: &Method,
    path: &str,
    status: StatusCode,
    content_type: Option<&str>,
    raw: &[u8],
) -> Result<(), String> {
    // CORS preflights are the CORS layer's, not an operation's.
    if method == Method::OPTIONS {
        return Ok(());
    }
    let code = status.as_u16().to_string();
    let pointer = match template(path) {
        None if status == StatusCode::NOT_FOUND => "/components/responses/NotFound".to_owned(),
        None => return Err(format!("no documented path matches {path}")),
        Some(t) => {
            let op = format!("/paths/{}/{}", escape(t), method.as_str().to_lowercase());
            if document().pointer(&op).is_none() {
                if status != StatusCode::METHOD_NOT_ALLOWED {
                    return Err(format!(
                        "{method} {t} is not documented, yet answered {code}"
                    ));
                }
                "/components/responses/MethodNotAllowed".to_owned()
            } else {
                format!("{op}/responses/{code}")
            }
        }
    };
    let documented =
        response(&pointer).ok_or_else(|| format!("{pointer}: the status is not documented"))?;
    let media = content_type.map(|c| c.split(';').next().unwrap_or_default().trim());
    let Some(content) = documented.get("content").and_then(Value::as_object) else {
        return if raw.is_empty() {
            Ok(())
        } else {
            Err(format!(
                "{pointer}: documented without a body, answered one"
            ))
        };
    };
    let media = media.ok_or_else(|| format!("{pointer}: answered without a Content-Type"))?;
    if !content.contains_key(media) {
        return Err(format!("{pointer}: {media} is not documented"));
    }
    if media == "application/json" {
        let body: Value = serde_json::from_slice(raw)
            .map_err(|e| format!("{pointer}: the body is not JSON: {e}"))?;
        validate_json(&pointer, &body).map_err(|e| format!("{pointer}: {body}\n{e}"))?;
    }
    Ok(())
}

/// `t` as a JSON pointer token.
fn escape(t: &str) -> String {
    t.replace('~', "~0").replace('/', "~1")
}
