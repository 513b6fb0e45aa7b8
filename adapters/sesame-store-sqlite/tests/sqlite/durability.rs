//! What is written survives dropping the store and opening the file again:
//! the server relies on it to keep its signing keys across restarts.

use sesame_domain::ports::{ChallengeStore, KeyStore, RateLimiter, RefreshTokenStore, UserStore};
use sesame_domain::{KeyStatus, RateLimit, SigningAlg, Timestamp};

use crate::common::{
    TempDb, challenge, email, minutes, now, phone, refresh_record, signing_key, user,
};

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn everything_written_is_there_after_a_reopen() {
    let db = TempDb::new();
    let t = now();
    let (u1, u2) = (user(email(), t), user(phone(), t));
    let ch = challenge(email(), t);
    let rt = refresh_record(t);
    let old_rsa = signing_key(SigningAlg::RS256, Timestamp::from_unix_millis(1_000));
    let new_rsa = signing_key(SigningAlg::RS256, Timestamp::from_unix_millis(2_000));
    let ec = signing_key(SigningAlg::ES256, Timestamp::from_unix_millis(3_000));
    let rule = RateLimit::new(5, minutes(10));
    {
        let store = db.open().await;
        UserStore::create(&store, &u1).await.unwrap();
        UserStore::create(&store, &u2).await.unwrap();
        UserStore::record_login(&store, &u2.id, t).await.unwrap();
        store.put(&ch).await.unwrap();
        RefreshTokenStore::insert(&store, &rt).await.unwrap();
        assert!(KeyStore::rotate(&store, &old_rsa, None).await.unwrap());
        assert!(
            KeyStore::rotate(&store, &new_rsa, Some(&old_rsa.kid))
                .await
                .unwrap()
        );
        assert!(KeyStore::rotate(&store, &ec, None).await.unwrap());
        store.hit("login:ip", rule, t).await.unwrap();
        // Dropped without close(), as a crashing server would.
    }

    let store = db.open().await;
    assert_eq!(
        UserStore::get(&store, &u1.id).await.unwrap(),
        Some(u1.clone())
    );
    let logged_in = UserStore::find(&store, &u2.recipient)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((logged_in.logins_count, logged_in.verified), (1, true));
    assert_eq!(store.latest(&ch.key()).await.unwrap(), Some(ch));
    assert_eq!(
        RefreshTokenStore::find(&store, &rt.token_mac)
            .await
            .unwrap(),
        Some(rt)
    );
    assert_eq!(store.peek("login:ip", rule, t).await.unwrap().remaining, 4);

    let mut keys = store.active().await.unwrap();
    keys.sort_by_key(|k| k.created_at);
    let previous = keys.first().unwrap();
    assert_eq!(previous.kid, old_rsa.kid);
    assert_eq!(previous.status, KeyStatus::Previous);
    assert_eq!(previous.private_der(), old_rsa.private_der());
    assert_eq!(keys.get(1..), Some(&[new_rsa, ec][..]));
}
