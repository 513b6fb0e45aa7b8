//! Authorization codes: one hash per code, its expiry, housekeeping that
//! leaves them to it, and what a corrupt hash reads as.

use std::time::Duration;

use sesame_domain::ports::{AuthorizationCodeStore, Housekeeping, PurgeReport, StoreError};
use sesame_domain::retention::AUTHORIZATION_CODE_RETENTION;
use sesame_domain::{Redemption, Timestamp};
use sesame_testkit::fixtures::{fresh_authorization_code, real_now};

use crate::scope::Scope;
use crate::support::{cmd, keys_under};

#[tokio::test]
async fn a_code_is_one_hash_named_by_its_mac_that_expires_after_the_retention() {
    let scope = Scope::new();
    let store = scope.store().await;
    let code = fresh_authorization_code(real_now());
    store.insert(&code).await.unwrap();
    let prefix = &scope.config.key_prefix;
    let hash = format!("{prefix}ac:{{{}}}", code.code_mac.to_hex());
    assert_eq!(keys_under(prefix).await, vec![hash.clone()]);
    let lifetime = code.expires_at.unix_millis() - code.created_at.unix_millis();
    let most = lifetime + i64::try_from(AUTHORIZATION_CODE_RETENTION.as_millis()).unwrap();
    let ttl: i64 = cmd(&["PTTL", &hash]).await;
    assert!(ttl > most - 60_000 && ttl <= most, "PTTL {ttl}");
    // Spending and replaying keep the expiry.
    store.redeem(&code.code_mac, code.created_at).await.unwrap();
    store.redeem(&code.code_mac, code.created_at).await.unwrap();
    let after: i64 = cmd(&["PTTL", &hash]).await;
    assert!(after > 0 && after <= ttl, "PTTL {after} after redeeming");
    scope.cleanup().await;
}

#[tokio::test]
async fn a_second_code_under_the_same_mac_is_refused_and_changes_nothing() {
    let scope = Scope::new();
    let store = scope.store().await;
    let code = fresh_authorization_code(real_now());
    store.insert(&code).await.unwrap();
    store.redeem(&code.code_mac, code.created_at).await.unwrap();
    assert!(matches!(
        store.insert(&code).await,
        Err(StoreError::Unknown(_))
    ));
    assert_eq!(
        store.redeem(&code.code_mac, code.created_at).await.unwrap(),
        Redemption::Reused { family_id: None }
    );
    scope.cleanup().await;
}

#[tokio::test]
async fn purging_removes_nothing_since_every_code_expires_by_itself() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let mut old =
        fresh_authorization_code(Timestamp::from_unix_millis(now.unix_millis() - 120_000));
    old.expires_at = Timestamp::from_unix_millis(now.unix_millis() - 60_000);
    store.insert(&old).await.unwrap();
    assert_eq!(
        store
            .purge_once(now.plus(Duration::from_secs(3_600)))
            .await
            .unwrap(),
        PurgeReport::default()
    );
    assert_eq!(keys_under(&scope.config.key_prefix).await.len(), 1);
    scope.cleanup().await;
}

#[tokio::test]
async fn a_hash_whose_state_does_not_decode_is_corrupt() {
    let scope = Scope::new();
    let store = scope.store().await;
    let code = fresh_authorization_code(real_now());
    store.insert(&code).await.unwrap();
    let hash = format!(
        "{}ac:{{{}}}",
        scope.config.key_prefix,
        code.code_mac.to_hex()
    );
    let _: i64 = cmd(&["HSET", &hash, "spent", "yes", "replayed", "maybe"]).await;
    assert!(matches!(
        store.redeem(&code.code_mac, code.created_at).await,
        Err(StoreError::Corrupt(_))
    ));
    assert!(matches!(
        store.record_family(&code.code_mac, "rtf_x").await,
        Err(StoreError::Corrupt(_))
    ));
    let _: i64 = cmd(&["HSET", &hash, "spent", "0", "replayed", "0"]).await;
    let _: i64 = cmd(&["HDEL", &hash, "user_id"]).await;
    assert!(matches!(
        store.redeem(&code.code_mac, code.created_at).await,
        Err(StoreError::Corrupt(_))
    ));
    scope.cleanup().await;
}
