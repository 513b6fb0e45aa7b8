//! Housekeeping: what one purge removes and what it keeps, on one file.

use std::time::Duration;

use sesame_domain::ports::{
    AuthorizationCodeStore, ChallengeStore, Housekeeping, PurgeReport, RateLimiter,
    RefreshTokenStore,
};
use sesame_domain::retention::{
    AUTHORIZATION_CODE_RETENTION, EXPIRED_CHALLENGE_RETENTION, EXPIRED_REFRESH_FAMILY_RETENTION,
};
use sesame_domain::{RateLimit, Redemption, Timestamp};
use sesame_testkit::fixtures::fresh_authorization_code;

use crate::common::{TempDb, challenge, email, minutes, now, refresh_record};

fn ago(t: Timestamp, d: Duration) -> Timestamp {
    Timestamp::from_unix_millis(t.unix_millis() - i64::try_from(d.as_millis()).unwrap())
}

#[tokio::test]
async fn a_purge_removes_only_what_outlived_its_retention() {
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

    let family_retention = EXPIRED_REFRESH_FAMILY_RETENTION;
    let mut dead_family = refresh_record(ago(t, family_retention + minutes(120)));
    dead_family.expires_at = ago(t, family_retention + minutes(2));
    dead_family.family_expires_at = ago(t, family_retention + minutes(1));
    // Expired, but a replay of its tokens is still worth recognising.
    let mut recently_dead_family = refresh_record(ago(t, minutes(120)));
    recently_dead_family.expires_at = ago(t, minutes(2));
    recently_dead_family.family_expires_at = ago(t, minutes(1));
    let live_family = refresh_record(t);
    for family in [&dead_family, &recently_dead_family, &live_family] {
        RefreshTokenStore::insert(&store, family).await.unwrap();
    }

    let mut dead_code = fresh_authorization_code(ago(t, AUTHORIZATION_CODE_RETENTION + minutes(2)));
    dead_code.expires_at = ago(t, AUTHORIZATION_CODE_RETENTION + minutes(1));
    let mut replayable_code = fresh_authorization_code(ago(t, minutes(2)));
    replayable_code.expires_at = ago(t, minutes(1));
    for code in [&dead_code, &replayable_code] {
        AuthorizationCodeStore::insert(&store, code).await.unwrap();
        store.redeem(&code.code_mac, code.created_at).await.unwrap();
    }

    let report = store.purge_once(t).await.unwrap();
    assert_eq!(
        report,
        PurgeReport {
            challenges: 1,
            authorization_codes: 1,
            refresh_families: 1,
            rate_limit_windows: 1,
            dpop_jtis: 0,
            mfa_tickets: 0,
            log_events: 0,
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
    for family in [recently_dead_family, live_family] {
        assert_eq!(
            RefreshTokenStore::find(&store, &family.token_mac)
                .await
                .unwrap(),
            Some(family)
        );
    }
    assert_eq!(store.purge_once(t).await.unwrap(), PurgeReport::default());
}
