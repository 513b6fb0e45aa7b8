//! Awkward input that PostgreSQL's types would refuse.

use sesame_domain::Redemption;
use sesame_domain::ports::{AuthorizationCodeStore, ChallengeStore};
use sesame_testkit::fixtures::{fresh_authorization_code, fresh_challenge, fresh_email, real_now};

use crate::common::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn auth_params_with_nul_characters_round_trip() {
    let db = TestDb::create().await;
    let store = db.store().await;
    let mut ch = fresh_challenge(fresh_email(), real_now());
    ch.auth_params.state = Some("a\0b\u{1}\"\\".to_owned());
    ch.auth_params.nonce = Some("\0".to_owned());
    store.put(&ch).await.unwrap();
    let got = store.latest(&ch.key()).await.unwrap().unwrap();
    assert_eq!(got.auth_params, ch.auth_params);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_authorization_code_nonce_with_nul_characters_round_trips() {
    let db = TestDb::create().await;
    let store = db.store().await;
    let mut code = fresh_authorization_code(real_now());
    code.nonce = Some("a\0b\u{1}\"\\ ✓".to_owned());
    AuthorizationCodeStore::insert(&store, &code).await.unwrap();
    let got = store.redeem(&code.code_mac, code.created_at).await.unwrap();
    assert_eq!(got, Redemption::Redeemed(code));
}
