//! The signature format, and what `verify_signature` refuses.

use super::*;

const SECRET: &[u8] = b"whsec_0123456789abcdef";
const BODY: &[u8] = br#"{"type":"passwordless.message","code":"424242"}"#;
const T: i64 = 1_767_225_600;

#[test]
fn the_header_is_the_hmac_of_the_timestamp_a_dot_and_the_body() {
    let header = signature_header(SECRET, T, BODY);
    let mut mac = <HmacSha256 as Mac>::new_from_slice(SECRET).unwrap();
    mac.update(format!("{T}.").as_bytes());
    mac.update(BODY);
    let expected = hex::encode(mac.finalize().into_bytes());
    assert_eq!(header, format!("t={T},v1={expected}"));
    assert_eq!(expected.len(), 64);
}

#[test]
fn a_fresh_signature_verifies() {
    let header = signature_header(SECRET, T, BODY);
    assert_eq!(
        verify_signature(SECRET, &header, BODY, T + 299, 300),
        Ok(())
    );
    assert_eq!(
        verify_signature(SECRET, &header, BODY, T - 300, 300),
        Ok(())
    );
}

#[test]
fn the_wrong_secret_is_a_mismatch() {
    let header = signature_header(b"another-secret-entirely", T, BODY);
    assert_eq!(
        verify_signature(SECRET, &header, BODY, T, 300),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn a_tampered_body_is_a_mismatch() {
    let header = signature_header(SECRET, T, BODY);
    let tampered = BODY
        .to_vec()
        .into_iter()
        .map(|b| if b == b'4' { b'5' } else { b })
        .collect::<Vec<_>>();
    assert_eq!(
        verify_signature(SECRET, &header, &tampered, T, 300),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn a_moved_timestamp_is_a_mismatch() {
    let header = signature_header(SECRET, T, BODY);
    let moved = header.replace(&format!("t={T}"), &format!("t={}", T + 1));
    assert_eq!(
        verify_signature(SECRET, &moved, BODY, T, 300),
        Err(SignatureError::Mismatch)
    );
}

#[test]
fn a_timestamp_outside_the_tolerance_is_stale_either_way() {
    let header = signature_header(SECRET, T, BODY);
    assert_eq!(
        verify_signature(SECRET, &header, BODY, T + 301, 300),
        Err(SignatureError::Stale)
    );
    assert_eq!(
        verify_signature(SECRET, &header, BODY, T - 301, 300),
        Err(SignatureError::Stale)
    );
}

#[test]
fn any_matching_v1_is_enough_and_unknown_keys_are_ignored() {
    let good = signature_header(SECRET, T, BODY);
    let v1 = good.split_once(",v1=").unwrap().1;
    let header = format!("t={T}, v0=abc, v1=00ff, v1=nothex, v1={v1}");
    assert_eq!(verify_signature(SECRET, &header, BODY, T, 300), Ok(()));
}

#[test]
fn malformed_headers_are_refused() {
    for header in [
        "",
        "v1=00",
        "t=abc,v1=00",
        "t=1,t=1,v1=00",
        &format!("t={T}"),
        "t",
    ] {
        assert_eq!(
            verify_signature(SECRET, header, BODY, T, 300),
            Err(SignatureError::Malformed),
            "{header:?}"
        );
    }
}
