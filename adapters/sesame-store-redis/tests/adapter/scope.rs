//! A unique key prefix per test on the test Redis (`SESAME_TEST_REDIS_URL`)
//! or the test Redis Cluster (`SESAME_TEST_REDIS_CLUSTER_URLS`), so tests
//! run in parallel (and across runs) without seeing each other's keys.

use sesame_store_redis::{RedisConfig, RedisStore};

/// The Redis the tests use: `SESAME_TEST_REDIS_URL`, or a local one.
pub fn redis_url() -> String {
    std::env::var("SESAME_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// The primaries of the test cluster: `SESAME_TEST_REDIS_CLUSTER_URLS`
/// (comma-separated), or the three the test services start on 7000–7002.
pub fn cluster_urls() -> Vec<String> {
    std::env::var("SESAME_TEST_REDIS_CLUSTER_URLS")
        .unwrap_or_else(|_| {
            "redis://127.0.0.1:7000,redis://127.0.0.1:7001,redis://127.0.0.1:7002".to_owned()
        })
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// One test's slice of the test Redis or cluster.
pub struct Scope {
    /// The store configuration, with this scope's prefix.
    pub config: RedisConfig,
    /// Every node keys may live on, for the cleanup.
    nodes: Vec<String>,
}

impl Scope {
    /// A fresh prefix `sesame-test:<uuid>:` on the single test Redis.
    pub fn new() -> Self {
        Self::on(RedisConfig::new(redis_url()), vec![redis_url()])
    }

    /// A fresh prefix on the test Redis Cluster.
    pub fn cluster() -> Self {
        Self::on(RedisConfig::cluster(cluster_urls()), cluster_urls())
    }

    /// A fresh prefix for `config`, whose keys live on `nodes`.
    pub fn on(config: RedisConfig, nodes: Vec<String>) -> Self {
        let prefix = format!("sesame-test:{}:", uuid::Uuid::new_v4().simple());
        Self {
            config: config.with_key_prefix(prefix),
            nodes,
        }
    }

    /// A newly connected store (its own connection) under this prefix.
    pub async fn store(&self) -> RedisStore {
        RedisStore::connect(&self.config).await.expect(
            "connect to the test Redis (set SESAME_TEST_REDIS_URL / SESAME_TEST_REDIS_CLUSTER_URLS)",
        )
    }

    /// Deletes every key under the prefix on every node, best effort. Keys
    /// go one by one: a cluster node refuses a `DEL` across slots.
    pub async fn cleanup(self) {
        for node in &self.nodes {
            cleanup_node(node, &self.config.key_prefix).await;
        }
    }
}

async fn cleanup_node(url: &str, prefix: &str) {
    let Ok(client) = redis::Client::open(url) else {
        return;
    };
    let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
        return;
    };
    let pattern = format!("{prefix}*");
    let mut cursor: u64 = 0;
    loop {
        let page: redis::RedisResult<(u64, Vec<String>)> = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(&pattern)
            .arg("COUNT")
            .arg(1000)
            .query_async(&mut conn)
            .await;
        let Ok((next, keys)) = page else { return };
        if !keys.is_empty() {
            let mut pipe = redis::pipe();
            for key in &keys {
                pipe.cmd("DEL").arg(key).ignore();
            }
            let _: redis::RedisResult<()> = pipe.query_async(&mut conn).await;
        }
        if next == 0 {
            return;
        }
        cursor = next;
    }
}
