//! Storage layout, expiry, replacement, deletion, housekeeping and corruption.

use std::time::Duration;

use sesame_domain::ports::{ChallengeStore, Housekeeping, StoreError};
use sesame_domain::retention::EXPIRED_CHALLENGE_RETENTION;
use sesame_testkit::fixtures::{fresh_challenge, fresh_email, fresh_phone, real_now};

use crate::scope::Scope;
use crate::support::{cmd, full_challenge, keys_under};

#[tokio::test]
async fn every_field_round_trips_for_email_and_sms() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    for recipient in [fresh_email(), fresh_phone()] {
        let mut ch = full_challenge(recipient, now);
        ch.consumed = true;
        ch.attempts_left = 1;
        store.put(&ch).await.unwrap();
        assert_eq!(store.latest(&ch.key()).await.unwrap(), Some(ch));
    }
    scope.cleanup().await;
}

#[tokio::test]
async fn one_tagged_key_per_recipient_without_the_recipient_expiring_after_the_retention() {
    let scope = Scope::new();
    let store = scope.store().await;
    let ch = full_challenge(fresh_email(), real_now());
    store.put(&ch).await.unwrap();
    let prefix = &scope.config.key_prefix;
    let keys = keys_under(prefix).await;
    let local_part = ch.recipient.as_str().split('@').next().unwrap();
    assert_eq!(keys.len(), 1, "{keys:?}");
    let key = &keys[0];
    assert!(!key.contains(local_part), "{key}");
    assert!(key.starts_with(&format!("{prefix}ch:{{")), "{key}");
    assert!(
        key.ends_with(&format!("}}:email:{}", ch.client_id.as_str())),
        "{key}"
    );
    assert_eq!(cmd::<String>(&["HGET", key, "id"]).await, ch.id.as_str());

    // The challenge lives three minutes; its key that plus the retention.
    let most = i64::try_from((Duration::from_secs(180) + EXPIRED_CHALLENGE_RETENTION).as_millis())
        .unwrap();
    let ttl: i64 = cmd(&["PTTL", key]).await;
    assert!(ttl > most - 60_000 && ttl <= most, "PTTL {ttl} of {key}");
    scope.cleanup().await;
}

#[tokio::test]
async fn put_replaces_the_challenge_and_its_id_in_place() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let old = fresh_challenge(fresh_phone(), now);
    let mut new = fresh_challenge(old.recipient.clone(), now);
    new.client_id = old.client_id.clone();
    store.put(&old).await.unwrap();
    store.put(&new).await.unwrap();
    assert_eq!(keys_under(&scope.config.key_prefix).await.len(), 1);
    assert!(!store.consume(&old.key(), &old.id, now).await.unwrap());
    assert_eq!(
        store.record_failure(&old.key(), &old.id).await.unwrap(),
        None
    );
    assert_eq!(store.latest(&new.key()).await.unwrap(), Some(new));
    scope.cleanup().await;
}

#[tokio::test]
async fn consume_draws_the_expiry_line_at_expires_at() {
    let scope = Scope::new();
    let store = scope.store().await;
    let ch = fresh_challenge(fresh_email(), real_now());
    store.put(&ch).await.unwrap();
    assert!(
        !store
            .consume(&ch.key(), &ch.id, ch.expires_at)
            .await
            .unwrap()
    );
    let just_before =
        sesame_domain::time::Timestamp::from_unix_millis(ch.expires_at.unix_millis() - 1);
    assert!(store.consume(&ch.key(), &ch.id, just_before).await.unwrap());
    assert!(!store.consume(&ch.key(), &ch.id, just_before).await.unwrap());
    assert!(store.latest(&ch.key()).await.unwrap().unwrap().consumed);
    scope.cleanup().await;
}

#[tokio::test]
async fn delete_removes_the_key_only_when_it_holds_the_deleted_id() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    store.put(&ch).await.unwrap();
    store.delete(&ch.key(), &ch.id).await.unwrap();
    assert_eq!(keys_under(&scope.config.key_prefix).await.len(), 0);
    store.delete(&ch.key(), &ch.id).await.unwrap();

    let old = fresh_challenge(fresh_email(), now);
    let mut new = fresh_challenge(old.recipient.clone(), now);
    new.client_id = old.client_id.clone();
    store.put(&old).await.unwrap();
    store.put(&new).await.unwrap();
    store.delete(&old.key(), &old.id).await.unwrap();
    assert_eq!(store.latest(&new.key()).await.unwrap(), Some(new));
    scope.cleanup().await;
}

#[tokio::test]
async fn housekeeping_has_nothing_to_purge_and_leaves_expired_challenges_to_their_ttl() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let mut expired = fresh_challenge(fresh_email(), now);
    expired.expires_at =
        sesame_domain::time::Timestamp::from_unix_millis(now.unix_millis() - 1_000);
    store.put(&expired).await.unwrap();
    let report = store
        .purge_once(now.plus(EXPIRED_CHALLENGE_RETENTION))
        .await
        .unwrap();
    assert_eq!(report.challenges, 0);
    let keys = keys_under(&scope.config.key_prefix).await;
    assert_eq!(keys.len(), 1);
    let ttl: i64 = cmd(&["PTTL", &keys[0]]).await;
    assert!(ttl > 0, "the expired challenge's key has no TTL: {ttl}");
    scope.cleanup().await;
}

#[tokio::test]
async fn undecodable_challenges_are_corrupt_not_errors_or_panics() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    store.put(&ch).await.unwrap();
    let hash = keys_under(&scope.config.key_prefix).await.remove(0);

    cmd::<i64>(&["HSET", &hash, "consumed", "maybe"]).await;
    assert!(matches!(
        store.latest(&ch.key()).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        store.consume(&ch.key(), &ch.id, now).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        store.record_failure(&ch.key(), &ch.id).await,
        Err(StoreError::Corrupt(_))
    ));

    cmd::<String>(&["SET", &hash, "not a hash"]).await;
    assert!(matches!(
        store.consume(&ch.key(), &ch.id, now).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        store.latest(&ch.key()).await,
        Err(StoreError::Corrupt(_))
    ));
    scope.cleanup().await;
}

#[tokio::test]
async fn scripts_are_loaded_again_after_redis_forgets_them() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    store.put(&ch).await.unwrap();
    // As after a Redis restart: EVALSHA answers NOSCRIPT until reloaded.
    cmd::<String>(&["SCRIPT", "FLUSH"]).await;
    assert!(store.consume(&ch.key(), &ch.id, now).await.unwrap());
    scope.cleanup().await;
}
