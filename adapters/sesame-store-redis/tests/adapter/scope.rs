//! A unique key prefix per test on the Redis at `SESAME_TEST_REDIS_URL`, so
//! tests run in parallel (and across runs) without seeing each other's keys.

use sesame_store_redis::{RedisConfig, RedisStore};

/// The Redis the tests use: `SESAME_TEST_REDIS_URL`, or a local one.
pub fn redis_url() -> String {
    std::env::var("SESAME_TEST_REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".to_owned())
}

/// One test's slice of the test Redis.
pub struct Scope {
    /// The store configuration, with this scope's prefix.
    pub config: RedisConfig,
}

impl Scope {
    /// A fresh prefix `sesame-test:<uuid>:`.
    pub fn new() -> Self {
        let prefix = format!("sesame-test:{}:", uuid::Uuid::new_v4().simple());
        Self {
            config: RedisConfig::new(redis_url()).with_key_prefix(prefix),
        }
    }

    /// A newly connected store (its own connection) under this prefix.
    pub async fn store(&self) -> RedisStore {
        RedisStore::connect(&self.config)
            .await
            .expect("connect to the test Redis (set SESAME_TEST_REDIS_URL)")
    }

    /// Deletes every key under the prefix, best effort.
    pub async fn cleanup(self) {
        let Ok(client) = redis::Client::open(redis_url()) else {
            return;
        };
        let Ok(mut conn) = client.get_multiplexed_async_connection().await else {
            return;
        };
        let pattern = format!("{}*", self.config.key_prefix);
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
                let _: redis::RedisResult<i64> =
                    redis::cmd("DEL").arg(&keys).query_async(&mut conn).await;
            }
            if next == 0 {
                return;
            }
            cursor = next;
        }
    }
}
