//! Client authentication: `client_secret_post` (id and secret in the body),
//! `client_secret_basic` (RFC 6749 §2.3.1) or, for a public client, the id
//! alone.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use http::{HeaderMap, StatusCode, header::AUTHORIZATION};
use secrecy::SecretString;
use sesame_domain::ClientId;
use sesame_domain::service::{ClientCredentials, StartError, TokenError};

use crate::domain_errors::{start_error, token_error};
use crate::error::ApiError;
use crate::extract::Dialect;

/// What a `Basic` authorization header carried.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Basic {
    pub(crate) id: String,
    pub(crate) secret: String,
}

/// The `Basic` credentials in `headers`, if any. Other schemes are not
/// client authentication and are ignored.
///
/// Both halves are form-urlencoded per RFC 6749 §2.3.1, so `%3A` in a secret
/// is a colon. A literal `+` is kept as `+`: many clients do not encode at
/// all, and base64 secrets contain `+`.
///
/// # Errors
/// `Err(())` when the header says `Basic` but is not valid base64 of
/// UTF-8 `id:secret`.
pub(crate) fn basic(headers: &HeaderMap) -> Result<Option<Basic>, ()> {
    let Some(value) = headers.get(AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value.to_str().map_err(|_| ())?.trim();
    let Some((scheme, rest)) = value.split_once(' ') else {
        return Ok(None);
    };
    if !scheme.eq_ignore_ascii_case("basic") {
        return Ok(None);
    }
    let decoded = STANDARD.decode(rest.trim()).map_err(|_| ())?;
    let decoded = String::from_utf8(decoded).map_err(|_| ())?;
    let (id, secret) = decoded.split_once(':').ok_or(())?;
    Ok(Some(Basic {
        id: percent_decode(id).ok_or(())?,
        secret: percent_decode(secret).ok_or(())?,
    }))
}

/// Decodes `%XX` escapes; `None` for a broken escape or non-UTF-8 result.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The client's credentials from the `Authorization` header and the body's
/// `client_id` / `client_secret`.
///
/// Sending the id in both places is fine when they agree; sending two
/// different ids, or two different secrets, is not.
///
/// # Errors
/// 400 in `dialect` for a malformed header or conflicting credentials, and
/// for a missing client id: `bad.client_id` for start, `invalid_request`
/// otherwise.
pub(crate) fn credentials(
    headers: &HeaderMap,
    body_id: Option<&str>,
    body_secret: Option<&str>,
    dialect: Dialect,
) -> Result<ClientCredentials, ApiError> {
    let bad = |d: &str| ApiError::new(StatusCode::BAD_REQUEST, dialect.bad_request(), d);
    let header = basic(headers).map_err(|()| bad("Malformed Basic authorization header."))?;
    let (id, secret) = match header {
        Some(b) => {
            if body_id.is_some_and(|id| id != b.id) {
                return Err(bad(
                    "The client_id in the body does not match the Authorization header.",
                ));
            }
            if body_secret.is_some_and(|s| s != b.secret) {
                return Err(bad("Use only one client authentication method."));
            }
            (b.id, Some(b.secret))
        }
        None => (
            body_id.map(str::to_owned).unwrap_or_default(),
            body_secret.map(str::to_owned),
        ),
    };
    if id.is_empty() {
        return Err(match dialect {
            Dialect::Start => ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad.client_id",
                "Missing required property: client_id",
            ),
            Dialect::OAuth => ApiError::invalid_request("Missing required parameter: client_id"),
        });
    }
    // An id no client can have (a control character, too long) gets the
    // answer an unknown client gets, as it would from the domain.
    let Ok(client_id) = ClientId::parse(id.as_str()) else {
        return Err(match dialect {
            Dialect::Start => start_error(StartError::UnknownClient, &id),
            Dialect::OAuth => token_error(TokenError::InvalidClient),
        });
    };
    Ok(ClientCredentials {
        client_id,
        client_secret: secret.filter(|s| !s.is_empty()).map(SecretString::from),
    })
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;
    use secrecy::ExposeSecret;

    use super::*;

    fn auth(v: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(AUTHORIZATION, HeaderValue::from_str(v).unwrap());
        h
    }

    fn encoded(raw: &str) -> String {
        format!("Basic {}", STANDARD.encode(raw))
    }

    #[test]
    fn basic_credentials_are_url_decoded_so_an_encoded_colon_stays_in_the_secret() {
        let b = basic(&auth(&encoded("my%20app:s%3Acret+x")))
            .unwrap()
            .unwrap();
        assert_eq!(b.id, "my app");
        assert_eq!(b.secret, "s:cret+x");
    }

    #[test]
    fn the_scheme_is_case_insensitive_and_other_schemes_are_ignored() {
        assert!(
            basic(&auth(&encoded("a:b").replace("Basic", "bAsIc")))
                .unwrap()
                .is_some()
        );
        assert_eq!(basic(&auth("Bearer xyz")).unwrap(), None);
        assert_eq!(basic(&HeaderMap::new()).unwrap(), None);
    }

    #[test]
    fn a_malformed_basic_header_is_an_error() {
        assert!(basic(&auth("Basic !!!")).is_err());
        assert!(basic(&auth(&encoded("no-colon"))).is_err());
        assert!(basic(&auth(&encoded("a:%zz"))).is_err());
    }

    #[test]
    fn the_header_wins_and_an_agreeing_body_id_is_fine() {
        let c = credentials(&auth(&encoded("app:pw")), Some("app"), None, Dialect::OAuth).unwrap();
        assert_eq!(c.client_id.as_str(), "app");
        assert_eq!(c.client_secret.unwrap().expose_secret(), "pw");
    }

    #[test]
    fn two_different_client_ids_are_refused() {
        let e = credentials(
            &auth(&encoded("app:pw")),
            Some("other"),
            None,
            Dialect::OAuth,
        )
        .unwrap_err();
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
        let e =
            credentials(&auth(&encoded("app:pw")), None, Some("pw2"), Dialect::OAuth).unwrap_err();
        assert_eq!(e.status(), StatusCode::BAD_REQUEST);
    }

    #[test]
    fn a_public_client_sends_only_its_id_and_an_empty_secret_is_none() {
        let c = credentials(&HeaderMap::new(), Some("app"), Some(""), Dialect::Start).unwrap();
        assert!(c.client_secret.is_none());
        assert!(credentials(&HeaderMap::new(), None, None, Dialect::Start).is_err());
    }
}
