//! The [`ChallengeStore`] checks: storage, replacement, retention and
//! deletion here; consuming and counting failures in `attempts`, consuming
//! by link in `links`. Purging is checked in [`super::housekeeping`].

mod attempts;
mod links;

use std::time::Duration;

use sesame_domain::ports::ChallengeStore;
use sesame_domain::retention::EXPIRED_CHALLENGE_RETENTION;
use sesame_domain::{
    AuthParams, Challenge, ChallengeId, PkceChallenge, PkceMethod, ResponseType, SendMode,
    Timestamp,
};

pub use attempts::{
    consume_is_atomic_under_concurrency, consume_refuses_an_exhausted_challenge,
    consume_refuses_an_expired_challenge, consume_refuses_an_unknown_id,
    consume_succeeds_exactly_once, record_failure_counts_down_to_zero_then_refuses,
    record_failure_is_atomic_under_concurrency, record_failure_refuses_consumed_and_unknown,
};
pub use links::{
    a_code_and_its_link_racing_consume_once, a_link_outlives_its_codes_attempts,
    consume_link_refuses_consumed_expired_and_unknown,
};

use super::support::{fail, ok, some};
use crate::fixtures::{
    fresh_challenge, fresh_client_id, fresh_email, fresh_mac, fresh_phone, random_bytes, real_now,
    redirect_uri, scope,
};

/// `d` before `t`.
pub(super) fn ago(t: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_unix_millis(
        t.unix_millis()
            .saturating_sub(i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
    )
}

/// Fails unless `got` equals `want`, naming the fields that differ.
#[track_caller]
pub(super) fn assert_same(got: &Challenge, want: &Challenge, what: &str) {
    let fields = [
        ("id", got.id == want.id),
        ("client_id", got.client_id == want.client_id),
        ("recipient", got.recipient == want.recipient),
        ("send", got.send == want.send),
        ("auth_params", got.auth_params == want.auth_params),
        ("code_mac", got.code_mac == want.code_mac),
        ("link_mac", got.link_mac == want.link_mac),
        ("created_at", got.created_at == want.created_at),
        ("expires_at", got.expires_at == want.expires_at),
        ("attempts_left", got.attempts_left == want.attempts_left),
        ("consumed", got.consumed == want.consumed),
    ];
    let differ: Vec<&str> = fields.iter().filter(|f| !f.1).map(|f| f.0).collect();
    if !differ.is_empty() {
        fail(&format!(
            "{what}: fields {differ:?} differ\n got: {got:?}\nwant: {want:?}"
        ));
    }
}

/// Stores `ch` and fails the check if the store refuses.
pub(super) async fn put(store: &dyn ChallengeStore, ch: &Challenge) {
    ok(store.put(ch).await, "put");
}

/// The challenge stored under `ch`'s key.
pub(super) async fn latest_of(store: &dyn ChallengeStore, ch: &Challenge) -> Option<Challenge> {
    ok(store.latest(&ch.key()).await, "latest")
}

/// `put` then `latest` returns the challenge with every field unchanged:
/// every `authParams` field, with and without a link MAC, for email and sms
/// recipients, consumed or not.
pub async fn every_field_round_trips(store: &dyn ChallengeStore) {
    let now = real_now();
    let mut full = fresh_challenge(fresh_email(), now);
    full.send = SendMode::Link;
    full.auth_params = AuthParams {
        scope: Some(scope("openid profile email offline_access")),
        state: Some("st@te with spaces & \"quotes\" / ünïcødé ✓".to_owned()),
        redirect_uri: Some(redirect_uri("https://app.example.com/cb?x=1&y=%2F")),
        response_type: Some(ResponseType::IdTokenToken),
        nonce: Some("n-0S6_WzA2Mj".to_owned()),
        audience: Some("https://api.example.com/".to_owned()),
        code_challenge: PkceChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").ok(),
        code_challenge_method: Some(PkceMethod::S256),
    };
    full.link_mac = Some(fresh_mac());
    full.attempts_left = 7;
    let bare = fresh_challenge(fresh_phone(), now);
    let mut spent = fresh_challenge(fresh_email(), now);
    spent.consumed = true;
    spent.attempts_left = 0;
    spent.created_at = ago(now, Duration::from_secs(60));
    for ch in [&full, &bare, &spent] {
        put(store, ch).await;
        let got = some(latest_of(store, ch).await, "latest after put");
        assert_same(&got, ch, "a stored challenge read back");
    }
}

/// `latest` of a key nothing was stored under is `None`.
pub async fn an_unknown_key_has_no_challenge(store: &dyn ChallengeStore) {
    let ch = fresh_challenge(fresh_email(), real_now());
    assert!(
        latest_of(store, &ch).await.is_none(),
        "latest of a fresh key returned a challenge"
    );
}

/// A second `put` for a key replaces the first: `latest` returns the new one
/// and the old id is unknown to `consume` and `record_failure`.
pub async fn put_replaces_the_earlier_challenge(store: &dyn ChallengeStore) {
    let now = real_now();
    let old = fresh_challenge(fresh_email(), now);
    let mut new = fresh_challenge(old.recipient.clone(), now);
    new.client_id = old.client_id.clone();
    new.code_mac = fresh_mac();
    put(store, &old).await;
    put(store, &new).await;
    let got = some(latest_of(store, &old).await, "latest after replacement");
    assert_same(&got, &new, "latest after a replacement");
    assert_eq!(
        ok(
            store.record_failure(&old.key(), &old.id).await,
            "record_failure(old)"
        ),
        None,
        "record_failure of a replaced id must fail as if unknown"
    );
    assert!(
        !ok(
            store.consume(&old.key(), &old.id, now).await,
            "consume(old)"
        ),
        "consume of a replaced id must fail as if unknown"
    );
    let after = some(
        latest_of(store, &new).await,
        "latest after poking the old id",
    );
    assert_same(&after, &new, "the new challenge after poking the old id");
}

/// Challenges of different clients, recipients or connections do not
/// replace each other.
pub async fn keys_are_independent(store: &dyn ChallengeStore) {
    let now = real_now();
    let a = fresh_challenge(fresh_email(), now);
    let mut other_client = fresh_challenge(a.recipient.clone(), now);
    other_client.client_id = fresh_client_id();
    let mut other_recipient = fresh_challenge(fresh_email(), now);
    other_recipient.client_id = a.client_id.clone();
    let mut sms = fresh_challenge(fresh_phone(), now);
    sms.client_id = a.client_id.clone();
    let all = [&a, &other_client, &other_recipient, &sms];
    for ch in all {
        put(store, ch).await;
    }
    for ch in all {
        let got = some(latest_of(store, ch).await, "latest of an independent key");
        assert_same(&got, ch, "challenges under distinct keys");
    }
}

/// An expired challenge stays readable through `latest` within
/// [`EXPIRED_CHALLENGE_RETENTION`] of its expiry.
pub async fn an_expired_challenge_stays_readable(store: &dyn ChallengeStore) {
    let now = real_now();
    let mut ch = fresh_challenge(fresh_email(), now);
    // Well inside the retention, so that housekeeping checks purging the
    // same store in parallel leave it alone.
    let expired_for = EXPIRED_CHALLENGE_RETENTION.saturating_sub(Duration::from_secs(6 * 60));
    ch.expires_at = ago(now, expired_for);
    ch.created_at = ago(ch.expires_at, Duration::from_secs(180));
    put(store, &ch).await;
    let got = some(
        latest_of(store, &ch).await,
        "latest of a challenge expired within the retention",
    );
    assert_same(&got, &ch, "an expired challenge read back");
}

/// `delete` removes a challenge, and succeeds for an id already gone or
/// never stored.
pub async fn delete_removes_the_challenge_and_is_idempotent(store: &dyn ChallengeStore) {
    let now = real_now();
    let ch = fresh_challenge(fresh_phone(), now);
    put(store, &ch).await;
    ok(store.delete(&ch.key(), &ch.id).await, "delete");
    assert!(
        latest_of(store, &ch).await.is_none(),
        "latest returned a deleted challenge"
    );
    assert!(
        !ok(
            store.consume(&ch.key(), &ch.id, now).await,
            "consume(deleted)"
        ),
        "consume of a deleted challenge succeeded"
    );
    ok(
        store.delete(&ch.key(), &ch.id).await,
        "delete of a deleted id",
    );
    let never = ChallengeId::from_random(random_bytes());
    ok(
        store.delete(&ch.key(), &never).await,
        "delete of an unknown id",
    );
}

/// Deleting a replaced id leaves the challenge that replaced it alone: the
/// old id is unknown, so deleting it is a no-op.
pub async fn deleting_a_replaced_challenge_keeps_its_successor(store: &dyn ChallengeStore) {
    let now = real_now();
    let old = fresh_challenge(fresh_email(), now);
    let mut new = fresh_challenge(old.recipient.clone(), now);
    new.client_id = old.client_id.clone();
    put(store, &old).await;
    put(store, &new).await;
    ok(store.delete(&old.key(), &old.id).await, "delete(old)");
    let got = some(
        latest_of(store, &new).await,
        "latest after deleting the replaced id",
    );
    assert_same(&got, &new, "the successor after deleting the replaced id");
}
