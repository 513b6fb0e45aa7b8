//! Redis Cluster: keys spread over the primaries, and a primary that dies
//! fails only its own slots, as `Unavailable`, without hanging anyone.

use std::sync::Arc;
use std::time::{Duration, Instant};

use sesame_domain::authorization::Redemption;
use sesame_domain::ports::{AuthorizationCodeStore, ChallengeStore, HealthCheck, StoreError};
use sesame_store_redis::RedisConfig;
use sesame_testkit::fixtures::{fresh_authorization_code, fresh_challenge, fresh_email, real_now};
use sha2::{Digest, Sha256};

use crate::scope::{Scope, cluster_urls};
use crate::support::no_hang;
use sesame_store_redis::private_cluster::PrivateCluster;

/// The hash tag of a challenge's key: the SHA-256 of its recipient.
fn challenge_tag(ch: &sesame_domain::Challenge) -> String {
    hex::encode(Sha256::digest(ch.recipient.as_str().as_bytes()))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn challenges_and_codes_spread_over_every_primary() {
    let scope = Scope::cluster();
    let store = scope.store().await;
    let now = real_now();
    for _ in 0..30 {
        store
            .put(&fresh_challenge(fresh_email(), now))
            .await
            .unwrap();
        store.insert(&fresh_authorization_code(now)).await.unwrap();
    }
    for url in cluster_urls() {
        let mut conn = redis::Client::open(url.as_str())
            .unwrap()
            .get_multiplexed_async_connection()
            .await
            .unwrap();
        let keys: Vec<String> = redis::cmd("KEYS")
            .arg(format!("{}*", scope.config.key_prefix))
            .query_async(&mut conn)
            .await
            .unwrap();
        assert!(
            keys.iter().any(|k| k.contains(":ch:{")) && keys.iter().any(|k| k.contains(":ac:{")),
            "{url} holds {keys:?}"
        );
    }
    scope.cleanup().await;
}

#[track_caller]
fn assert_unavailable<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    assert!(
        matches!(r, Err(StoreError::Unavailable(_))),
        "{what}: {r:?}"
    );
}

/// The most a call may take with 300 ms timeouts, with room for a slow,
/// shared test machine; far below the hang guard.
const PROMPT: Duration = Duration::from_secs(5);

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_dead_primary_fails_its_slots_as_unavailable_and_the_others_keep_working() {
    const DEAD: usize = 2;
    let mut cluster = PrivateCluster::start(3).await;
    let config = RedisConfig::cluster(cluster.urls()).with_timeouts(300, 300);
    let scope = Scope::on(config, cluster.urls());
    let store = Arc::new(scope.store().await);
    let now = real_now();

    let (mut live_challenges, mut dead_challenges) = (Vec::new(), Vec::new());
    let (mut live_codes, mut dead_codes) = (Vec::new(), Vec::new());
    for _ in 0..30 {
        let ch = fresh_challenge(fresh_email(), now);
        store.put(&ch).await.unwrap();
        if cluster.owner(&challenge_tag(&ch)).await == DEAD {
            dead_challenges.push(ch);
        } else {
            live_challenges.push(ch);
        }
        let code = fresh_authorization_code(now);
        store.insert(&code).await.unwrap();
        if cluster.owner(&code.code_mac.to_hex()).await == DEAD {
            dead_codes.push(code);
        } else {
            live_codes.push(code);
        }
    }
    assert!(!dead_challenges.is_empty() && !live_challenges.is_empty());
    assert!(!dead_codes.is_empty() && !live_codes.is_empty());

    // Traffic on the live primaries' keys runs while the other one dies.
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let background = {
        let store = Arc::clone(&store);
        let keys: Vec<_> = live_challenges.iter().map(|c| c.key()).collect();
        tokio::spawn(async move {
            let (mut ok, mut unavailable) = (0_u32, 0_u32);
            while !*stopped.borrow() {
                for key in &keys {
                    match no_hang(store.latest(key)).await {
                        Ok(Some(_)) => ok += 1,
                        Err(StoreError::Unavailable(_)) => unavailable += 1,
                        other => panic!("latest of a live key during the kill: {other:?}"),
                    }
                }
            }
            (ok, unavailable)
        })
    };
    cluster.kill(DEAD);

    for ch in &dead_challenges {
        let started = Instant::now();
        assert_unavailable(no_hang(store.latest(&ch.key())).await, "latest");
        assert_unavailable(no_hang(store.put(ch)).await, "put");
        assert_unavailable(
            no_hang(store.consume(&ch.key(), &ch.id, now)).await,
            "consume",
        );
        assert!(started.elapsed() < PROMPT * 3, "{:?}", started.elapsed());
    }
    for code in &dead_codes {
        let started = Instant::now();
        assert_unavailable(no_hang(store.redeem(&code.code_mac, now)).await, "redeem");
        assert!(started.elapsed() < PROMPT, "{:?}", started.elapsed());
    }
    // Readiness answers promptly either way (a PING to the primaries the
    // client still knows); it is not what fails the dead slots.
    let started = Instant::now();
    let ready = no_hang(store.check()).await;
    assert!(
        matches!(ready, Ok(()) | Err(StoreError::Unavailable(_))),
        "{ready:?}"
    );
    assert!(started.elapsed() < PROMPT, "{:?}", started.elapsed());

    for ch in &live_challenges {
        assert_eq!(store.latest(&ch.key()).await.unwrap().as_ref(), Some(ch));
        assert!(store.consume(&ch.key(), &ch.id, now).await.unwrap());
    }
    for code in &live_codes {
        assert!(matches!(
            store.redeem(&code.code_mac, now).await.unwrap(),
            Redemption::Redeemed(_)
        ));
    }
    stop.send(true).unwrap();
    let (ok, unavailable) = no_hang(background).await.unwrap();
    eprintln!("live-primary reads during the kill: {ok} ok, {unavailable} unavailable");
    assert!(
        ok > 0,
        "no call on a live primary succeeded ({unavailable} unavailable)"
    );
    scope.cleanup().await;
}
