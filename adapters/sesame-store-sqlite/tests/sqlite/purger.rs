//! Purging: what goes, what stays, and the background task's life.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sesame_domain::authorization::AUTHORIZATION_CODE_RETENTION;
use sesame_domain::ports::{
    AuthorizationCodeStore, ChallengeStore, Clock, EXPIRED_CHALLENGE_RETENTION, RateLimiter,
    RefreshTokenStore,
};
use sesame_domain::{RateLimit, Redemption, Timestamp};
use sesame_store_sqlite::PurgeReport;
use sesame_testkit::fixtures::fresh_authorization_code;

use crate::common::{FixedClock, TempDb, challenge, email, minutes, now, refresh_record};

fn ago(t: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_unix_millis(t.unix_millis() - i64::try_from(d.as_millis()).unwrap())
}

/// Polls `done` until it holds; fails after a generous deadline.
async fn eventually<F, Fut>(what: &str, mut done: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done().await {
        assert!(Instant::now() < deadline, "never happened: {what}");
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test]
async fn a_purge_removes_only_what_can_never_be_used_again() {
    let db = TempDb::new();
    let store = db.open().await;
    let t = now();
    let retention = EXPIRED_CHALLENGE_RETENTION;

    let mut long_dead = challenge(email(), ago(t, retention + minutes(10)));
    long_dead.expires_at = ago(t, retention + minutes(1));
    let mut recently_dead = challenge(email(), ago(t, minutes(10)));
    recently_dead.expires_at = ago(t, minutes(1));
    let live = challenge(email(), t);
    for ch in [&long_dead, &recently_dead, &live] {
        store.put(ch).await.unwrap();
    }

    let rule = RateLimit::new(5, minutes(1));
    store
        .hit("old-window", rule, ago(t, minutes(2)))
        .await
        .unwrap();
    store.hit("this-window", rule, t).await.unwrap();

    let mut dead_family = refresh_record(ago(t, minutes(120)));
    dead_family.expires_at = ago(t, retention + minutes(2));
    dead_family.family_expires_at = ago(t, retention + minutes(1));
    let live_family = refresh_record(t);
    RefreshTokenStore::insert(&store, &dead_family)
        .await
        .unwrap();
    RefreshTokenStore::insert(&store, &live_family)
        .await
        .unwrap();

    let mut dead_code = fresh_authorization_code(ago(t, AUTHORIZATION_CODE_RETENTION + minutes(2)));
    dead_code.expires_at = ago(t, AUTHORIZATION_CODE_RETENTION + minutes(1));
    let mut replayable_code = fresh_authorization_code(ago(t, minutes(2)));
    replayable_code.expires_at = ago(t, minutes(1));
    for code in [&dead_code, &replayable_code] {
        AuthorizationCodeStore::insert(&store, code).await.unwrap();
        store.redeem(&code.code_mac, code.created_at).await.unwrap();
    }

    let report = store.purge(t).await.unwrap();
    assert_eq!(
        report,
        PurgeReport {
            challenges: 1,
            authorization_codes: 1,
            rate_limit_windows: 1,
            refresh_tokens: 1,
        }
    );
    assert_eq!(
        store.redeem(&dead_code.code_mac, t).await.unwrap(),
        Redemption::Invalid
    );
    assert_eq!(
        store.redeem(&replayable_code.code_mac, t).await.unwrap(),
        Redemption::Reused { family_id: None }
    );
    assert_eq!(store.latest(&long_dead.key()).await.unwrap(), None);
    assert_eq!(
        store.latest(&recently_dead.key()).await.unwrap(),
        Some(recently_dead)
    );
    assert_eq!(store.latest(&live.key()).await.unwrap(), Some(live));
    assert_eq!(
        store.peek("this-window", rule, t).await.unwrap().remaining,
        4
    );
    assert_eq!(
        RefreshTokenStore::find(&store, &dead_family.token_mac)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        RefreshTokenStore::find(&store, &live_family.token_mac)
            .await
            .unwrap(),
        Some(live_family)
    );
    assert_eq!(store.purge(t).await.unwrap(), PurgeReport::default());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_background_purger_removes_expired_challenges() {
    let db = TempDb::new();
    let store = db.open().await;
    let t = now();
    let mut dead = challenge(email(), ago(t, minutes(60)));
    dead.expires_at = ago(t, EXPIRED_CHALLENGE_RETENTION + minutes(1));
    store.put(&dead).await.unwrap();

    let clock: Arc<dyn Clock> = Arc::new(FixedClock(t));
    let purger = store
        .spawn_purger(Duration::from_millis(20), Arc::clone(&clock))
        .unwrap();
    eventually("the purger removed the challenge", || async {
        store.latest(&dead.key()).await.unwrap().is_none()
    })
    .await;
    purger.stop().await;
    assert_eq!(
        Arc::strong_count(&clock),
        1,
        "a stopped purger let go of its clock"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_handle_stops_the_purger() {
    let db = TempDb::new();
    let store = db.open().await;
    let clock: Arc<dyn Clock> = Arc::new(FixedClock(now()));
    let purger = store
        .spawn_purger(Duration::from_millis(20), Arc::clone(&clock))
        .unwrap();
    assert_eq!(Arc::strong_count(&clock), 2);
    drop(purger);
    eventually("the dropped purger's task ended", || {
        let n = Arc::strong_count(&clock);
        async move { n == 1 }
    })
    .await;
}

#[test]
fn spawning_a_purger_outside_a_runtime_is_an_error_not_a_panic() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let db = TempDb::new();
    let store = runtime.block_on(db.open());
    assert!(
        store
            .spawn_purger(Duration::from_secs(1), Arc::new(FixedClock(now())))
            .is_err()
    );
}
