//! Storage layout, expiry, replacement, deletion, purging and corruption.

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
async fn key_names_carry_no_recipient_and_expire_after_the_retention() {
    let scope = Scope::new();
    let store = scope.store().await;
    let ch = full_challenge(fresh_email(), real_now());
    store.put(&ch).await.unwrap();
    let prefix = &scope.config.key_prefix;
    let keys = keys_under(prefix).await;
    let local_part = ch.recipient.as_str().split('@').next().unwrap();
    assert_eq!(keys.len(), 3, "{keys:?}");
    assert!(keys.iter().all(|k| !k.contains(local_part)), "{keys:?}");
    let hash = format!("{prefix}ch:{}", ch.id.as_str());
    let index = format!("{prefix}chk:{}:email:", ch.client_id.as_str());
    assert!(keys.contains(&hash));
    assert!(keys.iter().any(|k| k.starts_with(&index)));
    assert!(keys.contains(&format!("{prefix}chx")));

    // The challenge lives three minutes; its keys (the expiry index too)
    // that plus the retention.
    let most = i64::try_from((Duration::from_secs(180) + EXPIRED_CHALLENGE_RETENTION).as_millis())
        .unwrap();
    for key in &keys {
        let ttl: i64 = cmd(&["PTTL", key]).await;
        assert!(ttl > most - 60_000 && ttl <= most, "PTTL {ttl} of {key}");
    }
    scope.cleanup().await;
}

#[tokio::test]
async fn put_deletes_the_challenge_it_replaces() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let old = fresh_challenge(fresh_phone(), now);
    let mut new = fresh_challenge(old.recipient.clone(), now);
    new.client_id = old.client_id.clone();
    store.put(&old).await.unwrap();
    store.put(&new).await.unwrap();
    let old_hash = format!("{}ch:{}", scope.config.key_prefix, old.id.as_str());
    assert_eq!(cmd::<i64>(&["EXISTS", &old_hash]).await, 0);
    assert!(!store.consume(&old.id, now).await.unwrap());
    assert_eq!(store.record_failure(&old.id).await.unwrap(), None);
    assert_eq!(store.latest(&new.key()).await.unwrap(), Some(new));
    scope.cleanup().await;
}

#[tokio::test]
async fn consume_draws_the_expiry_line_at_expires_at() {
    let scope = Scope::new();
    let store = scope.store().await;
    let ch = fresh_challenge(fresh_email(), real_now());
    store.put(&ch).await.unwrap();
    assert!(!store.consume(&ch.id, ch.expires_at).await.unwrap());
    let just_before =
        sesame_domain::time::Timestamp::from_unix_millis(ch.expires_at.unix_millis() - 1);
    assert!(store.consume(&ch.id, just_before).await.unwrap());
    assert!(!store.consume(&ch.id, just_before).await.unwrap());
    assert!(store.latest(&ch.key()).await.unwrap().unwrap().consumed);
    scope.cleanup().await;
}

#[tokio::test]
async fn delete_clears_the_index_only_when_it_points_to_the_deleted_id() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    store.put(&ch).await.unwrap();
    store.delete(&ch.id).await.unwrap();
    assert_eq!(keys_under(&scope.config.key_prefix).await.len(), 0);
    store.delete(&ch.id).await.unwrap();

    let old = fresh_challenge(fresh_email(), now);
    let mut new = fresh_challenge(old.recipient.clone(), now);
    new.client_id = old.client_id.clone();
    store.put(&old).await.unwrap();
    store.put(&new).await.unwrap();
    store.delete(&old.id).await.unwrap();
    assert_eq!(store.latest(&new.key()).await.unwrap(), Some(new));
    scope.cleanup().await;
}

#[tokio::test]
async fn a_purge_removes_exactly_the_challenges_past_their_retention() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let cutoff = sesame_domain::time::Timestamp::from_unix_millis(now.unix_millis() - 600_000);
    let purge_at = cutoff.plus(EXPIRED_CHALLENGE_RETENTION);
    let expiring = |offset_ms: i64| {
        let mut ch = fresh_challenge(fresh_email(), now);
        ch.expires_at =
            sesame_domain::time::Timestamp::from_unix_millis(cutoff.unix_millis() + offset_ms);
        ch.created_at =
            sesame_domain::time::Timestamp::from_unix_millis(ch.expires_at.unix_millis() - 180_000);
        ch
    };
    let gone = [expiring(-60_000), expiring(-1)];
    let kept = [expiring(0), expiring(1), expiring(900_000)];
    for ch in gone.iter().chain(&kept) {
        store.put(ch).await.unwrap();
    }
    assert_eq!(store.purge_once(purge_at).await.unwrap().challenges, 2);
    for ch in &gone {
        assert_eq!(store.latest(&ch.key()).await.unwrap(), None);
    }
    for ch in &kept {
        assert_eq!(store.latest(&ch.key()).await.unwrap().as_ref(), Some(ch));
    }
    assert_eq!(store.purge_once(purge_at).await.unwrap().challenges, 0);
    scope.cleanup().await;
}

#[tokio::test]
async fn a_purge_bigger_than_one_batch_removes_everything_expired() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let mut expired = fresh_challenge(fresh_email(), now);
    expired.expires_at =
        sesame_domain::time::Timestamp::from_unix_millis(now.unix_millis() - 1_000);
    for _ in 0..1_100 {
        let mut ch = fresh_challenge(fresh_email(), now);
        ch.expires_at = expired.expires_at;
        store.put(&ch).await.unwrap();
    }
    let report = store
        .purge_once(now.plus(EXPIRED_CHALLENGE_RETENTION))
        .await
        .unwrap();
    assert_eq!(report.challenges, 1_100);
    assert_eq!(keys_under(&scope.config.key_prefix).await.len(), 0);
    scope.cleanup().await;
}

#[tokio::test]
async fn undecodable_challenges_are_corrupt_not_errors_or_panics() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    store.put(&ch).await.unwrap();
    let hash = format!("{}ch:{}", scope.config.key_prefix, ch.id.as_str());

    cmd::<i64>(&["HSET", &hash, "consumed", "maybe"]).await;
    assert!(matches!(
        store.latest(&ch.key()).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        store.consume(&ch.id, now).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        store.record_failure(&ch.id).await,
        Err(StoreError::Corrupt(_))
    ));

    cmd::<String>(&["SET", &hash, "not a hash"]).await;
    assert!(matches!(
        store.consume(&ch.id, now).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        store.latest(&ch.key()).await,
        Err(StoreError::Corrupt(_))
    ));
    scope.cleanup().await;
}

#[tokio::test]
async fn an_index_whose_challenge_is_gone_reads_as_none() {
    let scope = Scope::new();
    let store = scope.store().await;
    let ch = fresh_challenge(fresh_phone(), real_now());
    store.put(&ch).await.unwrap();
    let hash = format!("{}ch:{}", scope.config.key_prefix, ch.id.as_str());
    cmd::<i64>(&["DEL", &hash]).await;
    assert_eq!(store.latest(&ch.key()).await.unwrap(), None);
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
    assert!(store.consume(&ch.id, now).await.unwrap());
    scope.cleanup().await;
}
