//! The `sesame-signature` header: Stripe-style HMAC-SHA256 over the
//! timestamp and the raw body.
//!
//! ```text
//! sesame-signature: t=1767225600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
//! v1 = hex(HMAC-SHA256(secret, "<t>.<raw body>"))
//! ```
//!
//! A receiver recomputes `v1` over the body bytes exactly as received
//! (before any JSON parsing), compares in constant time, and refuses a `t`
//! too far from its own clock, which limits replays.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "sesame-signature";

/// The tolerance receivers should use unless they have a reason not to.
pub const DEFAULT_TOLERANCE_SECS: i64 = 300;

type HmacSha256 = Hmac<Sha256>;

/// Why a signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The header has no `t=<integer>` or no `v1=`.
    #[error("the signature header is malformed")]
    Malformed,
    /// `t` is further from now than the tolerance, in either direction.
    #[error("the signature timestamp is outside the tolerance")]
    Stale,
    /// No `v1` matches the body and the secret.
    #[error("no signature matches the body")]
    Mismatch,
}

/// The header value for `body` signed with `secret` at `timestamp` (Unix
/// seconds): `t=<timestamp>,v1=<hex>`.
#[must_use]
pub fn signature_header(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    // Without a MAC the header carries an empty v1, which no receiver
    // accepts: failing closed. HMAC takes keys of any length, though.
    let v1 = mac(secret, timestamp, body)
        .map_or_else(String::new, |m| hex::encode(m.finalize().into_bytes()));
    format!("t={timestamp},v1={v1}")
}

/// Checks a `sesame-signature` header against the raw `body`.
///
/// Accepts when some `v1` in the header (several are allowed, to rotate
/// secrets) is the HMAC of `"<t>.<body>"` under `secret`, and `t` is
/// within `tolerance_secs` of `now_unix`. Unknown keys in the header are
/// ignored. The comparison takes the same time wherever the MACs differ.
///
/// # Errors
/// [`SignatureError`] saying why the header was refused.
pub fn verify_signature(
    secret: &[u8],
    header: &str,
    body: &[u8],
    now_unix: i64,
    tolerance_secs: i64,
) -> Result<(), SignatureError> {
    let mut timestamp = None;
    let mut candidates = Vec::new();
    for part in header.split(',') {
        let Some((key, value)) = part.trim().split_once('=') else {
            return Err(SignatureError::Malformed);
        };
        match key {
            "t" if timestamp.is_none() => {
                timestamp = Some(
                    value
                        .parse::<i64>()
                        .map_err(|_| SignatureError::Malformed)?,
                );
            }
            "t" => return Err(SignatureError::Malformed),
            "v1" => candidates.push(value),
            _ => {}
        }
    }
    let timestamp = timestamp.ok_or(SignatureError::Malformed)?;
    if candidates.is_empty() {
        return Err(SignatureError::Malformed);
    }
    if now_unix.abs_diff(timestamp) > tolerance_secs.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    let expected = mac(secret, timestamp, body).ok_or(SignatureError::Mismatch)?;
    let matched = candidates
        .iter()
        .filter_map(|c| hex::decode(c).ok())
        .any(|given| expected.clone().verify_slice(&given).is_ok());
    if matched {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The MAC of `"<timestamp>.<body>"`; `None` only if the key were refused,
/// which HMAC never does.
fn mac(secret: &[u8], timestamp: i64, body: &[u8]) -> Option<HmacSha256> {
    let mut mac = <HmacSha256 as Mac>::new_from_slice(secret).ok()?;
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Some(mac)
}

#[cfg(test)]
#[path = "signature_tests.rs"]
mod tests;
