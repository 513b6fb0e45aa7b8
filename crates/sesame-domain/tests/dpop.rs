//! DPoP (RFC 9449) on the token pipeline and `/userinfo`: every check a
//! proof goes through, the nonces, and refresh-family binding.

// Helpers count as test code too, for the unwrap/panic lints.
#![cfg(test)]

use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use sesame_domain::dpop::{DpopError, DpopProof};
use sesame_domain::ports::{Clock as _, DpopReplayStore};
use sesame_domain::service::{
    GrantError, RefreshError, RefreshGrant, TokenError, TokenRequest, UserinfoError,
};
use sesame_domain::{Client, TokenSet};
use sesame_testkit::dpop::{DpopKey, ProofBuilder};
use sesame_testkit::harness::defaults;
use sesame_testkit::{Harness, MemoryDpopReplayStore, fixtures};

const TOKEN_URL: &str = "https://sesame.test/oauth/token";
const USERINFO_URL: &str = "https://sesame.test/userinfo";

/// A proof for the token endpoint, made at the harness's time.
fn token_proof<'k>(h: &Harness, key: &'k DpopKey) -> ProofBuilder<'k> {
    key.proof("POST", &h.service.config().issuer.endpoint("oauth/token"))
        .iat(h.clock.now().unix_seconds())
}

fn post(proof: String) -> DpopProof {
    DpopProof::new(proof, "POST")
}

/// Starts a login for a fresh address and returns the OTP grant request by
/// the confidential client (which needs no nonce by default).
async fn otp_request(h: &Harness) -> TokenRequest {
    let alice = fixtures::fresh_email();
    h.start(&alice).await.unwrap();
    let code = h.code_for(&alice).unwrap();
    let mut grant = Harness::otp_grant(&alice, &code);
    grant.scope = Some("openid offline_access".to_owned());
    Harness::token_request(grant)
}

async fn login_with(h: &Harness, proof: DpopProof) -> Result<TokenSet, TokenError> {
    h.service.token(otp_request(h).await.with_dpop(proof)).await
}

fn invalid(e: &TokenError) -> Option<&str> {
    match e {
        TokenError::Dpop(DpopError::InvalidProof(why)) => Some(why),
        _ => None,
    }
}

async fn cnf_of(h: &Harness, t: &TokenSet) -> Option<String> {
    let keys = h.opened_keys().await.unwrap();
    let claims = h
        .minter()
        .verify_access(t.access_token(), &keys, defaults::ISSUER)
        .unwrap();
    claims.cnf.map(|c| c.jkt)
}

#[tokio::test]
async fn a_proof_binds_the_access_token_to_its_key() {
    let h = Harness::new().await.unwrap();
    let key = DpopKey::es256_test_key(0);
    let t = login_with(&h, post(token_proof(&h, &key).sign()))
        .await
        .unwrap();
    assert_eq!(t.token_type, "DPoP");
    assert_eq!(cnf_of(&h, &t).await.as_deref(), Some(key.jkt()));
    let plain = h.login(&fixtures::fresh_email()).await.unwrap();
    assert_eq!(plain.token_type, "Bearer");
    assert_eq!(cnf_of(&h, &plain).await, None);
}

#[tokio::test]
async fn a_replayed_proof_is_refused() {
    let h = Harness::new().await.unwrap();
    let proof = token_proof(&h, &DpopKey::es256_test_key(0)).sign();
    login_with(&h, post(proof.clone())).await.unwrap();
    let e = login_with(&h, post(proof)).await.unwrap_err();
    assert_eq!(invalid(&e), Some("DPoP proof jti was already used"));
}

#[tokio::test]
async fn a_proof_replayed_on_another_instance_is_refused() {
    let shared: Arc<dyn DpopReplayStore> = Arc::new(MemoryDpopReplayStore::new());
    let a = Harness::builder()
        .with_dpop_replay_store(shared.clone())
        .build()
        .await
        .unwrap();
    let b = Harness::builder()
        .with_dpop_replay_store(shared)
        .build()
        .await
        .unwrap();
    b.clock.set(a.clock.now());
    let proof = token_proof(&a, &DpopKey::es256_test_key(0)).sign();
    login_with(&a, post(proof.clone())).await.unwrap();
    let e = login_with(&b, post(proof)).await.unwrap_err();
    assert_eq!(invalid(&e), Some("DPoP proof jti was already used"));
}

#[tokio::test]
async fn a_proof_for_another_url_or_method_is_refused() {
    let h = Harness::new().await.unwrap();
    let key = DpopKey::es256_test_key(0);
    let now = h.clock.now().unix_seconds();
    let other_url = key
        .proof("POST", "https://evil.example.com/oauth/token")
        .iat(now)
        .sign();
    let e = login_with(&h, post(other_url)).await.unwrap_err();
    assert_eq!(
        invalid(&e),
        Some("DPoP proof htu does not match the request URL")
    );
    let e = login_with(&h, post(key.proof("POST", USERINFO_URL).iat(now).sign()))
        .await
        .unwrap_err();
    assert_eq!(
        invalid(&e),
        Some("DPoP proof htu does not match the request URL")
    );
    let get = key.proof("GET", TOKEN_URL).iat(now).sign();
    let e = login_with(&h, post(get)).await.unwrap_err();
    assert_eq!(
        invalid(&e),
        Some("DPoP proof htm does not match the request method")
    );
    // Query and fragment are not part of the comparison.
    let with_query = key
        .proof("POST", &format!("{TOKEN_URL}?a=b#c"))
        .iat(now)
        .sign();
    login_with(&h, post(with_query)).await.unwrap();
}

#[tokio::test]
async fn a_proof_older_or_newer_than_the_window_is_refused() {
    let h = Harness::new().await.unwrap();
    let key = DpopKey::es256_test_key(0);
    let now = h.clock.now().unix_seconds();
    for iat in [now - 61, now + 61] {
        let e = login_with(&h, post(token_proof(&h, &key).iat(iat).sign()))
            .await
            .unwrap_err();
        assert_eq!(
            invalid(&e),
            Some("DPoP proof iat is not within the acceptable window")
        );
    }
    for iat in [now - 60, now + 60] {
        login_with(&h, post(token_proof(&h, &key).iat(iat).sign()))
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn two_proofs_a_huge_one_or_a_private_key_are_refused() {
    let h = Harness::new().await.unwrap();
    let key = DpopKey::es256_test_key(0);
    let two = DpopProof {
        headers: vec![token_proof(&h, &key).sign(), token_proof(&h, &key).sign()],
        method: "POST".into(),
    };
    let e = login_with(&h, two).await.unwrap_err();
    assert_eq!(invalid(&e), Some("Exactly one DPoP header is allowed"));
    let huge = token_proof(&h, &key)
        .claim("pad", "x".repeat(9 * 1024).into())
        .sign();
    let e = login_with(&h, post(huge)).await.unwrap_err();
    assert_eq!(invalid(&e), Some("DPoP proof is too large"));
    let private = token_proof(&h, &key).with_private_jwk().sign();
    let e = login_with(&h, post(private)).await.unwrap_err();
    assert_eq!(
        invalid(&e),
        Some("DPoP proof jwk must not contain a private key")
    );
}

#[tokio::test]
async fn a_public_client_must_include_a_fresh_server_nonce() {
    let h = Harness::new().await.unwrap();
    let key = DpopKey::es256_test_key(0);
    let public_login = |proof: String| {
        let h = &h;
        async move {
            let alice = fixtures::fresh_email();
            let mut start = Harness::start_request(&alice);
            start.client = Harness::public();
            h.service.start(start).await.unwrap();
            let code = h.code_for(&alice).unwrap();
            let req = TokenRequest::new(Harness::public(), Harness::otp_grant(&alice, &code));
            h.service.token(req.with_dpop(post(proof))).await
        }
    };
    let e = public_login(token_proof(&h, &key).sign())
        .await
        .unwrap_err();
    assert!(matches!(e, TokenError::Dpop(DpopError::UseNonce)), "{e:?}");
    let nonce = h.service.dpop_nonce();
    let t = public_login(token_proof(&h, &key).nonce(Some(&nonce)).sign())
        .await
        .unwrap();
    assert_eq!(t.token_type, "DPoP");
    // The previous window's nonce is still good; two windows back is not.
    h.clock.advance(Duration::from_secs(300));
    assert_ne!(h.service.dpop_nonce(), nonce, "the nonce rotates");
    public_login(token_proof(&h, &key).nonce(Some(&nonce)).sign())
        .await
        .unwrap();
    h.clock.advance(Duration::from_secs(300));
    let e = public_login(token_proof(&h, &key).nonce(Some(&nonce)).sign())
        .await
        .unwrap_err();
    assert!(matches!(e, TokenError::Dpop(DpopError::UseNonce)), "{e:?}");
}

#[tokio::test]
async fn a_client_that_requires_dpop_is_refused_without_a_proof() {
    let strict = Client {
        require_dpop: true,
        mfa: None,
        api_grants: Vec::new(),
        ..defaults::confidential_client()
    };
    let h = Harness::builder()
        .with_client(strict)
        .build()
        .await
        .unwrap();
    let e = h.login(&fixtures::fresh_email()).await.unwrap_err();
    let e = e.downcast_ref::<TokenError>().unwrap();
    assert!(matches!(e, TokenError::Dpop(DpopError::Required)), "{e:?}");
    let key = DpopKey::es256_test_key(0);
    login_with(&h, post(token_proof(&h, &key).sign()))
        .await
        .unwrap();
}

fn refresh(token: &str) -> TokenRequest {
    Harness::token_request(RefreshGrant {
        refresh_token: SecretString::from(token.to_owned()),
        scope: None,
    })
}

#[tokio::test]
async fn a_bound_family_refreshes_only_with_its_key_and_a_refusal_does_not_revoke_it() {
    let h = Harness::new().await.unwrap();
    let key = DpopKey::es256_test_key(0);
    let other = DpopKey::es256_test_key(1);
    let t = login_with(&h, post(token_proof(&h, &key).sign()))
        .await
        .unwrap();
    let rt = t.refresh_token().unwrap().to_owned();
    for attempt in [
        refresh(&rt).with_dpop(post(token_proof(&h, &other).sign())),
        refresh(&rt),
    ] {
        let e = h.service.token(attempt).await.unwrap_err();
        assert!(
            matches!(
                e,
                TokenError::Grant(GrantError::RefreshToken(RefreshError::DpopKeyMismatch))
            ),
            "{e:?}"
        );
    }
    let again = h
        .service
        .token(refresh(&rt).with_dpop(post(token_proof(&h, &key).sign())))
        .await
        .unwrap();
    assert_eq!(again.token_type, "DPoP");
    assert_eq!(cnf_of(&h, &again).await.as_deref(), Some(key.jkt()));
}

#[tokio::test]
async fn an_unbound_family_stays_unbound_when_refreshed_with_a_proof() {
    let h = Harness::new().await.unwrap();
    let t = h.login(&fixtures::fresh_email()).await.unwrap();
    let key = DpopKey::es256_test_key(0);
    let again = h
        .service
        .token(refresh(t.refresh_token().unwrap()).with_dpop(post(token_proof(&h, &key).sign())))
        .await
        .unwrap();
    assert_eq!(again.token_type, "Bearer");
    assert_eq!(cnf_of(&h, &again).await, None);
}

#[tokio::test]
async fn userinfo_wants_a_proof_of_the_tokens_key() {
    let h = Harness::new().await.unwrap();
    let key = DpopKey::es256_test_key(0);
    let t = login_with(&h, post(token_proof(&h, &key).sign()))
        .await
        .unwrap();
    let at = t.access_token();
    let now = h.clock.now().unix_seconds();
    let e = h.service.userinfo(at).await.unwrap_err();
    assert!(matches!(e, UserinfoError::InvalidDpopToken), "{e:?}");
    let good = key
        .proof("GET", USERINFO_URL)
        .iat(now)
        .access_token(at)
        .sign();
    let profile = h
        .service
        .userinfo_dpop(at, &DpopProof::new(good, "GET"))
        .await
        .unwrap();
    assert!(profile.email.is_some());
    let bad_ath = key
        .proof("GET", USERINFO_URL)
        .iat(now)
        .access_token("another")
        .sign();
    let e = h
        .service
        .userinfo_dpop(at, &DpopProof::new(bad_ath, "GET"))
        .await
        .unwrap_err();
    assert!(matches!(e, UserinfoError::InvalidDpopProof(_)), "{e:?}");
    let other = DpopKey::es256_test_key(1)
        .proof("GET", USERINFO_URL)
        .iat(now)
        .access_token(at)
        .sign();
    let e = h
        .service
        .userinfo_dpop(at, &DpopProof::new(other, "GET"))
        .await
        .unwrap_err();
    assert!(matches!(e, UserinfoError::InvalidDpopProof(_)), "{e:?}");
    let missing = DpopProof {
        headers: Vec::new(),
        method: "GET".into(),
    };
    let e = h.service.userinfo_dpop(at, &missing).await.unwrap_err();
    assert!(matches!(e, UserinfoError::InvalidDpopProof(_)), "{e:?}");
    // An unbound token under the DPoP scheme is refused as a token.
    let plain = h.login(&fixtures::fresh_email()).await.unwrap();
    let p = key
        .proof("GET", USERINFO_URL)
        .iat(now)
        .access_token(plain.access_token())
        .sign();
    let e = h
        .service
        .userinfo_dpop(plain.access_token(), &DpopProof::new(p, "GET"))
        .await
        .unwrap_err();
    assert!(matches!(e, UserinfoError::InvalidDpopToken), "{e:?}");
}
