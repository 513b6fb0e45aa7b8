//! A cache that may evict keys would silently reset every rate-limit
//! counter under memory pressure: the server refuses to start on one,
//! naming `maxmemory-policy`, unless `[cache] allow_eviction = true`.
//!
//! Each test runs its own `redis-server` on a free port (the shared test
//! Redis's configuration is never changed), killed when the test ends.

#![expect(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    reason = "test setup: a server that cannot be started must fail the test loudly"
)]

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// A `redis-server` of this test's own, with `policy`.
struct PrivateRedis {
    child: Child,
    port: u16,
}

impl PrivateRedis {
    async fn start(policy: &str) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let bin =
            std::env::var("SESAME_TEST_REDIS_SERVER").unwrap_or_else(|_| "redis-server".into());
        let child = Command::new(bin)
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .args(["--maxmemory", "64mb", "--maxmemory-policy", policy])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server (set SESAME_TEST_REDIS_SERVER to its path)");
        let redis = Self { child, port };
        // Until it accepts connections: it starts in milliseconds.
        for _ in 0..500 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return redis;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!("the private redis-server did not come up");
    }

    fn config(&self, extra: &str) -> String {
        format!(
            "[store]\nurl = \"memory://\"\n\n[cache]\nurl = \"redis://127.0.0.1:{}\"\n{extra}\n",
            self.port
        )
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

async fn build(toml: &str) -> anyhow::Result<sesame_server::App> {
    let settings = sesame_server::config::from_toml(toml)?;
    let resolved = sesame_server::config::resolve(settings)?;
    sesame_server::build(resolved).await
}

#[tokio::test]
async fn an_evicting_cache_refuses_to_start_naming_maxmemory_policy() {
    for policy in ["allkeys-lru", "volatile-ttl"] {
        let redis = PrivateRedis::start(policy).await;
        let Err(err) = build(&redis.config("")).await else {
            panic!("started on a cache with maxmemory-policy {policy}");
        };
        let err = format!("{err:#}");
        assert!(
            err.contains("maxmemory-policy") && err.contains(policy),
            "{err}"
        );
        assert!(
            err.contains("allow_eviction"),
            "says how to override: {err}"
        );
    }
}

#[tokio::test]
async fn allow_eviction_starts_on_an_evicting_cache() {
    let redis = PrivateRedis::start("allkeys-lru").await;
    build(&redis.config("allow_eviction = true")).await.unwrap();
}

#[tokio::test]
async fn a_cache_that_does_not_evict_starts() {
    let redis = PrivateRedis::start("noeviction").await;
    build(&redis.config("")).await.unwrap();
}
