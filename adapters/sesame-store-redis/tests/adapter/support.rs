//! What the adapter tests share: raw access to the test Redis, fixtures and
//! a hang guard.

use std::future::Future;
use std::time::Duration;

use redis::aio::MultiplexedConnection;
use sesame_domain::challenge::{AuthParams, Challenge};
use sesame_domain::recipient::Recipient;
use sesame_domain::time::Timestamp;
use sesame_domain::{PkceChallenge, PkceMethod, ResponseType};
use sesame_testkit::fixtures::{fresh_challenge, fresh_mac, redirect_uri, scope};

use crate::scope::redis_url;

/// A plain connection to the test Redis, to look behind the store's back.
pub async fn raw() -> MultiplexedConnection {
    redis::Client::open(redis_url())
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap()
}

/// Runs a raw command and returns its reply.
pub async fn cmd<T: redis::FromRedisValue>(args: &[&str]) -> T {
    let mut conn = raw().await;
    let mut c = redis::cmd(args[0]);
    for a in &args[1..] {
        c.arg(*a);
    }
    c.query_async(&mut conn).await.unwrap()
}

/// Every key under `prefix`.
pub async fn keys_under(prefix: &str) -> Vec<String> {
    let mut keys: Vec<String> = cmd(&["KEYS", &format!("{prefix}*")]).await;
    keys.sort();
    keys
}

/// A live challenge with every optional field set: OAuth parameters and a
/// link MAC.
pub fn full_challenge(recipient: Recipient, now: Timestamp) -> Challenge {
    let mut ch = fresh_challenge(recipient, now);
    ch.auth_params = AuthParams {
        scope: Some(scope("openid email")),
        state: Some("state with \"quotes\" and ünïcode".into()),
        redirect_uri: Some(redirect_uri("https://app.example.com/cb")),
        response_type: Some(ResponseType::Code),
        nonce: Some("n-1".into()),
        audience: Some("https://api.example.com".into()),
        code_challenge: PkceChallenge::parse("E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM").ok(),
        code_challenge_method: Some(PkceMethod::S256),
    };
    ch.link_mac = Some(fresh_mac());
    ch
}

/// `fut`, failing the test if it has not finished within a minute: a guard
/// against hangs, not a timing assertion.
pub async fn no_hang<T>(fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(60), fut)
        .await
        .expect("the call hung")
}
