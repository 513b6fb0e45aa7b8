//! The store: one reconnecting connection shared by every port it serves.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use async_trait::async_trait;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{Client, RedisResult};
use secrecy::ExposeSecret;
use sesame_domain::ports::{HealthCheck, StoreError};

use crate::config::RedisConfig;
use crate::error;
use crate::keys::Keys;

/// Reconnection attempts behind one failed connection, before the waiting
/// calls are failed. Each attempt is bounded by the connect timeout, and every
/// call by [`RedisConfig::call_deadline`] regardless.
const RECONNECT_RETRIES: usize = 2;
/// The first pause between reconnection attempts; it doubles, with jitter.
const RECONNECT_MIN_DELAY: Duration = Duration::from_millis(50);
/// The longest pause between reconnection attempts.
const RECONNECT_MAX_DELAY: Duration = Duration::from_millis(500);

/// Challenges, authorization codes, rate-limit counters and a readiness
/// check in one Redis.
///
/// Implements [`ChallengeStore`](sesame_domain::ports::ChallengeStore),
/// [`AuthorizationCodeStore`](sesame_domain::ports::AuthorizationCodeStore),
/// [`RateLimiter`](sesame_domain::ports::RateLimiter),
/// [`Housekeeping`](sesame_domain::ports::Housekeeping) and [`HealthCheck`].
/// Cheap to clone: clones share one multiplexed connection, which
/// reconnects by itself after Redis restarts or the network drops.
///
/// Every call is bounded by [`RedisConfig::call_deadline`] and fails with
/// [`StoreError::Unavailable`] past it.
#[derive(Clone)]
pub struct RedisStore {
    pub(crate) conn: ConnectionManager,
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
    /// [`StoreError::Unknown`] when the URL does not parse (or asks for TLS
    /// without the `tls` feature), a timeout is zero, or there is no Tokio
    /// runtime to run the connection on.
    pub fn lazy(config: &RedisConfig) -> Result<Self, StoreError> {
        if config.connect_timeout_ms == 0 || config.response_timeout_ms == 0 {
            return Err(invalid("timeouts must be at least 1 ms"));
        }
        // The connection manager spawns a task; without a runtime that panics.
        if tokio::runtime::Handle::try_current().is_err() {
            return Err(invalid("the redis store needs a Tokio runtime"));
        }
        install_tls_provider();
        // The parse error is not passed on: it may quote the URL, password
        // included.
        let client = Client::open(config.url.expose_secret())
            .map_err(|e| invalid(&format!("the redis url is not usable ({:?})", e.kind())))?;
        let manager = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(config.connect_timeout()))
            .set_response_timeout(Some(config.response_timeout()))
            .set_number_of_retries(RECONNECT_RETRIES)
            .set_min_delay(RECONNECT_MIN_DELAY)
            .set_max_delay(RECONNECT_MAX_DELAY);
        let conn = ConnectionManager::new_lazy_with_config(client, manager).map_err(|e| {
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

    /// Runs one Redis call under the deadline, mapping its errors.
    pub(crate) async fn run<T>(
        &self,
        call: impl Future<Output = RedisResult<T>>,
    ) -> Result<T, StoreError> {
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
        let mut conn = self.conn.clone();
        let pong: String = self.run(redis::cmd("PING").query_async(&mut conn)).await?;
        if pong == "PONG" {
            Ok(())
        } else {
            Err(StoreError::Unknown(anyhow::anyhow!(
                "redis answered PING with something else"
            )))
        }
    }
}
