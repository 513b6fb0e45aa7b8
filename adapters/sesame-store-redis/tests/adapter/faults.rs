//! A dead, unreachable or stalled Redis: every call fails with
//! `Unavailable`, never a panic or a hang.

use std::sync::Arc;
use std::time::Duration;

use sesame_domain::ports::{
    AuthorizationCodeStore, ChallengeStore, HealthCheck, RateLimiter, StoreError,
};
use sesame_domain::rate_limit::RateLimit;
use sesame_store_redis::{RedisConfig, RedisStore};
use sesame_testkit::fixtures::{fresh_authorization_code, fresh_challenge, fresh_email, real_now};

use crate::proxy::Proxy;
use crate::scope::{Scope, redis_url};
use crate::support::no_hang;

/// Short timeouts, so the failing calls fail quickly.
fn quick(url: &str) -> RedisConfig {
    RedisConfig::new(url)
        .with_key_prefix(format!("sesame-test:{}:", uuid::Uuid::new_v4().simple()))
        .with_timeouts(300, 300)
}

/// A local port nothing listens on.
async fn closed_port() -> u16 {
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    l.local_addr().unwrap().port()
}

#[track_caller]
fn assert_unavailable<T: std::fmt::Debug>(r: Result<T, StoreError>, what: &str) {
    assert!(
        matches!(r, Err(StoreError::Unavailable(_))),
        "{what}: {r:?}"
    );
}

/// Every port method once, each required to be `Unavailable`.
async fn every_call_is_unavailable(store: &RedisStore) {
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    let rule = RateLimit::new(3, Duration::from_secs(60));
    assert_unavailable(no_hang(store.check()).await, "check");
    assert_unavailable(no_hang(store.put(&ch)).await, "put");
    assert_unavailable(no_hang(store.latest(&ch.key())).await, "latest");
    assert_unavailable(
        no_hang(store.consume(&ch.key(), &ch.id, now)).await,
        "consume",
    );
    assert_unavailable(
        no_hang(store.record_failure(&ch.key(), &ch.id)).await,
        "record_failure",
    );
    assert_unavailable(no_hang(store.delete(&ch.key(), &ch.id)).await, "delete");
    let code = fresh_authorization_code(now);
    assert_unavailable(
        no_hang(AuthorizationCodeStore::insert(store, &code)).await,
        "insert code",
    );
    assert_unavailable(no_hang(store.redeem(&code.code_mac, now)).await, "redeem");
    assert_unavailable(
        no_hang(store.record_family(&code.code_mac, "rtf_x")).await,
        "record_family",
    );
    assert_unavailable(no_hang(store.hit("k", rule, now)).await, "hit");
    assert_unavailable(no_hang(store.peek("k", rule, now)).await, "peek");
}

#[tokio::test]
async fn an_unreachable_redis_is_unavailable() {
    let url = format!("redis://127.0.0.1:{}", closed_port().await);
    let config = quick(&url);
    assert_unavailable(no_hang(RedisStore::connect(&config)).await, "connect");
    let store = RedisStore::lazy(&config).unwrap();
    every_call_is_unavailable(&store).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_connection_dropped_mid_operation_is_unavailable() {
    let proxy = Proxy::start().await;
    let scope = Scope::on(quick(proxy.url()), vec![redis_url()]);
    let store = Arc::new(RedisStore::connect(&scope.config).await.unwrap());
    let now = real_now();
    let ch = fresh_challenge(fresh_email(), now);
    store.put(&ch).await.unwrap();

    // Hold the request inside the proxy, then cut every connection.
    proxy.stall();
    let in_flight = {
        let store = Arc::clone(&store);
        let (key, id) = (ch.key(), ch.id.clone());
        tokio::spawn(async move { store.consume(&key, &id, now).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    proxy.kill().await;
    assert_unavailable(no_hang(in_flight).await.unwrap(), "the consume in flight");
    every_call_is_unavailable(&store).await;
    scope.cleanup().await;
}

#[tokio::test]
async fn a_stalled_redis_is_unavailable_after_the_timeout() {
    let proxy = Proxy::start().await;
    let store = RedisStore::connect(&quick(proxy.url())).await.unwrap();
    proxy.stall();
    every_call_is_unavailable(&store).await;
    proxy.kill().await;
}

#[tokio::test]
async fn the_store_reconnects_once_redis_is_back() {
    let proxy = Proxy::start().await;
    let port = proxy.port();
    let store = RedisStore::connect(&quick(proxy.url())).await.unwrap();
    proxy.kill().await;
    assert_unavailable(no_hang(store.check()).await, "check while Redis is away");

    let back = Proxy::start_on(port).await;
    // The connection comes back in the background; a few calls may still
    // fail meanwhile, but not forever.
    let recovered = no_hang(async {
        for _ in 0..100 {
            if store.check().await.is_ok() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        false
    })
    .await;
    assert!(recovered, "the store never reconnected");
    back.kill().await;
}

#[tokio::test]
async fn the_health_check_passes_against_a_live_redis() {
    let proxy = Proxy::start().await;
    let store = RedisStore::connect(&quick(proxy.url())).await.unwrap();
    assert_eq!(HealthCheck::name(&store), "redis");
    no_hang(store.check()).await.unwrap();
    proxy.kill().await;
}

#[test]
fn setting_up_outside_a_runtime_is_an_error_not_a_panic() {
    let r = RedisStore::lazy(&RedisConfig::default());
    assert!(matches!(r, Err(StoreError::Unknown(_))), "{r:?}");
}

#[tokio::test]
async fn bad_settings_are_refused_without_echoing_the_url() {
    let r = RedisStore::lazy(&RedisConfig::new("nonsense://:hunter2@cache:1"));
    let e = r.expect_err("a bad scheme is refused");
    assert!(!format!("{e:?} {e}").contains("hunter2"));
    let zero = RedisConfig {
        response_timeout_ms: 0,
        ..RedisConfig::default()
    };
    assert!(matches!(
        RedisStore::lazy(&zero),
        Err(StoreError::Unknown(_))
    ));
}

#[cfg(feature = "tls")]
#[tokio::test]
async fn a_tls_url_against_a_plain_redis_fails_without_a_panic() {
    let target = url::Url::parse(&redis_url()).unwrap();
    let url = format!(
        "rediss://{}:{}",
        target.host_str().unwrap(),
        target.port().unwrap_or(6379)
    );
    let r = no_hang(RedisStore::connect(&quick(&url))).await;
    assert!(r.is_err(), "a TLS handshake with a plain Redis succeeded");
}
