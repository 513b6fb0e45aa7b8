//! Public keys as JWKs: the RFC 7638 thumbprint that names a key (`kid`) and
//! the member set published in the JWKS.

use aws_lc_rs::digest::{SHA256, digest};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sesame_domain::SigningAlg;

/// The public members of a key, each base64url without padding, as they
/// appear in its JWK.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PublicParts {
    /// `kty: "RSA"`: modulus and public exponent.
    Rsa {
        /// The modulus, big-endian without leading zeros.
        n: String,
        /// The public exponent, big-endian without leading zeros.
        e: String,
    },
    /// `kty: "EC"`, `crv: "P-256"`: the point's coordinates.
    P256 {
        /// The x coordinate, 32 bytes.
        x: String,
        /// The y coordinate, 32 bytes.
        y: String,
    },
    /// `kty: "OKP"`, `crv: "Ed25519"`: the public key.
    Ed25519 {
        /// The 32-byte public key.
        x: String,
    },
}

impl PublicParts {
    /// Encodes raw public members.
    pub(crate) fn rsa(n: &[u8], e: &[u8]) -> Self {
        Self::Rsa {
            n: URL_SAFE_NO_PAD.encode(n),
            e: URL_SAFE_NO_PAD.encode(e),
        }
    }

    /// Encodes the coordinates of an uncompressed P-256 point
    /// (`0x04 || x || y`); `None` for anything else.
    pub(crate) fn p256_uncompressed(point: &[u8]) -> Option<Self> {
        match point {
            [0x04, xy @ ..] if xy.len() == 64 => {
                let (x, y) = xy.split_at(32);
                Some(Self::P256 {
                    x: URL_SAFE_NO_PAD.encode(x),
                    y: URL_SAFE_NO_PAD.encode(y),
                })
            }
            _ => None,
        }
    }

    /// Encodes a 32-byte Ed25519 public key; `None` for another length.
    pub(crate) fn ed25519(public: &[u8]) -> Option<Self> {
        (public.len() == 32).then(|| Self::Ed25519 {
            x: URL_SAFE_NO_PAD.encode(public),
        })
    }

    /// The RFC 7638 JWK thumbprint: base64url of the SHA-256 of the
    /// required members, in lexicographic order, without whitespace.
    #[must_use]
    pub fn thumbprint(&self) -> String {
        // Written by hand rather than through a JSON map: the member order is
        // the whole point, and must not depend on serde_json's
        // `preserve_order` feature, which any crate in the build may turn on.
        // Every value is base64url or a fixed name, so nothing needs escaping.
        let canonical = match self {
            Self::Rsa { n, e } => format!(r#"{{"e":"{e}","kty":"RSA","n":"{n}"}}"#),
            Self::P256 { x, y } => {
                format!(r#"{{"crv":"P-256","kty":"EC","x":"{x}","y":"{y}"}}"#)
            }
            Self::Ed25519 { x } => format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#),
        };
        URL_SAFE_NO_PAD.encode(digest(&SHA256, canonical.as_bytes()))
    }

    /// The public JWK to publish: the key's members plus `kid`, `alg` and
    /// `use: "sig"`. Never any private member.
    #[must_use]
    pub fn to_jwk(&self, kid: &str, alg: SigningAlg) -> Value {
        let mut jwk = match self {
            Self::Rsa { n, e } => json!({ "kty": "RSA", "n": n, "e": e }),
            Self::P256 { x, y } => json!({ "kty": "EC", "crv": "P-256", "x": x, "y": y }),
            Self::Ed25519 { x } => json!({ "kty": "OKP", "crv": "Ed25519", "x": x }),
        };
        if let Value::Object(members) = &mut jwk {
            members.insert("kid".to_owned(), Value::from(kid));
            members.insert("alg".to_owned(), Value::from(alg.as_str()));
            members.insert("use".to_owned(), Value::from("sig"));
        }
        jwk
    }

    /// Whether `published` carries every member [`Self::to_jwk`] would
    /// write, with the same values (extra members are tolerated).
    pub(crate) fn matches_jwk(&self, kid: &str, alg: SigningAlg, published: &Value) -> bool {
        let (Value::Object(expected), Value::Object(published)) =
            (self.to_jwk(kid, alg), published)
        else {
            return false;
        };
        contains_all(published, &expected)
    }
}

fn contains_all(haystack: &Map<String, Value>, needles: &Map<String, Value>) -> bool {
    needles.iter().all(|(k, v)| haystack.get(k) == Some(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 7638 section 3.1: the RSA key of RFC 7517 appendix A.1.
    const RFC7638_N: &str = concat!(
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECP",
        "ebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY",
        "368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0f",
        "M4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw",
    );

    #[test]
    fn the_rsa_thumbprint_matches_the_rfc_7638_example() {
        let parts = PublicParts::Rsa {
            n: RFC7638_N.to_owned(),
            e: "AQAB".to_owned(),
        };
        assert_eq!(
            parts.thumbprint(),
            "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
        );
    }

    #[test]
    fn thumbprints_agree_with_jsonwebtoken_for_every_key_type() {
        use jsonwebtoken::jwk::{Jwk, ThumbprintHash};
        let keys = [
            PublicParts::Rsa {
                n: RFC7638_N.to_owned(),
                e: "AQAB".to_owned(),
            },
            PublicParts::P256 {
                x: "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU".to_owned(),
                y: "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0".to_owned(),
            },
            PublicParts::Ed25519 {
                x: "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo".to_owned(),
            },
        ];
        for (parts, alg) in keys.iter().zip(SigningAlg::ALL) {
            let jwk: Jwk = serde_json::from_value(parts.to_jwk("k", alg)).unwrap();
            assert_eq!(
                jwk.thumbprint(ThumbprintHash::SHA256).unwrap(),
                parts.thumbprint(),
                "{alg:?}"
            );
        }
    }

    #[test]
    fn a_published_jwk_has_kid_alg_and_use_and_no_private_member() {
        let parts = PublicParts::Rsa {
            n: RFC7638_N.to_owned(),
            e: "AQAB".to_owned(),
        };
        let jwk = parts.to_jwk("the-kid", SigningAlg::RS256);
        assert_eq!(jwk["kid"], "the-kid");
        assert_eq!(jwk["alg"], "RS256");
        assert_eq!(jwk["use"], "sig");
        for private in ["d", "p", "q", "dp", "dq", "qi"] {
            assert!(jwk.get(private).is_none(), "{private} published");
        }
        assert!(parts.matches_jwk("the-kid", SigningAlg::RS256, &jwk));
        assert!(!parts.matches_jwk("other-kid", SigningAlg::RS256, &jwk));
    }

    #[test]
    fn only_well_formed_public_keys_are_accepted() {
        assert!(PublicParts::p256_uncompressed(&[0x04; 65]).is_some());
        assert!(PublicParts::p256_uncompressed(&[0x02; 33]).is_none());
        assert!(PublicParts::ed25519(&[1; 32]).is_some());
        assert!(PublicParts::ed25519(&[1; 31]).is_none());
    }
}
