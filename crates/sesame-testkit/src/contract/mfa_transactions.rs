//! The [`MfaTransactionStore`] checks.
//!
//! Every ticket is fresh (random key, client, user) and expires minutes
//! after the real current time, so stores that expire keys by themselves
//! keep them for the length of a check; "expired" is checked by asking as
//! of an instant at or after the ticket's `expires_at`, while the stored
//! key still lives. The purge of expired tickets is checked by
//! [`mfa_tickets_past_their_expiry_are_purged`].

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::code::CodeMac;
use sesame_domain::mfa::{AuthenticatorId, Factor, MfaTicket, MfaTransaction, OobChallenge};
use sesame_domain::ports::{Housekeeping, MfaTransactionStore};
use sesame_domain::{Connection, Timestamp};

use super::housekeeping::{PurgeWatch, purge_now};
use super::support::{ok, race};
use crate::fixtures::{
    fresh_client_id, fresh_mac, fresh_user_id, random_bytes, real_now, scope, unique_hex,
};

/// How many takes race in [`concurrent_takes_hand_the_ticket_to_one`].
const RACERS: usize = 50;

/// An `mfa_token`'s ticket with every field filled (a nonce that trips
/// naive escaping), issued at `now` and living ten minutes.
#[must_use]
pub fn fresh_transaction(now: Timestamp) -> MfaTicket {
    MfaTicket::Transaction(MfaTransaction {
        client_id: fresh_client_id(),
        user_id: fresh_user_id(Connection::Sms),
        audience: Some(format!("https://api-{}.example.com/", unique_hex())),
        scope: Some(scope("openid profile offline_access read:messages")),
        nonce: Some(format!("n\0{}\"\\ ✓", unique_hex())),
        auth_time: now,
        expires_at: now.plus(Duration::from_secs(600)),
    })
}

/// An out-of-band challenge's ticket made under an `mfa_token`, issued at
/// `now` and living five minutes.
#[must_use]
pub fn fresh_oob(now: Timestamp) -> MfaTicket {
    MfaTicket::Oob(OobChallenge {
        client_id: fresh_client_id(),
        user_id: fresh_user_id(Connection::Email),
        authenticator_id: AuthenticatorId::new(Factor::Sms, random_bytes()),
        binding_mac: fresh_mac(),
        transaction: Some(fresh_mac()),
        expires_at: now.plus(Duration::from_secs(300)),
    })
}

/// Both kinds of ticket with every optional field present and absent.
fn every_kind(now: Timestamp) -> Vec<MfaTicket> {
    let full = fresh_transaction(now);
    let mut bare = fresh_transaction(now);
    if let MfaTicket::Transaction(t) = &mut bare {
        t.audience = None;
        t.scope = None;
        t.nonce = None;
        t.auth_time = now.plus(Duration::from_millis(1));
    }
    let oob = fresh_oob(now);
    let mut enrolling = fresh_oob(now);
    if let MfaTicket::Oob(o) = &mut enrolling {
        o.transaction = None;
        o.authenticator_id = AuthenticatorId::new(Factor::Email, random_bytes());
    }
    vec![full, bare, oob, enrolling]
}

async fn put(store: &dyn MfaTransactionStore, key: &CodeMac, ticket: &MfaTicket) {
    ok(store.put(key, ticket).await, "put");
}

async fn get(store: &dyn MfaTransactionStore, key: &CodeMac, now: Timestamp) -> Option<MfaTicket> {
    ok(store.get(key, now).await, "get")
}

async fn take(store: &dyn MfaTransactionStore, key: &CodeMac, now: Timestamp) -> Option<MfaTicket> {
    ok(store.take(key, now).await, "take")
}

/// `d` before `t`.
fn before(t: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_unix_millis(
        t.unix_millis()
            .saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
    )
}

/// `put` then `get`, then `take`, return both kinds of ticket with every
/// field unchanged.
pub async fn every_field_of_both_kinds_round_trips(store: &dyn MfaTransactionStore) {
    let now = real_now();
    for ticket in every_kind(now) {
        let key = fresh_mac();
        put(store, &key, &ticket).await;
        assert_eq!(
            get(store, &key, now).await.as_ref(),
            Some(&ticket),
            "get after put"
        );
        assert_eq!(
            take(store, &key, now).await.as_ref(),
            Some(&ticket),
            "take after put"
        );
    }
}

/// `get` and `take` of a key never used return `None`.
pub async fn an_unknown_key_has_no_ticket(store: &dyn MfaTransactionStore) {
    let now = real_now();
    assert!(
        get(store, &fresh_mac(), now).await.is_none(),
        "get of an unknown key returned a ticket"
    );
    assert!(
        take(store, &fresh_mac(), now).await.is_none(),
        "take of an unknown key returned a ticket"
    );
}

/// `get` leaves the ticket in place: it can be read again, then taken.
pub async fn get_does_not_consume(store: &dyn MfaTransactionStore) {
    let now = real_now();
    let (key, ticket) = (fresh_mac(), fresh_oob(now));
    put(store, &key, &ticket).await;
    for _ in 0..3 {
        assert_eq!(
            get(store, &key, now).await.as_ref(),
            Some(&ticket),
            "get after a get"
        );
    }
    assert_eq!(
        take(store, &key, now).await,
        Some(ticket),
        "take after gets"
    );
}

/// `take` returns the ticket once; afterwards `take` and `get` find
/// nothing.
pub async fn take_returns_the_ticket_once(store: &dyn MfaTransactionStore) {
    let now = real_now();
    let (key, ticket) = (fresh_mac(), fresh_transaction(now));
    put(store, &key, &ticket).await;
    assert_eq!(take(store, &key, now).await, Some(ticket), "the first take");
    assert!(
        take(store, &key, now).await.is_none(),
        "a second take returned the ticket"
    );
    assert!(
        get(store, &key, now).await.is_none(),
        "get returned a taken ticket"
    );
}

/// A ticket is returned until just before its `expires_at`, and neither
/// `get` nor `take` returns it at or after that instant, even while the
/// store still holds it.
pub async fn a_ticket_is_gone_from_its_expiry_on(store: &dyn MfaTransactionStore) {
    let now = real_now();
    let (key, ticket) = (fresh_mac(), fresh_transaction(now));
    let expires_at = ticket.expires_at();
    put(store, &key, &ticket).await;
    assert_eq!(
        get(store, &key, before(expires_at, Duration::from_millis(1))).await,
        Some(ticket.clone()),
        "get 1 ms before the expiry"
    );
    for at in [expires_at, expires_at.plus(Duration::from_secs(1))] {
        assert!(
            get(store, &key, at).await.is_none(),
            "get returned a ticket at or after its expiry"
        );
    }
    let (key, ticket) = (fresh_mac(), fresh_oob(now));
    put(store, &key, &ticket).await;
    assert!(
        take(store, &key, ticket.expires_at()).await.is_none(),
        "take returned a ticket at its expiry"
    );
    let (key, ticket) = (fresh_mac(), fresh_oob(now));
    put(store, &key, &ticket).await;
    assert!(
        take(
            store,
            &key,
            ticket.expires_at().plus(Duration::from_secs(60))
        )
        .await
        .is_none(),
        "take returned a ticket after its expiry"
    );
}

/// `put` under a key that holds a ticket replaces it, whatever its kind:
/// `get` and `take` return the new one, and only once.
pub async fn put_replaces_the_ticket_under_the_same_key(store: &dyn MfaTransactionStore) {
    let now = real_now();
    let key = fresh_mac();
    let first = fresh_transaction(now);
    let second = fresh_oob(now);
    let third = fresh_transaction(now);
    put(store, &key, &first).await;
    put(store, &key, &second).await;
    assert_eq!(
        get(store, &key, now).await.as_ref(),
        Some(&second),
        "get after a second put under the key"
    );
    put(store, &key, &third).await;
    assert_eq!(
        take(store, &key, now).await,
        Some(third),
        "take after a third put under the key"
    );
    assert!(
        take(store, &key, now).await.is_none(),
        "a replaced ticket came back after the take"
    );
}

/// Tickets under different keys are independent: taking one leaves the
/// other.
pub async fn keys_are_independent(store: &dyn MfaTransactionStore) {
    let now = real_now();
    let (a, b) = (fresh_mac(), fresh_mac());
    let (ta, tb) = (fresh_transaction(now), fresh_oob(now));
    put(store, &a, &ta).await;
    put(store, &b, &tb).await;
    assert_eq!(take(store, &a, now).await, Some(ta), "take of one key");
    assert_eq!(
        get(store, &b, now).await,
        Some(tb),
        "taking one key's ticket touched another key's"
    );
}

/// Of concurrent `take`s of one key, exactly one gets the ticket.
pub async fn concurrent_takes_hand_the_ticket_to_one(store: &Arc<dyn MfaTransactionStore>) {
    let now = real_now();
    let (key, ticket) = (fresh_mac(), fresh_transaction(now));
    put(store.as_ref(), &key, &ticket).await;
    let got: Vec<MfaTicket> = race(RACERS, |_| {
        let store = Arc::clone(store);
        let key = key.clone();
        async move { ok(store.take(&key, now).await, "take") }
    })
    .await
    .into_iter()
    .flatten()
    .collect();
    assert_eq!(
        got,
        vec![ticket],
        "{RACERS} concurrent takes of one key: the tickets returned"
    );
}

/// `purge_once` removes tickets whose `expires_at` is at or before its
/// `now` and counts them, and keeps live ones. For stores whose
/// housekeeping purges tickets (not those that expire keys by
/// themselves).
pub async fn mfa_tickets_past_their_expiry_are_purged(
    store: &dyn MfaTransactionStore,
    housekeeping: &dyn Housekeeping,
) {
    let now = purge_now();
    let watch = PurgeWatch::begin();
    for expires_at in [before(now, Duration::from_secs(3_600)), now] {
        let mut ticket = fresh_oob(now);
        if let MfaTicket::Oob(o) = &mut ticket {
            o.expires_at = expires_at;
        }
        put(store, &fresh_mac(), &ticket).await;
    }
    let (kept_key, kept) = (fresh_mac(), fresh_transaction(now));
    put(store, &kept_key, &kept).await;
    let (report, alone) = watch.purge(housekeeping, now).await;
    assert!(
        !alone || report.mfa_tickets >= 2,
        "purge_once reported {} MFA tickets removed, but 2 had expired",
        report.mfa_tickets
    );
    assert_eq!(
        get(store, &kept_key, now).await,
        Some(kept),
        "purge_once removed a live MFA ticket"
    );
}
