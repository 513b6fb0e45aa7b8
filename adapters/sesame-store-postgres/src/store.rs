//! [`PgStore`]: the connection pool every port implementation shares.

use std::future::Future;
use std::time::Duration;

use sesame_domain::ports::StoreError;
use sqlx::PgPool;
use sqlx::migrate::Migrator;

use crate::config::PgConfig;
use crate::error::{from_sqlx, timed_out};

/// The schema, embedded at compile time from `migrations/`.
static MIGRATOR: Migrator = sqlx::migrate!("./migrations");

/// Every Sesame storage port, backed by one PostgreSQL connection pool.
///
/// Cloning is cheap and shares the pool. Every storage call is bounded by the
/// configured operation timeout and reports a dead or slow server as
/// [`StoreError::Unavailable`].
#[derive(Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
    op_timeout: Duration,
}

impl PgStore {
    /// Connects to the database in `config` and brings its schema up to
    /// date.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the server cannot be reached within
    /// `connect_timeout_secs`; [`StoreError::Unknown`] for a malformed URL, a
    /// refused login or a failed migration.
    pub async fn connect(config: &PgConfig) -> Result<Self, StoreError> {
        let options = config
            .connect_options()
            .map_err(|e| StoreError::Unknown(e.into()))?;
        let limit = config.connect_timeout();
        let pool = tokio::time::timeout(limit, config.pool_options().connect_with(options))
            .await
            .map_err(|_| timed_out(limit))?
            .map_err(from_sqlx)?;
        let store = Self {
            pool,
            op_timeout: config.operation_timeout(),
        };
        tokio::time::timeout(limit, store.apply_migrations())
            .await
            .map_err(|_| timed_out(limit))??;
        Ok(store)
    }

    /// Applies the migrations that have not run yet. Running it again is a
    /// no-op, and concurrent runs from several instances are serialised by
    /// an advisory lock.
    ///
    /// # Errors
    /// [`StoreError::Unavailable`] when the server cannot be reached;
    /// [`StoreError::Unknown`] when a migration fails or the database holds
    /// migrations this build does not know.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        self.bounded(self.apply_migrations()).await
    }

    async fn apply_migrations(&self) -> Result<(), StoreError> {
        MIGRATOR
            .run(&self.pool)
            .await
            .map_err(|e| from_sqlx(sqlx::Error::Migrate(Box::new(e))))?;
        // The data migration 0005 leaves pending: SQL cannot normalise
        // addresses, so the fold runs here, once.
        self.fold_email_addresses().await
    }

    /// The underlying pool, for health reporting or administrative queries.
    #[must_use]
    pub const fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Closes every connection; later calls fail as unavailable.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Runs one storage call within the operation timeout.
    pub(crate) async fn bounded<T>(
        &self,
        op: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        tokio::time::timeout(self.op_timeout, op)
            .await
            .map_err(|_| timed_out(self.op_timeout))?
    }
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("connections", &self.pool.size())
            .field("idle", &self.pool.num_idle())
            .field("op_timeout", &self.op_timeout)
            .finish()
    }
}
