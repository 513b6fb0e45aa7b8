//! `offload_rs256` (feature `tokio`): same tokens, wherever they are signed.

use futures::executor::block_on;
use sesame_domain::SigningAlg;
use sesame_domain::ports::TokenMinter;
use sesame_token_jwt::JwtMinter;

use crate::support::{ISSUER, access_claims, email_id_claims, key, payload};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn offloaded_tokens_verify_for_every_algorithm() {
    let minter = JwtMinter::new().offload_rs256();
    for alg in SigningAlg::ALL {
        let k = key(&minter, alg);
        let access = minter.sign_access(&k, &access_claims()).await.unwrap();
        let claims = minter
            .verify_access(&access, std::slice::from_ref(&k), ISSUER)
            .unwrap();
        assert_eq!(claims, access_claims(), "{alg:?}");
        let id = minter.sign_id(&k, &email_id_claims(None)).await.unwrap();
        assert_eq!(payload(&id)["email"], "ada@example.com");
    }
}

#[test]
fn without_a_runtime_an_offloading_minter_signs_inline() {
    let minter = JwtMinter::new().offload_rs256();
    let k = key(&minter, SigningAlg::RS256);
    let token = block_on(minter.sign_access(&k, &access_claims())).unwrap();
    assert!(minter.verify_access(&token, &[k], ISSUER).is_ok());
    assert!(format!("{minter:?}").contains("offload_rs256: true"));
}
