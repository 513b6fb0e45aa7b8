//! DPoP at the HTTP edge (RFC 9449): reading the `DPoP` request headers,
//! and the `DPoP-Nonce` answer header.

use http::header::HeaderName;
use http::{HeaderMap, HeaderValue, Method};
use sesame_domain::DpopProof;

/// `DPoP`: the proof a client sends.
pub(crate) const DPOP: HeaderName = HeaderName::from_static("dpop");

/// `DPoP-Nonce`: the server nonce a client must put in its next proof.
pub(crate) const DPOP_NONCE: HeaderName = HeaderName::from_static("dpop-nonce");

/// The request's DPoP proof: every `DPoP` header value (the domain refuses
/// anything but exactly one) with the method; `None` without the header. A
/// value that is not visible ASCII is passed as empty, so it is refused as
/// malformed rather than ignored.
pub(crate) fn proof(headers: &HeaderMap, method: &Method) -> Option<DpopProof> {
    let values: Vec<String> = headers
        .get_all(DPOP)
        .iter()
        .map(|v| v.to_str().unwrap_or_default().trim().to_owned())
        .collect();
    (!values.is_empty()).then(|| DpopProof {
        headers: values,
        method: method.as_str().to_owned(),
    })
}

/// Adds `DPoP-Nonce: nonce` to `headers`.
pub(crate) fn add_nonce(headers: &mut HeaderMap, nonce: &str) {
    if let Ok(v) = HeaderValue::from_str(nonce) {
        headers.insert(DPOP_NONCE, v);
    }
}
