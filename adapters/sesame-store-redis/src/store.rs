//! The store: one reconnecting connection (to one Redis or to a cluster)
//! shared by every port it serves.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use redis::{FromRedisValue, RedisResult};
use sesame_domain::ports::{HealthCheck, StoreError};

use crate::config::{RedisConfig, Target};
use crate::conn::Conn;
use crate::error;
use crate::keys::Keys;
use crate::scripts::Call;

/// Challenges, authorization codes, rate-limit counters and a readiness
/// check in one Redis.
///
/// Implements [`ChallengeStore`](sesame_domain::ports::ChallengeStore),
/// [`AuthorizationCodeStore`](sesame_domain::ports::AuthorizationCodeStore),
/// [`RateLimiter`](sesame_domain::ports::RateLimiter),
/// [`StepStore`](sesame_domain::ports::StepStore),
/// [`Housekeeping`](sesame_domain::ports::Housekeeping) and [`HealthCheck`].
/// Cheap to clone: clones share one multiplexed connection (one per node in
/// a cluster), which reconnects by itself after Redis restarts or the
/// network drops.
///
/// Every call is bounded by [`RedisConfig::call_deadline`] and fails with
/// [`StoreError::Unavailable`] past it.
#[derive(Clone)]
pub struct RedisStore {
    conn: Conn,
    pub(crate) keys: Keys,
    deadline: Duration,
}

impl RedisStore {
    /// Connects and checks the connection with a `PING`.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when Redis does not answer within
    /// [`RedisConfig::call_deadline`]; [`StoreError::Unknown`] for a bad
    /// configuration (see [`RedisStore::lazy`]).
    pub async fn connect(config: &RedisConfig) -> Result<Self, StoreError> {
        let store = Self::lazy(config)?;
        store.check().await?;
        Ok(store)
    }

    /// Sets up the store without touching the network; the connection opens
    /// on the first call. Lets a server start, and report "not ready",
    /// while Redis is still down.
    ///
    /// # Errors
    /// [`StoreError::Unknown`] when both `url` and `cluster` are given, a URL
    /// does not parse (or asks for TLS without the `tls` feature), the seeds
    /// disagree (scheme, password, database), a timeout is zero, or there is
    /// no Tokio runtime to run the connection on.
    pub fn lazy(config: &RedisConfig) -> Result<Self, StoreError> {
        if config.connect_timeout_ms == 0 || config.response_timeout_ms == 0 {
            return Err(invalid("timeouts must be at least 1 ms"));
        }
        // The connection manager spawns a task; without a runtime that panics.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(invalid("the redis store needs a Tokio runtime"));
        }
        install_tls_provider();
        let target = config.target().map_err(invalid)?;
        // The parse error is not passed on: it may quote the URL, password
        // included.
        let conn = match target {
            Target::Single(url) => Conn::single(url, config),
            Target::Cluster(seeds) => Conn::cluster(seeds, config),
        }
        .map_err(|e| {
            invalid(&format!(
                "cannot set up the redis connection ({:?})",
                e.kind()
            ))
        })?;
        Ok(Self {
            conn,
            keys: Keys::new(&config.key_prefix),
            deadline: config.call_deadline(),
        })
    }

    /// The prefix every key of this store starts with.
    #[must_use]
    pub fn key_prefix(&self) -> &str {
        self.keys.prefix()
    }

    /// Whether this store talks to a Redis Cluster.
    pub(crate) const fn is_cluster(&self) -> bool {
        self.conn.is_cluster()
    }

    /// Runs one script call under the deadline, mapping its errors.
    pub(crate) async fn eval<T: FromRedisValue>(&self, call: Call<'_>) -> Result<T, StoreError> {
        let mut conn = self.conn.clone();
        self.run(call.invoke(&mut conn)).await
    }

    /// Runs one plain command under the deadline, mapping its errors.
    pub(crate) async fn query<T: FromRedisValue>(&self, cmd: &redis::Cmd) -> Result<T, StoreError> {
        let mut conn = self.conn.clone();
        self.run(cmd.query_async(&mut conn)).await
    }

    /// Runs one Redis call under the deadline, mapping its errors.
    async fn run<T>(&self, call: impl Future<Output = RedisResult<T>>) -> Result<T, StoreError> {
        match tokio::time::timeout(self.deadline, call).await {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(e)) => Err(error::from_redis(e)),
            Err(_elapsed) => Err(error::deadline_passed(self.deadline)),
        }
    }
}

/// Makes aws-lc-rs the process's rustls provider unless one is set:
/// rustls panics on a TLS handshake when it cannot tell which to use.
#[cfg(feature = "tls")]
fn install_tls_provider() {
    // An Err only says another provider was installed first; that one is used.
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
}

#[cfg(not(feature = "tls"))]
const fn install_tls_provider() {}

fn invalid(why: &str) -> StoreError {
    StoreError::Unknown(anyhow::anyhow!("invalid redis configuration: {why}"))
}

impl fmt::Debug for RedisStore {
    // Not derived: the connection's Debug shows where Redis is.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("key_prefix", &self.keys.prefix())
            .field("deadline", &self.deadline)
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl HealthCheck for RedisStore {
    fn name(&self) -> &'static str {
        "redis"
    }

    async fn check(&self) -> Result<(), StoreError> {
        // On a cluster PING goes to every primary the client knows of; a
        // primary that is down fails its own slots' calls, and may or may
        // not fail this, depending on whether the slot map still lists it.
        let pong: String = self.query(&redis::cmd("PING")).await?;
        if pong == "PONG" {
            Ok(())
        } else {
            Err(StoreError::Unknown(anyhow::anyhow!(
                "redis answered PING with something else"
            )))
        }
    }
}
