//! One connection type for a single Redis and a Redis Cluster, so every
//! port runs the same scripts on the same key layout over either.
//!
//! A single Redis is reached through redis-rs's `ConnectionManager`, which
//! reconnects in the background. A cluster is reached through its
//! cluster-async connection, which routes each command to the primary owning
//! its first key's slot, follows `MOVED`/`ASK` and refreshes the slot map
//! when nodes come and go. The cluster connection is opened on first use, so
//! that [`crate::RedisStore::lazy`] does no I/O in either mode.

use std::sync::Arc;

use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::{Client, Cmd, Pipeline, RedisFuture, RedisResult, Value};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::OnceCell;

use crate::config::RedisConfig;

/// Reconnection attempts behind one failed connection, before the waiting
/// calls are failed. Each attempt is bounded by the connect timeout, and every
/// call by [`RedisConfig::call_deadline`] regardless.
const RECONNECT_RETRIES: usize = 2;
/// The first pause between reconnection attempts; it doubles, with jitter.
const RECONNECT_MIN_DELAY_MS: u64 = 50;
/// The longest pause between reconnection attempts.
const RECONNECT_MAX_DELAY_MS: u64 = 500;

/// A connection to one Redis or to a cluster; cheap to clone (every clone
/// shares the same underlying connections).
#[derive(Clone)]
pub(crate) enum Conn {
    /// One Redis.
    Single(ConnectionManager),
    /// A Redis Cluster, connected on first use.
    Cluster(Arc<LazyCluster>),
}

/// A cluster client and, once opened, its connection.
pub(crate) struct LazyCluster {
    client: ClusterClient,
    conn: OnceCell<ClusterConnection>,
}

impl Conn {
    /// Whether this is a Redis Cluster, where one script may only touch the
    /// keys of one slot.
    pub(crate) const fn is_cluster(&self) -> bool {
        matches!(self, Self::Cluster(_))
    }

    /// A reconnecting connection to the Redis at `url`; no I/O yet.
    pub(crate) fn single(url: &str, config: &RedisConfig) -> RedisResult<Self> {
        let client = Client::open(url)?;
        let manager = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.connect_timeout()))
            .set_response_timeout(Some(config.response_timeout()))
            .set_number_of_retries(RECONNECT_RETRIES)
            .set_min_delay(std::time::Duration::from_millis(RECONNECT_MIN_DELAY_MS))
            .set_max_delay(std::time::Duration::from_millis(RECONNECT_MAX_DELAY_MS));
        Ok(Self::Single(ConnectionManager::new_lazy_with_config(
            client, manager,
        )?))
    }

    /// A connection to the cluster that `seeds` belong to; no I/O yet.
    ///
    /// TLS follows the seeds' scheme (`rediss://`), as for a single Redis.
    /// Retries are few and short: every call has its own deadline anyway,
    /// and a primary that is down should fail its calls quickly rather than
    /// hold them until the deadline.
    pub(crate) fn cluster(seeds: &[SecretString], config: &RedisConfig) -> RedisResult<Self> {
        let client = ClusterClientBuilder::new(seeds.iter().map(|s| s.expose_secret().to_owned()))
            .connection_timeout(config.connect_timeout())
            .response_timeout(config.response_timeout())
            .retries(u32::try_from(RECONNECT_RETRIES).unwrap_or(u32::MAX))
            .min_retry_wait(RECONNECT_MIN_DELAY_MS)
            .max_retry_wait(RECONNECT_MAX_DELAY_MS)
            .build()?;
        Ok(Self::Cluster(Arc::new(LazyCluster {
            client,
            conn: OnceCell::new(),
        })))
    }
}

impl LazyCluster {
    /// The cluster connection, opened by the first caller (a failed attempt
    /// leaves it unopened for the next one).
    async fn get(&self) -> RedisResult<ClusterConnection> {
        self.conn
            .get_or_try_init(|| self.client.get_async_connection())
            .await
            .cloned()
    }
}

impl ConnectionLike for Conn {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Self::Single(conn) => conn.req_packed_command(cmd),
            Self::Cluster(lazy) => Box::pin(async move {
                let mut conn = lazy.get().await?;
                conn.req_packed_command(cmd).await
            }),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Self::Single(conn) => conn.req_packed_commands(pipeline, offset, count),
            Self::Cluster(lazy) => Box::pin(async move {
                let mut conn = lazy.get().await?;
                conn.req_packed_commands(pipeline, offset, count).await
            }),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Self::Single(conn) => conn.get_db(),
            // A cluster has only database 0.
            Self::Cluster(_) => 0,
        }
    }
}
