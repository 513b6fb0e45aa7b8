//! MFA tickets: one string key per ticket named by its MAC, expiring by
//! itself a little after the ticket, and what a corrupt value reads as.

use std::time::Duration;

use sesame_domain::ports::{Housekeeping, MfaTransactionStore, PurgeReport, StoreError};
use sesame_testkit::contract::mfa_transactions::fresh_transaction;
use sesame_testkit::fixtures::{fresh_mac, real_now};

use crate::scope::Scope;
use crate::support::{cmd, keys_under};

#[tokio::test]
async fn a_ticket_is_one_key_named_by_its_mac_that_expires_soon_after_the_ticket() {
    let scope = Scope::new();
    let store = scope.store().await;
    let now = real_now();
    let (mac, ticket) = (fresh_mac(), fresh_transaction(now));
    store.put(&mac, &ticket).await.unwrap();
    let prefix = &scope.config.key_prefix;
    let key = format!("{prefix}mfa:{{{}}}", mac.to_hex());
    assert_eq!(keys_under(prefix).await, vec![key.clone()]);
    let lifetime = ticket.expires_at().unix_millis() - now.unix_millis();
    let ttl: i64 = cmd(&["PTTL", &key]).await;
    assert!(
        ttl > lifetime - 60_000 && ttl <= lifetime + 5_000,
        "PTTL {ttl}"
    );
    // Housekeeping leaves the key to its TTL.
    assert_eq!(
        store
            .purge_once(ticket.expires_at().plus(Duration::from_secs(60)))
            .await
            .unwrap(),
        PurgeReport::default()
    );
    assert_eq!(store.take(&mac, now).await.unwrap(), Some(ticket));
    assert!(keys_under(prefix).await.is_empty());
    scope.cleanup().await;
}

#[tokio::test]
async fn a_ticket_that_does_not_decode_is_corrupt() {
    let scope = Scope::new();
    let store = scope.store().await;
    let mac = fresh_mac();
    let key = format!("{}mfa:{{{}}}", scope.config.key_prefix, mac.to_hex());
    let _: () = cmd(&["SET", &key, "{\"kind\":\"transaction\"}", "PX", "60000"]).await;
    assert!(matches!(
        store.get(&mac, real_now()).await,
        Err(StoreError::Corrupt(_))
    ));
    scope.cleanup().await;
}
