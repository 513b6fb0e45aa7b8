//! Where a test server keeps its state: a fresh SQLite file, or a fresh
//! PostgreSQL database plus a Redis (or Redis Cluster) key prefix of its
//! own. Dropping the last handle removes it, best effort.

use std::fmt;
use std::time::Duration;

use sqlx::{Connection as _, PgConnection};
use tempfile::TempDir;

/// The default `SESAME_TEST_PG_URL`.
const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/postgres";
/// The default `SESAME_TEST_REDIS_URL`.
const DEFAULT_REDIS_URL: &str = "redis://127.0.0.1:6379";
/// The default `SESAME_TEST_REDIS_CLUSTER_URLS`: the test services' primaries.
const DEFAULT_REDIS_CLUSTER_URLS: &str =
    "redis://127.0.0.1:7000,redis://127.0.0.1:7001,redis://127.0.0.1:7002";
/// How long any one cleanup or setup step may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(30);

/// The storage a test server runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Everything in one SQLite file.
    Sqlite,
    /// PostgreSQL for durable state, Redis for challenges and rate limits.
    PostgresRedis,
}

/// The state of one test: created fresh, removed on drop. Servers that share
/// a `Storage` (restarts, clusters) share everything in it.
pub struct Storage {
    kind: Kind,
}

enum Kind {
    Sqlite {
        dir: TempDir,
    },
    PostgresRedis {
        admin_url: String,
        database: String,
        url: String,
        /// One Redis URL, or the cluster's primaries.
        redis_urls: Vec<String>,
        cluster: bool,
        key_prefix: String,
        secret: String,
    },
}

impl fmt::Debug for Storage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Sqlite { dir } => write!(f, "Storage::Sqlite({})", dir.path().display()),
            Kind::PostgresRedis { database, .. } => write!(f, "Storage::PostgresRedis({database})"),
        }
    }
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .unwrap_or_else(|| default.to_owned())
}

/// The test Redis Cluster's primaries: `SESAME_TEST_REDIS_CLUSTER_URLS`
/// (comma-separated), else the test services' default ports.
fn cluster_seeds() -> Vec<String> {
    env_or("SESAME_TEST_REDIS_CLUSTER_URLS", DEFAULT_REDIS_CLUSTER_URLS)
        .split(',')
        .map(|u| u.trim().to_owned())
        .filter(|u| !u.is_empty())
        .collect()
}

impl Storage {
    /// Fresh, empty storage of `backend`.
    ///
    /// # Panics
    /// The temporary directory or the database cannot be created.
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self {
                kind: Kind::Sqlite {
                    dir: tempfile::tempdir().expect("creating a temporary directory"),
                },
            },
            Backend::PostgresRedis => Self::postgres_redis(None).await,
        }
    }

    /// Fresh, empty storage on PostgreSQL and the test Redis Cluster
    /// (`SESAME_TEST_REDIS_CLUSTER_URLS`, comma-separated primaries); its
    /// [`Backend`] is [`Backend::PostgresRedis`].
    ///
    /// # Panics
    /// The database cannot be created.
    pub async fn create_on_redis_cluster() -> Self {
        Self::postgres_redis(Some(cluster_seeds())).await
    }

    /// Fresh, empty storage on PostgreSQL and the Redis Cluster whose
    /// primaries are `seeds` (e.g. a [`PrivateCluster`](sesame_store_redis::private_cluster::PrivateCluster)).
    ///
    /// # Panics
    /// The database cannot be created.
    pub async fn create_on_redis_cluster_at(seeds: Vec<String>) -> Self {
        Self::postgres_redis(Some(seeds)).await
    }

    /// Fresh, empty storage on the PostgreSQL server of `admin_url` (e.g. a
    /// [`PrivatePostgres`](crate::private_postgres::PrivatePostgres)) and
    /// the test Redis Cluster.
    ///
    /// # Panics
    /// The database cannot be created.
    pub async fn create_on_postgres_at(admin_url: &str) -> Self {
        Self::postgres_redis_at(admin_url.to_owned(), Some(cluster_seeds())).await
    }

    /// `cluster`: the seeds of a Redis Cluster, or `None` for the single
    /// test Redis.
    async fn postgres_redis(cluster: Option<Vec<String>>) -> Self {
        Self::postgres_redis_at(env_or("SESAME_TEST_PG_URL", DEFAULT_PG_URL), cluster).await
    }

    async fn postgres_redis_at(admin_url: String, cluster: Option<Vec<String>>) -> Self {
        let (redis_urls, cluster) = match cluster {
            Some(seeds) => (seeds, true),
            None => (
                vec![env_or("SESAME_TEST_REDIS_URL", DEFAULT_REDIS_URL)],
                false,
            ),
        };
        let id = uuid::Uuid::new_v4().simple().to_string();
        let database = format!("sesame_e2e_{id}");
        let mut url = url::Url::parse(&admin_url).expect("SESAME_TEST_PG_URL is a URL");
        url.set_path(&format!("/{database}"));
        let create = async {
            let mut conn = PgConnection::connect(&admin_url).await?;
            sqlx::query(&format!("CREATE DATABASE \"{database}\""))
                .execute(&mut conn)
                .await?;
            conn.close().await
        };
        tokio::time::timeout(STEP_TIMEOUT, create)
            .await
            .expect("creating the test database timed out")
            .unwrap_or_else(|e| panic!("creating database {database} via SESAME_TEST_PG_URL: {e}"));
        Self {
            kind: Kind::PostgresRedis {
                admin_url,
                url: url.to_string(),
                database,
                redis_urls,
                cluster,
                key_prefix: format!("sesame-e2e:{id}:"),
                // 64 hex digits: the shared MAC secret every instance needs.
                secret: format!("{id}{}", uuid::Uuid::new_v4().simple()),
            },
        }
    }

    /// The backend this storage is on.
    #[must_use]
    pub const fn backend(&self) -> Backend {
        match self.kind {
            Kind::Sqlite { .. } => Backend::Sqlite,
            Kind::PostgresRedis { .. } => Backend::PostgresRedis,
        }
    }

    /// The SQLite database file, for a SQLite storage.
    #[must_use]
    pub fn sqlite_path(&self) -> Option<std::path::PathBuf> {
        match &self.kind {
            Kind::Sqlite { dir } => Some(dir.path().join("sesame.db")),
            Kind::PostgresRedis { .. } => None,
        }
    }

    /// The PostgreSQL database URL, for a PostgreSQL storage.
    #[must_use]
    pub fn postgres_url(&self) -> Option<&str> {
        match &self.kind {
            Kind::Sqlite { .. } => None,
            Kind::PostgresRedis { url, .. } => Some(url),
        }
    }

    /// The Redis URL and key prefix, for a PostgreSQL storage on one Redis
    /// (not a cluster).
    #[must_use]
    pub fn redis(&self) -> Option<(&str, &str)> {
        match &self.kind {
            Kind::PostgresRedis {
                redis_urls,
                cluster: false,
                key_prefix,
                ..
            } => Some((redis_urls.first()?.as_str(), key_prefix.as_str())),
            _ => None,
        }
    }

    /// The server secret the servers on this storage share: the configured
    /// one, or the one a SQLite server generated beside its database
    /// (`None` before a server has started on it).
    #[must_use]
    pub fn secret(&self) -> Option<Vec<u8>> {
        match &self.kind {
            Kind::Sqlite { dir } => {
                let hex_text = std::fs::read_to_string(dir.path().join("sesame.db.secret")).ok()?;
                decode_hex(hex_text.trim())
            }
            Kind::PostgresRedis { secret, .. } => Some(secret.as_bytes().to_vec()),
        }
    }

    /// The configuration lines for this storage: top-level `secret` (when
    /// needed) and the `[store]` and `[cache]` tables. Top-level keys come
    /// first, so this goes before any other table.
    #[must_use]
    pub fn toml(&self) -> String {
        match &self.kind {
            Kind::Sqlite { dir } => format!(
                "[store]\nurl = {}\n",
                quote(&format!("sqlite://{}/sesame.db", dir.path().display()))
            ),
            Kind::PostgresRedis {
                url,
                redis_urls,
                cluster,
                key_prefix,
                secret,
                ..
            } => {
                let quoted: Vec<String> = redis_urls.iter().map(|u| quote(u)).collect();
                let redis = if *cluster {
                    format!("cluster = [{}]", quoted.join(", "))
                } else {
                    format!("url = {}", quoted.join(""))
                };
                format!(
                    "secret = {}\n[store]\nurl = {}\nmax_connections = 4\n[cache]\n{redis}\nkey_prefix = {}\n",
                    quote(secret),
                    quote(url),
                    quote(key_prefix),
                )
            }
        }
    }
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    text.len()
        .is_multiple_of(2)
        .then(|| {
            (0..text.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
                .collect()
        })
        .flatten()
}

/// A TOML basic string.
#[must_use]
pub fn quote(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

impl Drop for Storage {
    fn drop(&mut self) {
        let Kind::PostgresRedis {
            admin_url,
            database,
            redis_urls,
            key_prefix,
            ..
        } = &self.kind
        else {
            return; // The TempDir removes itself.
        };
        let (admin_url, database) = (admin_url.clone(), database.clone());
        let (redis_urls, key_prefix) = (redis_urls.clone(), key_prefix.clone());
        // Drop cannot await, and blocking on the test's own runtime would
        // deadlock it: clean up on a thread with a runtime of its own.
        let cleanup = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            else {
                return;
            };
            rt.block_on(async {
                let _ =
                    tokio::time::timeout(STEP_TIMEOUT, drop_database(&admin_url, &database)).await;
                for redis_url in &redis_urls {
                    let _ = tokio::time::timeout(STEP_TIMEOUT, delete_keys(redis_url, &key_prefix))
                        .await;
                }
            });
        });
        let _ = cleanup.join();
    }
}

async fn drop_database(admin_url: &str, database: &str) -> Result<(), sqlx::Error> {
    let mut conn = PgConnection::connect(admin_url).await?;
    sqlx::query(&format!(
        "DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)"
    ))
    .execute(&mut conn)
    .await?;
    conn.close().await
}

async fn delete_keys(redis_url: &str, prefix: &str) -> redis::RedisResult<()> {
    let client = redis::Client::open(redis_url)?;
    let mut conn = client.get_multiplexed_async_connection().await?;
    let mut cursor: u64 = 0;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{prefix}*"))
            .arg("COUNT")
            .arg(500)
            .query_async(&mut conn)
            .await?;
        // One DEL per key: a cluster node refuses a DEL across slots.
        let mut pipe = redis::pipe();
        for key in &keys {
            pipe.cmd("DEL").arg(key).ignore();
        }
        if !keys.is_empty() {
            pipe.query_async::<()>(&mut conn).await?;
        }
        if next == 0 {
            return Ok(());
        }
        cursor = next;
    }
}
