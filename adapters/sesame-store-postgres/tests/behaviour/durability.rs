//! What is committed survives the pool: close it, connect again, read back.

use sesame_domain::SigningAlg;
use sesame_domain::ports::{ChallengeStore, KeyStore, RefreshTokenStore, UserStore};
use sesame_testkit::fixtures::{
    fresh_challenge, fresh_email, fresh_refresh_record, fresh_signing_key, fresh_user, real_now,
};

use crate::common::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn data_survives_closing_the_pool_and_reconnecting() {
    let db = TestDb::create().await;
    let now = real_now();
    let user = fresh_user(fresh_email(), now);
    let ch = fresh_challenge(user.recipient.clone(), now);
    let first = fresh_signing_key(SigningAlg::EdDSA, now);
    let second = fresh_signing_key(SigningAlg::EdDSA, now);
    let token = fresh_refresh_record(now);
    {
        let store = db.store().await;
        store.create(&user).await.unwrap();
        store.record_login(&user.id, now).await.unwrap();
        store.put(&ch).await.unwrap();
        store.record_failure(&ch.key(), &ch.id).await.unwrap();
        assert!(KeyStore::rotate(&store, &first, None).await.unwrap());
        assert!(
            KeyStore::rotate(&store, &second, Some(&first.kid))
                .await
                .unwrap()
        );
        store.insert(&token).await.unwrap();
        store.close().await;
        assert!(store.pool().is_closed());
    }

    let store = db.store().await;
    let got = UserStore::get(&store, &user.id).await.unwrap().unwrap();
    assert_eq!((got.logins_count, got.verified), (1, true));
    assert_eq!(got.last_login, Some(now));
    let got = store.latest(&ch.key()).await.unwrap().unwrap();
    assert_eq!(got.attempts_left, ch.attempts_left - 1);
    assert_eq!(got.code_mac, ch.code_mac);
    let keys = store.active().await.unwrap();
    assert_eq!(keys.len(), 2);
    let current = keys.iter().find(|k| k.kid == second.kid).unwrap();
    let previous = keys.iter().find(|k| k.kid == first.kid).unwrap();
    assert_eq!(current.private_der(), second.private_der(), "private bytes");
    assert_eq!(previous.private_der(), first.private_der(), "private bytes");
    assert_eq!(
        RefreshTokenStore::find(&store, &token.token_mac)
            .await
            .unwrap(),
        Some(token)
    );
}
