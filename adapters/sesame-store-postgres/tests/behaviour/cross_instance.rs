//! Two instances (two pools) on one database see one state.

use std::time::Duration;

use sesame_domain::ports::{ChallengeStore, KeyStore, RateLimiter, RefreshTokenStore, UserStore};
use sesame_domain::{RateLimit, Rotation, SigningAlg};
use sesame_testkit::fixtures::{
    fresh_challenge, fresh_email, fresh_mac, fresh_phone, fresh_refresh_record, fresh_signing_key,
    fresh_user, real_now, unique_hex,
};

use crate::common::TestDb;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_challenge_put_on_one_instance_is_consumed_once_across_both() {
    let db = TestDb::create().await;
    let (a, b) = (db.store().await, db.store().await);
    let now = real_now();
    let ch = fresh_challenge(fresh_phone(), now);
    a.put(&ch).await.unwrap();
    assert_eq!(b.latest(&ch.key()).await.unwrap().unwrap().id, ch.id);
    assert!(
        b.consume(&ch.key(), &ch.id, now).await.unwrap(),
        "first consume via B"
    );
    assert!(
        !a.consume(&ch.key(), &ch.id, now).await.unwrap(),
        "second consume via A"
    );
    assert!(a.latest(&ch.key()).await.unwrap().unwrap().consumed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_replacement_on_one_instance_kills_the_old_code_on_the_other() {
    let db = TestDb::create().await;
    let (a, b) = (db.store().await, db.store().await);
    let now = real_now();
    let old = fresh_challenge(fresh_email(), now);
    a.put(&old).await.unwrap();
    let mut new = fresh_challenge(old.recipient.clone(), now);
    new.client_id = old.client_id.clone();
    b.put(&new).await.unwrap();
    assert!(!a.consume(&old.key(), &old.id, now).await.unwrap());
    assert_eq!(a.record_failure(&old.key(), &old.id).await.unwrap(), None);
    assert_eq!(a.latest(&old.key()).await.unwrap().unwrap().id, new.id);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn rate_limit_counts_are_shared_by_instances() {
    let db = TestDb::create().await;
    let (a, b) = (db.store().await, db.store().await);
    let rule = RateLimit::new(3, Duration::from_secs(3600));
    let key = format!("test:{}", unique_hex());
    let now = real_now();
    assert_eq!(a.hit(&key, rule, now).await.unwrap().remaining, 2);
    assert_eq!(b.hit(&key, rule, now).await.unwrap().remaining, 1);
    assert_eq!(a.hit(&key, rule, now).await.unwrap().remaining, 0);
    assert!(!b.peek(&key, rule, now).await.unwrap().allowed);
    assert!(!b.hit(&key, rule, now).await.unwrap().allowed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn users_keys_and_refresh_tokens_are_shared_by_instances() {
    let db = TestDb::create().await;
    let (a, b) = (db.store().await, db.store().await);
    let now = real_now();

    let user = fresh_user(fresh_email(), now);
    let mut twin = fresh_user(user.recipient.clone(), now);
    twin.verified = true;
    assert_eq!(a.create(&user).await.unwrap(), user);
    assert_eq!(b.create(&twin).await.unwrap(), user, "B sees A's user");

    let key = fresh_signing_key(SigningAlg::ES256, now);
    assert!(KeyStore::rotate(&a, &key, None).await.unwrap());
    assert!(
        !KeyStore::rotate(&b, &fresh_signing_key(SigningAlg::ES256, now), None)
            .await
            .unwrap()
    );
    assert_eq!(b.active().await.unwrap(), vec![key]);

    let token = fresh_refresh_record(now);
    a.insert(&token).await.unwrap();
    let next = fresh_mac();
    let idle = Duration::from_secs(60);
    assert!(matches!(
        RefreshTokenStore::rotate(&b, &token.token_mac, &next, now, idle)
            .await
            .unwrap(),
        Rotation::Rotated(_)
    ));
    assert_eq!(
        RefreshTokenStore::rotate(&a, &token.token_mac, &fresh_mac(), now, idle)
            .await
            .unwrap(),
        Rotation::Reused {
            family_id: token.family_id.clone()
        }
    );
    assert!(
        RefreshTokenStore::find(&b, &next).await.unwrap().is_none(),
        "family revoked for B"
    );
}
